//! Fault injection, modelled on AWS Fault Injection Service's Lambda actions, so
//! tests can show that nothing is lost when a process dies at the worst moment.
//! Off unless the runner starts with `--faults`:
//!
//! - `kill=P`: an invocation's instance is SIGKILLed with probability P, at a
//!   random moment of the invocation: before, during or after its AWS calls (a
//!   kill planned for after the function finished happens before its answer is
//!   delivered). The caller sees what API Gateway or the event source would: 502,
//!   or a failed batch.
//! - `drop=P`: a call a function makes to DynamoDB, SQS, SES or Stripe takes
//!   effect, but with probability P its response never arrives (the connection is
//!   closed after the request was forwarded and answered).
//! - `delay=MS`: up to that many milliseconds added to each of those calls.
//!
//! With `--faults` the functions' AWS and Stripe endpoints point at a small
//! forwarding proxy per service; the runner's own clients keep the direct URLs.
//! Without it there is no proxy at all, so latency is what it always was.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// What to inject. All zero: nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Probability that an invocation's instance is killed.
    #[serde(default)]
    pub kill: f64,
    /// Probability that a call's response is dropped after it took effect.
    #[serde(default)]
    pub drop: f64,
    /// Up to this many milliseconds added to each call.
    #[serde(default)]
    pub delay: u64,
}

impl Spec {
    /// `kill=0.05,drop=0.05,delay=200`; empty or `off` is no faults.
    pub fn parse(text: &str) -> Result<Spec, String> {
        let mut spec = Spec::default();
        let text = text.trim();
        if text.is_empty() || text == "off" {
            return Ok(spec);
        }
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("{part:?} is not key=value"))?;
            match key.trim() {
                "kill" => spec.kill = value.trim().parse().map_err(|_| format!("kill={value} is not a number"))?,
                "drop" => spec.drop = value.trim().parse().map_err(|_| format!("drop={value} is not a number"))?,
                "delay" => {
                    spec.delay = value.trim().parse().map_err(|_| format!("delay={value} is not milliseconds"))?
                }
                other => return Err(format!("unknown fault {other:?} (kill, drop, delay)")),
            }
        }
        spec.validate()
    }

    pub fn validate(self) -> Result<Spec, String> {
        for (name, p) in [("kill", self.kill), ("drop", self.drop)] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("{name} is a probability, from 0 to 1 (got {p})"));
            }
        }
        if self.delay > 60_000 {
            return Err(format!("delay is at most 60000 ms (got {})", self.delay));
        }
        Ok(self)
    }
}

#[derive(Default)]
struct Counts {
    invocations: AtomicU64,
    kills: AtomicU64,
    calls: AtomicU64,
    drops: AtomicU64,
    delays: AtomicU64,
}

pub struct Faults {
    spec: Mutex<Spec>,
    counts: Counts,
    /// Per function instance (the SDK's app id, `AWS_SDK_UA_APP_ID`): emails SES
    /// accepted whose record (the DynamoDB update after the send) has not been
    /// written yet. The instance's death (a kill, or its timeout) then leaves an
    /// email that is sent again once its claim lapses: SES takes no idempotency
    /// key, so no code can tell.
    unrecorded_emails: Mutex<HashMap<String, u64>>,
    /// Instances that died. A send that reaches the proxy after its sender died
    /// (it was already on the wire) is at risk from the start.
    dead_instances: Mutex<HashSet<String>>,
    emails_at_risk: AtomicU64,
    kills_by_function: Mutex<HashMap<String, u64>>,
}

static FAULTS: OnceLock<Faults> = OnceLock::new();

/// Turns fault injection on for this process (the proxies must be in place).
pub fn enable(spec: Spec) -> &'static Faults {
    let faults = FAULTS.get_or_init(|| Faults::new(Spec::default()));
    faults.set(spec);
    faults
}

/// The injector, when the runner started with `--faults`.
pub fn active() -> Option<&'static Faults> {
    FAULTS.get()
}

fn roll(probability: f64) -> bool {
    probability > 0.0 && rand::thread_rng().gen_bool(probability.min(1.0))
}

impl Faults {
    fn new(spec: Spec) -> Faults {
        Faults {
            spec: Mutex::new(spec),
            counts: Counts::default(),
            unrecorded_emails: Mutex::default(),
            dead_instances: Mutex::default(),
            emails_at_risk: AtomicU64::new(0),
            kills_by_function: Mutex::default(),
        }
    }

    pub fn spec(&self) -> Spec {
        *self.spec.lock().expect("lock")
    }

    pub fn set(&self, spec: Spec) {
        *self.spec.lock().expect("lock") = spec;
    }

    /// The spec and what was injected so far (`GET /_local/faults`).
    pub fn describe(&self) -> Value {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let c = &self.counts;
        json!({
            "enabled": true,
            "spec": self.spec(),
            "injected": {"kills": n(&c.kills), "drops": n(&c.drops), "delays": n(&c.delays)},
            "seen": {"invocations": n(&c.invocations), "calls": n(&c.calls)},
            "killsByFunction": *self.kills_by_function.lock().expect("lock"),
            // Instance deaths (kills, timeouts) that fell between SES accepting an email and its record.
            "emailsAtRisk": n(&self.emails_at_risk),
        })
    }

    /// For an invocation about to run: `Some(after)` to kill its instance that long
    /// into it (at its end if it finishes first). `typical` is how long the
    /// function's invocations have been taking, so kills land within one.
    pub fn plan_kill(&self, typical: Duration) -> Option<Duration> {
        self.counts.invocations.fetch_add(1, Ordering::Relaxed);
        if !roll(self.spec().kill) {
            return None;
        }
        let span = typical.mul_f64(2.0).max(Duration::from_millis(2));
        Some(span.mul_f64(rand::thread_rng().gen_range(0.0..1.0)))
    }

    /// An instance (`function`, its SDK app id) was killed.
    pub fn killed(&self, function: &str, app_id: &str) {
        self.counts.kills.fetch_add(1, Ordering::Relaxed);
        *self.kills_by_function.lock().expect("lock").entry(function.to_owned()).or_default() += 1;
        self.instance_died(app_id);
    }

    /// An instance died, killed or at its timeout: the emails it sent but had not
    /// recorded will be sent again.
    pub fn instance_died(&self, app_id: &str) {
        let mut unrecorded = self.unrecorded_emails.lock().expect("lock");
        self.dead_instances.lock().expect("lock").insert(app_id.to_owned());
        if let Some(unrecorded) = unrecorded.remove(app_id) {
            self.emails_at_risk.fetch_add(unrecorded, Ordering::Relaxed);
        }
    }

    /// An email send an instance asked for: at risk from the moment it may reach SES
    /// (the instance can die while it is on its way) until its record is written.
    fn email_asked(&self, app_id: &str) {
        let mut unrecorded = self.unrecorded_emails.lock().expect("lock");
        if self.dead_instances.lock().expect("lock").contains(app_id) {
            // Its sender died while the request was on its way: no record follows.
            self.emails_at_risk.fetch_add(1, Ordering::Relaxed);
        } else {
            *unrecorded.entry(app_id.to_owned()).or_default() += 1;
        }
    }

    /// The send never reached SES, or SES refused it: nothing to send again. Also an
    /// update answered: an email's record written.
    fn email_settled(&self, app_id: &str) {
        if let Some(n) = self.unrecorded_emails.lock().expect("lock").get_mut(app_id) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Why the proxy closed a connection instead of answering.
#[derive(Debug)]
struct Dropped(String);

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Dropped {}

/// Starts a forwarding proxy to `upstream` (e.g. DynamoDB Local) and returns its URL.
pub async fn proxy(upstream: String) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(64).build()?;
    let upstream = upstream.trim_end_matches('/').to_owned();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let (client, upstream) = (client.clone(), upstream.clone());
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request| forward(client.clone(), upstream.clone(), request));
                // A dropped response ends the connection: the caller's read fails.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(url)
}

#[derive(Debug, Clone, Copy)]
enum Call {
    /// SES v2 SendEmail.
    SendEmail,
    /// A DynamoDB UpdateItem (how an email's record is completed).
    Update,
    Other,
}

impl Call {
    fn of(method: &hyper::Method, path: &str, headers: &hyper::HeaderMap) -> Call {
        let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if method == hyper::Method::POST && path == "/v2/email/outbound-emails" {
            Call::SendEmail
        } else if target.ends_with(".UpdateItem") {
            Call::Update
        } else {
            Call::Other
        }
    }
}

/// The calling instance, from the app id the SDK puts in its user agent (`app/<id>`).
fn app_id(headers: &hyper::HeaderMap) -> Option<String> {
    ["x-amz-user-agent", "user-agent"].iter().find_map(|name| {
        let agent = headers.get(*name)?.to_str().ok()?;
        agent.split(' ').find_map(|part| part.strip_prefix("app/")).map(str::to_owned)
    })
}

const HOP_BY_HOP: &[&str] = &["host", "connection", "content-length", "transfer-encoding", "keep-alive"];

async fn forward(
    client: reqwest::Client,
    upstream: String,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let spec = match active() {
        Some(faults) => {
            faults.counts.calls.fetch_add(1, Ordering::Relaxed);
            faults.spec()
        }
        None => Spec::default(),
    };
    if spec.delay > 0 {
        let wait = rand::thread_rng().gen_range(0..=spec.delay);
        if let Some(faults) = active() {
            faults.counts.delays.fetch_add(1, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
    let (parts, body) = request.into_parts();
    let app_id = app_id(&parts.headers);
    let call = Call::of(&parts.method, parts.uri.path(), &parts.headers);
    let tracked = active().zip(app_id.as_deref());
    if let (Some((faults, app_id)), Call::SendEmail) = (tracked, call) {
        faults.email_asked(app_id);
    }
    let answer = relay(client, upstream, parts, body).await;
    if let Some((faults, app_id)) = tracked {
        let ok = answer.as_ref().is_ok_and(|(status, _, _)| status.is_success());
        match call {
            Call::SendEmail if !ok => faults.email_settled(app_id),
            Call::Update if ok => faults.email_settled(app_id),
            _ => {}
        }
    }
    let (status, headers, body) = answer?;
    if roll(spec.drop) {
        if let Some(faults) = active() {
            faults.counts.drops.fetch_add(1, Ordering::Relaxed);
        }
        return Err(Dropped("response dropped by fault injection".into()));
    }
    let mut response = Response::builder().status(status);
    for (name, value) in &headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            response = response.header(name, value);
        }
    }
    response.body(Full::new(body)).map_err(|e| Dropped(e.to_string()))
}

/// Forwards the request and reads the whole answer.
async fn relay(
    client: reqwest::Client,
    upstream: String,
    parts: hyper::http::request::Parts,
    body: Incoming,
) -> Result<(reqwest::StatusCode, reqwest::header::HeaderMap, Bytes), Dropped> {
    let body = body.collect().await.map_err(|e| Dropped(e.to_string()))?.to_bytes();
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut upstream_request = client.request(parts.method, format!("{upstream}{path}")).body(body);
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            upstream_request = upstream_request.header(name, value);
        }
    }
    let answer = upstream_request.send().await.map_err(|e| Dropped(e.to_string()))?;
    let status = answer.status();
    let headers = answer.headers().clone();
    let body = answer.bytes().await.map_err(|e| Dropped(e.to_string()))?;
    Ok((status, headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_as_make_run_passes_them() {
        assert_eq!(Spec::parse("kill=0.05,drop=0.05,delay=200").unwrap(), Spec { kill: 0.05, drop: 0.05, delay: 200 });
        assert_eq!(Spec::parse("").unwrap(), Spec::default());
        assert_eq!(Spec::parse("off").unwrap(), Spec::default());
        assert_eq!(Spec::parse(" drop = 0.5 ").unwrap(), Spec { drop: 0.5, ..Spec::default() });
        assert!(Spec::parse("kill=2").unwrap_err().contains("probability"));
        assert!(Spec::parse("explode=1").unwrap_err().contains("unknown fault"));
        assert!(Spec::parse("kill").is_err());
        let json: Spec = serde_json::from_str(r#"{"kill": 0.05, "drop": 0.05}"#).unwrap();
        assert_eq!(json, Spec { kill: 0.05, drop: 0.05, delay: 0 });
        assert!(serde_json::from_str::<Spec>(r#"{"kil": 1}"#).is_err(), "a misspelt fault is refused, not ignored");
    }

    #[test]
    fn kills_land_within_a_typical_invocation() {
        let faults = Faults::new(Spec { kill: 1.0, ..Spec::default() });
        for _ in 0..50 {
            let at = faults.plan_kill(Duration::from_millis(40)).expect("always, at kill=1");
            assert!(at < Duration::from_millis(80), "{at:?}");
        }
        faults.set(Spec::default());
        assert!(faults.plan_kill(Duration::from_millis(40)).is_none());
        assert_eq!(faults.describe()["seen"]["invocations"], 51);
    }

    #[test]
    fn an_email_is_at_risk_when_its_sender_dies_before_recording_it() {
        let faults = Faults::new(Spec::default());
        let at_risk = || faults.describe()["emailsAtRisk"].as_u64().unwrap();
        faults.email_asked("Send.1");
        faults.email_settled("Send.1");
        faults.killed("Send", "Send.1");
        assert_eq!(at_risk(), 0, "sent and recorded before the kill");
        faults.email_asked("Send.2");
        faults.instance_died("Send.2");
        assert_eq!(at_risk(), 1, "sent, then its sender timed out before the record");
        faults.email_asked("Send.2");
        assert_eq!(at_risk(), 2, "a send still on the wire when its sender died");
        faults.email_asked("Send.3");
        faults.email_asked("Send.3");
        faults.email_settled("Send.3");
        faults.killed("Send", "Send.3");
        assert_eq!(at_risk(), 3, "of two sends in flight, one was recorded");
    }

    #[tokio::test]
    async fn a_dropped_response_took_effect_but_never_arrives() {
        use std::sync::Arc;
        use std::sync::atomic::AtomicUsize;
        // An upstream that counts what reached it.
        let reached = Arc::new(AtomicUsize::new(0));
        let counter = reached.clone();
        let app = axum::Router::new().route(
            "/write",
            axum::routing::post(move || {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    "written"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let faults = enable(Spec::default());
        let url = proxy(upstream).await.unwrap();
        let client = reqwest::Client::new();

        let through = client.post(format!("{url}/write")).body("x").send().await.unwrap();
        assert_eq!(through.text().await.unwrap(), "written", "no faults: the proxy forwards both ways");

        faults.set(Spec { drop: 1.0, ..Spec::default() });
        let dropped = client.post(format!("{url}/write")).body("x").send().await;
        assert!(dropped.is_err(), "the caller gets no answer: {dropped:?}");
        assert_eq!(reached.load(Ordering::SeqCst), 2, "but the write reached the service");
        assert!(faults.describe()["injected"]["drops"].as_u64().unwrap() >= 1);
        faults.set(Spec::default());
    }
}
