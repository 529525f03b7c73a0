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

/// The AWS SDK's default HTTPS client (hyper 1, rustls with aws-lc), with every
/// request timed on the wait clock. `aws_sdk_config` gives it to every client.
#[derive(Debug, Clone)]
pub struct TimedHttpClient {
    inner: SharedHttpClient,
}

impl TimedHttpClient {
    pub fn default_https() -> Self {
        use aws_smithy_http_client::tls;
        let inner = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
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
