//! How long the current invocation has waited on other services (DynamoDB, SQS, SES,
//! Stripe), so the time a function spends on its own work can be told apart from the
//! time it waits: the "invocation done" log line carries both (see `telemetry`).
//!
//! Overlapping calls count once: this is wall time with at least one call open. Lambda
//! gives a process one event at a time, so one clock per process is that invocation's.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::{RuntimeComponents, RuntimeComponentsBuilder};
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct WaitClock {
    open: u32,
    since: Option<Instant>,
    total: Duration,
}

static CLOCK: Mutex<WaitClock> = Mutex::new(WaitClock { open: 0, since: None, total: Duration::ZERO });

fn clock() -> std::sync::MutexGuard<'static, WaitClock> {
    CLOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An open call: the clock runs while at least one exists.
#[must_use = "the wait ends when this is dropped"]
pub struct Waiting(());

pub fn begin() -> Waiting {
    let mut clock = clock();
    if clock.open == 0 {
        clock.since = Some(Instant::now());
    }
    clock.open += 1;
    Waiting(())
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let mut clock = clock();
        clock.open = clock.open.saturating_sub(1);
        if clock.open == 0
            && let Some(since) = clock.since.take()
        {
            clock.total += since.elapsed();
        }
    }
}

/// Awaits `future` with the clock running (for calls outside the AWS SDK, e.g. Stripe's).
pub async fn timed<F: std::future::Future>(future: F) -> F::Output {
    let _waiting = begin();
    future.await
}

/// The time waited since the last `take`, and starts counting again from zero.
pub fn take() -> Duration {
    let mut clock = clock();
    let mut waited = std::mem::take(&mut clock.total);
    if let Some(since) = clock.since {
        let now = Instant::now();
        waited += now - since;
        clock.since = Some(now);
    }
    waited
}

/// The roots every AWS service endpoint chains to (Amazon Trust Services, from
/// amazontrust.com/repository: Amazon Root CA 1-4 and Starfield Services Root G2,
/// which cross-signs them). Trusting only these keeps the OS trust store (147 files
/// to read, and every certificate parsed again per service client) out of init.
pub const AMAZON_TRUST_SERVICES_ROOTS: &str = include_str!("amazon_trust_services_roots.pem");

/// The AWS SDK's HTTPS client (hyper 1, rustls with aws-lc) trusting Amazon Trust
/// Services' roots only, with every request timed on the wait clock.
/// `aws_sdk_config` gives it to every client. `TLS_NATIVE_ROOTS=true` in a function's
/// environment trusts the OS store instead (an escape hatch, should an endpoint ever
/// chain elsewhere).
#[derive(Debug, Clone)]
pub struct TimedHttpClient {
    inner: SharedHttpClient,
}

impl TimedHttpClient {
    pub fn for_aws() -> Self {
        use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
        let native_roots = std::env::var("TLS_NATIVE_ROOTS").is_ok_and(|v| v == "true");
        let trust_store = if native_roots {
            TrustStore::default()
        } else {
            TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS)
        };
        let tls_context = TlsContext::builder()
            .with_trust_store(trust_store)
            .build()
            .expect("a trust store without extra server names always builds");
        let inner = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
            .tls_context(tls_context)
            .build_https();
        Self { inner }
    }
}

impl HttpClient for TimedHttpClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(TimedConnector(self.inner.http_connector(settings, components)))
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_base_client_config(components, cfg)
    }

    fn validate_final_config(&self, components: &RuntimeComponents, cfg: &ConfigBag) -> Result<(), BoxError> {
        self.inner.validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct TimedConnector(SharedHttpConnector);

impl HttpConnector for TimedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let waiting = begin();
        // At DEBUG, each call's service, operation and time: which dependency is slow.
        let target = tracing::enabled!(tracing::Level::DEBUG).then(|| {
            let headers = request.headers();
            let operation = headers.get("x-amz-target").or_else(|| headers.get("x-amzn-query-action")).unwrap_or("");
            format!("{} {operation}", request.uri().split('?').next().unwrap_or_default())
        });
        let started = std::time::Instant::now();
        let response = self.0.call(request);
        HttpConnectorFuture::new(async move {
            let result = response.await;
            drop(waiting);
            if let Some(target) = target {
                tracing::debug!(%target, ms = started.elapsed().as_secs_f64() * 1000.0, "outbound call");
            }
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_roots_are_the_five_amazon_trust_services_anchors() {
        use rustls_pki_types::{CertificateDer, pem::PemObject};
        let certificates = CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_ROOTS.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("every block is a PEM certificate");
        assert_eq!(certificates.len(), 5);
        for certificate in &certificates {
            webpki::anchor_from_trusted_cert(certificate).expect("each one is a usable trust anchor");
        }
        for name in
            ["Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4", "Starfield Services Root"]
        {
            assert!(AMAZON_TRUST_SERVICES_ROOTS.contains(&format!("CN = {name}")), "{name} is missing");
        }
    }

    // One test owns the process-wide clock (tests run in parallel threads).
    #[test]
    fn overlapping_waits_count_once_and_take_starts_over() {
        let _ = take();
        let pause = Duration::from_millis(30);
        let started = Instant::now();
        let first = begin();
        std::thread::sleep(pause);
        let second = begin();
        std::thread::sleep(pause);
        drop(first);
        std::thread::sleep(pause);
        drop(second);
        let span = started.elapsed();
        std::thread::sleep(pause); // no call open: not counted
        let waited = take();
        assert!(waited >= 3 * pause, "three pauses with a call open: {waited:?}");
        assert!(waited <= span, "the overlap counted once, the idle pause not at all: {waited:?} > {span:?}");
        let since_take = Instant::now();
        assert!(take() <= since_take.elapsed() + Duration::from_millis(1), "take starts over");

        let open = begin();
        std::thread::sleep(pause);
        let before_part = Instant::now();
        let part = take();
        assert!(part >= pause, "a call still open counts up to now: {part:?}");
        std::thread::sleep(pause);
        drop(open);
        let rest = take();
        assert!(rest >= pause && rest <= before_part.elapsed(), "and the rest of it later: {rest:?}");
    }
}
