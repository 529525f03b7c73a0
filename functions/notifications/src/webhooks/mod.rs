//! Organizer webhooks, after the Standard Webhooks specification
//! (standardwebhooks.com): an organizer registers endpoints (`url`, the event
//! types it wants); each event is signed with the endpoint's `whsec_` secret and
//! delivered with `webhook-id`, `webhook-timestamp` and `webhook-signature`.
//!
//! The rules, in plain Rust (no AWS types): what an endpoint may be (HTTPS to a
//! public address; loopback only where the template allows it, i.e. locally),
//! when a failed delivery is tried again (exponential, for up to a day), when a
//! failing endpoint is switched off, and how a delivery is signed. The store and
//! the sender are adapters (`store`, `sender`); the handlers tie them together.

pub mod sender;
pub mod store;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared::ApiError;
use shared::body::Fields;
use std::net::IpAddr;

/// What an endpoint may subscribe to.
pub const EVENT_TYPES: [&str; 5] =
    ["reservation.confirmed", "reservation.cancelled", "reservation.refunded", "event.cancelled", "ticket.checked_in"];

/// Endpoints one organizer may have.
pub const MAX_ENDPOINTS: usize = 10;
const URL_MAX: usize = 2048;
const DESCRIPTION_MAX: usize = 200;
/// How long a rotated-out secret still signs (both signatures are sent meanwhile,
/// as the specification allows), so a receiver can switch without losing a delivery.
pub const PREVIOUS_SECRET_HOURS: i64 = 24;

/// Where deliveries may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destinations {
    /// In AWS: HTTPS to public addresses only.
    PublicHttps,
    /// Locally (`WebhookAllowLoopback`): also plain HTTP to loopback addresses.
    AlsoLoopback,
}

/// A checked endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: url::Url,
    pub host: String,
    pub port: u16,
}

/// Whether `url` may receive deliveries; the reason when not. The host's
/// addresses are checked again at each delivery ([`address_allowed`]), since DNS
/// can change after the check (rebinding).
pub fn check_url(text: &str, destinations: Destinations) -> Result<Target, String> {
    if text.len() > URL_MAX {
        return Err(format!("must be at most {URL_MAX} characters"));
    }
    let url = url::Url::parse(text).map_err(|_| "must be an absolute URL".to_owned())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a fragment".into());
    }
    let host = match url.host() {
        Some(url::Host::Domain(name)) => name.to_ascii_lowercase(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err("must name a host".into()),
    };
    let literal: Option<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(ip.into()),
        Some(url::Host::Ipv6(ip)) => Some(ip.into()),
        _ => None,
    };
    let loopback_name = host == "localhost" || host.ends_with(".localhost");
    let loopback = loopback_name || literal.is_some_and(|ip| ip.is_loopback());
    match (url.scheme(), destinations) {
        ("https", _) => {}
        ("http", Destinations::AlsoLoopback) if loopback => {}
        ("http", _) => return Err("must use https".into()),
        _ => return Err("must be an https URL".into()),
    }
    if let Some(ip) = literal
        && !address_allowed(ip, destinations)
    {
        return Err("must not point at a private or reserved address".into());
    }
    if loopback_name && destinations == Destinations::PublicHttps {
        return Err("must not point at a private or reserved address".into());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    Ok(Target { url, host, port })
}

/// Whether a delivery may connect to `ip`: public unicast addresses only (no
/// private, loopback, link-local, e.g. the instance metadata service, shared,
/// documentation, multicast or unspecified ones); loopback too where allowed.
pub fn address_allowed(ip: IpAddr, destinations: Destinations) -> bool {
    if ip.is_loopback() {
        return destinations == Destinations::AlsoLoopback;
    }
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
                || (a == 192 && b == 0) // IETF protocol assignments
                || (a == 198 && (18..20).contains(&b)) // benchmarking
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return address_allowed(IpAddr::V4(v4), destinations);
            }
            // Global unicast (2000::/3) only, less the ranges that carry or reach an
            // IPv4 address (6to4, Teredo and the other IETF assignments in 2001::/23)
            // and documentation. Everything else (unique local, link-local,
            // site-local, IPv4-compatible ::/96, NAT64 64:ff9b::/96, discard 100::/64,
            // multicast) is refused.
            let [first, second, ..] = v6.segments();
            (first & 0xe000) == 0x2000
                && first != 0x2002
                && !(first == 0x2001 && second < 0x0200)
                && !(first == 0x2001 && second == 0x0db8)
        }
    }
}

/// `POST /organizers/me/webhooks`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRequest {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

/// What `PATCH /organizers/me/webhooks/{id}` changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

fn read_url(fields: &mut Fields, text: String, destinations: Destinations) -> Option<String> {
    match check_url(text.trim(), destinations) {
        Ok(target) => Some(target.url.to_string()),
        Err(why) => {
            fields.error("url", why);
            None
        }
    }
}

fn read_events(fields: &mut Fields, value: serde_json::Value) -> Option<Vec<String>> {
    let list: Option<Vec<String>> = value.as_array().and_then(|items| {
        items.iter().map(|v| v.as_str().filter(|t| EVENT_TYPES.contains(t)).map(str::to_owned)).collect()
    });
    match list {
        Some(mut events) if !events.is_empty() => {
            events.sort();
            events.dedup();
            Some(events)
        }
        _ => {
            fields.error("events", format!("must be a non-empty list of: {}", EVENT_TYPES.join(", ")));
            None
        }
    }
}

fn read_description(fields: &mut Fields) -> Option<String> {
    let text = fields.optional_str("description").map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if text.as_ref().is_some_and(|d| d.chars().count() > DESCRIPTION_MAX) {
        fields.error("description", format!("must be at most {DESCRIPTION_MAX} characters"));
    }
    text
}

/// Reads `{url, events, description?}`.
pub fn read_endpoint(mut fields: Fields, destinations: Destinations) -> Result<EndpointRequest, ApiError> {
    let url = fields.required_str("url").and_then(|text| read_url(&mut fields, text, destinations));
    let events = match fields.optional_value("events") {
        Some(value) => read_events(&mut fields, value),
        None => {
            fields.error("events", "is required");
            None
        }
    };
    let description = read_description(&mut fields);
    fields.finish_with(|| Some(EndpointRequest { url: url?, events: events?, description }))
}

/// Reads `{url?, events?, description?, enabled?}` (at least one).
pub fn read_change(mut fields: Fields, destinations: Destinations) -> Result<EndpointChange, ApiError> {
    let mut change = EndpointChange::default();
    if let Some(text) = fields.optional_str("url") {
        change.url = read_url(&mut fields, text, destinations);
    }
    if let Some(value) = fields.optional_value("events") {
        change.events = read_events(&mut fields, value);
    }
    change.description = read_description(&mut fields);
    match fields.optional_value("enabled") {
        Some(serde_json::Value::Bool(enabled)) => change.enabled = Some(enabled),
        Some(_) => fields.error("enabled", "must be true or false"),
        None => {}
    }
    if change == EndpointChange::default() && !fields.has_errors() {
        fields.error("url", "send at least one of url, events, description, enabled");
    }
    fields.finish_with(|| Some(change))
}

/// A new signing secret: `whsec_` and 32 random bytes in base64, as the specification writes them.
pub fn new_secret() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The secrets a delivery is signed with now: the current one, and the previous one
/// until its grace period ends.
pub fn signing_secrets<'a>(
    current: &'a str,
    previous: Option<(&'a str, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Vec<&'a str> {
    let mut secrets = vec![current];
    if let Some((secret, until)) = previous
        && now < until
    {
        secrets.push(secret);
    }
    secrets
}

/// The `webhook-signature` header: `v1,<signature>` per secret, space-separated.
pub fn signature(secrets: &[&str], message_id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let mut signatures = Vec::new();
    for secret in secrets {
        let signer = standardwebhooks::Webhook::new(secret).map_err(|e| e.to_string())?;
        signatures.push(signer.sign(message_id, timestamp, body.as_bytes()).map_err(|e| e.to_string())?);
    }
    Ok(signatures.join(" "))
}

/// The body an endpoint receives: the specification's recommended
/// `{"type", "timestamp", "data"}`.
pub fn payload(event_type: &str, timestamp: &str, data: &serde_json::Value) -> String {
    serde_json::json!({"type": event_type, "timestamp": timestamp, "data": data}).to_string()
}

/// Seconds to wait after each failed attempt (the first after the first failure),
/// from the template's `WebhookRetrySchedule`: by default 5 s, 5 min, 30 min, 2 h,
/// 5 h, 10 h, 10 h, the specification's example schedule (about 28 hours in all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(pub Vec<u32>);

impl RetrySchedule {
    pub fn parse(text: &str) -> Option<Self> {
        let waits: Option<Vec<u32>> = text.split(',').map(|w| w.trim().parse().ok()).collect();
        waits.filter(|w| !w.is_empty()).map(Self)
    }
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    Delivered,
    RetryAt(DateTime<Utc>),
    /// Failing since the first attempt for the whole retry window, or the schedule
    /// is spent: given up (the organizer may still redeliver it by hand).
    GiveUp,
}

/// After attempt number `attempts` (1 for the first) of a delivery whose retries
/// started at `started`, which succeeded or not.
pub fn after_attempt(
    succeeded: bool,
    attempts: u32,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
    schedule: &RetrySchedule,
    give_up_after: Duration,
) -> AfterAttempt {
    if succeeded {
        return AfterAttempt::Delivered;
    }
    match schedule.0.get(attempts.saturating_sub(1) as usize) {
        Some(&wait) if now - started < give_up_after => AfterAttempt::RetryAt(now + Duration::seconds(wait.into())),
        _ => AfterAttempt::GiveUp,
    }
}

/// A receiver acknowledges with any 2xx; anything else (a redirect included: it is
/// not followed, the target could be anywhere) is a failure.
pub fn acknowledged(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Whether an endpoint failing since `failing_since` is switched off now.
pub fn should_disable(failing_since: DateTime<Utc>, now: DateTime<Utc>, disable_after: Duration) -> bool {
    now - failing_since >= disable_after
}

/// A delivery's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// One attempt, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// On `WebhookDeliveriesQueue` (the domain's own queue): try this delivery at `due`
/// (epoch milliseconds). SQS delays at most 15 minutes, so a later one is sent on
/// again until it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum DeliveryMessage {
    #[serde(rename = "webhook.delivery.v1", rename_all = "camelCase")]
    Attempt { endpoint_id: String, message_id: String, due: i64 },
}

/// What to do with a delivery message, from the delivery as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Nothing: delivered, given up, or a newer message carries it on.
    Drop,
    /// Not due yet: send it on, delayed by this many seconds (at most 900).
    Wait(u32),
    /// Attempt it now.
    Attempt,
}

/// `due` is the message's, `next` the stored delivery's next attempt (both epoch ms).
pub fn turn(status: DeliveryStatus, next: i64, due: i64, now: DateTime<Utc>) -> Turn {
    if status != DeliveryStatus::Pending || next > due {
        return Turn::Drop;
    }
    let wait_ms = due - now.timestamp_millis();
    if wait_ms > 0 {
        return Turn::Wait(u32::try_from((wait_ms + 999) / 1000).unwrap_or(900).min(900));
    }
    Turn::Attempt
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn endpoints_are_https_to_public_hosts_and_loopback_only_where_allowed() {
        use Destinations::*;
        assert!(check_url("https://hooks.example.com/in?x=1", PublicHttps).is_ok());
        assert_eq!(check_url("http://hooks.example.com/in", PublicHttps).unwrap_err(), "must use https");
        assert_eq!(check_url("ftp://hooks.example.com/", AlsoLoopback).unwrap_err(), "must be an https URL");
        assert!(check_url("not a url", PublicHttps).is_err());
        assert!(check_url("https://user:pw@hooks.example.com/", PublicHttps).is_err());
        for private in [
            "https://10.0.0.1/",
            "https://192.168.1.10/",
            "https://172.16.0.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://[::a00:1]/",
            "https://[2002:a00:1::1]/",
            "https://[2001:0:4136:e378::1]/",
            "https://[fec0::1]/",
            "https://[64:ff9b::a00:1]/",
            "https://[100::1]/",
            "https://0.0.0.0/",
            "https://100.64.0.1/",
            "https://localhost/",
            "https://127.0.0.1/",
        ] {
            assert!(check_url(private, PublicHttps).is_err(), "{private}");
        }
        assert!(check_url("http://127.0.0.1:8080/hook", AlsoLoopback).is_ok());
        assert!(check_url("http://localhost:8080/hook", AlsoLoopback).is_ok());
        assert!(check_url("http://10.0.0.1/hook", AlsoLoopback).is_err(), "private ranges stay refused locally");
        assert!(check_url("http://hooks.example.com/", AlsoLoopback).is_err(), "plain HTTP only to loopback");
        assert!(address_allowed("93.184.215.14".parse().unwrap(), PublicHttps));
        assert!(address_allowed("2606:4700::1".parse().unwrap(), PublicHttps));
        assert!(!address_allowed("127.0.0.1".parse().unwrap(), PublicHttps));
        assert!(address_allowed("127.0.0.1".parse().unwrap(), AlsoLoopback));
    }

    #[test]
    fn an_endpoint_request_names_known_events_and_reports_every_problem() {
        let fields = |v: serde_json::Value| Fields::new(v.as_object().unwrap().clone());
        let ok = read_endpoint(
            fields(json!({"url": "https://a.example/h", "events": ["reservation.refunded", "reservation.confirmed", "reservation.confirmed"]})),
            Destinations::PublicHttps,
        )
        .unwrap();
        assert_eq!(ok.events, ["reservation.confirmed", "reservation.refunded"]);
        let err = read_endpoint(
            fields(json!({"url": "http://a.example/h", "events": ["ticket.sold"], "x": 1})),
            Destinations::PublicHttps,
        )
        .unwrap_err();
        let named: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["url", "events", "x"]);
        assert!(
            read_endpoint(fields(json!({"url": "https://a.example/h", "events": []})), Destinations::PublicHttps)
                .is_err()
        );
        assert!(read_change(fields(json!({})), Destinations::PublicHttps).is_err(), "nothing to change");
        assert_eq!(
            read_change(fields(json!({"enabled": true})), Destinations::PublicHttps).unwrap().enabled,
            Some(true)
        );
    }

    #[test]
    fn signatures_verify_with_the_reference_implementation_during_a_rotation_too() {
        let (old, new) = (new_secret(), new_secret());
        assert!(new.starts_with("whsec_") && new != old);
        let now = at("2030-01-01T10:00:00Z");
        let secrets = signing_secrets(&new, Some((&old, now + Duration::hours(1))), now);
        assert_eq!(secrets.len(), 2);
        let body = payload("reservation.confirmed", "2030-01-01T10:00:00Z", &json!({"reservationId": "r1"}));
        let ts = chrono::Utc::now().timestamp();
        let header = signature(&secrets, "msg_1", ts, &body).unwrap();
        assert_eq!(header.split(' ').count(), 2);
        let mut headers = lambda_http::http::HeaderMap::new();
        headers.insert("webhook-id", "msg_1".parse().unwrap());
        headers.insert("webhook-timestamp", ts.to_string().parse().unwrap());
        headers.insert("webhook-signature", header.parse().unwrap());
        for secret in [&new, &old] {
            standardwebhooks::Webhook::new(secret).unwrap().verify(body.as_bytes(), &headers).unwrap();
        }
        let stranger = new_secret();
        assert!(standardwebhooks::Webhook::new(&stranger).unwrap().verify(body.as_bytes(), &headers).is_err());
        assert_eq!(signing_secrets(&new, Some((&old, now)), now), [new.as_str()], "the old one expired");
    }

    #[test]
    fn failed_attempts_follow_the_schedule_until_the_window_closes() {
        let schedule = RetrySchedule::parse("5, 300,1800").unwrap();
        let start = at("2030-01-01T00:00:00Z");
        let day = Duration::days(1);
        assert_eq!(after_attempt(true, 3, start, start, &schedule, day), AfterAttempt::Delivered);
        assert_eq!(
            after_attempt(false, 1, start, start, &schedule, day),
            AfterAttempt::RetryAt(start + Duration::seconds(5))
        );
        let later = start + Duration::seconds(305);
        assert_eq!(
            after_attempt(false, 2, start, later, &schedule, day),
            AfterAttempt::RetryAt(later + Duration::seconds(300))
        );
        assert_eq!(after_attempt(false, 4, start, later, &schedule, day), AfterAttempt::GiveUp, "schedule spent");
        assert_eq!(after_attempt(false, 2, start, start + day, &schedule, day), AfterAttempt::GiveUp, "a day failing");
        assert!(RetrySchedule::parse("5,x").is_none());
        assert!(RetrySchedule::parse("").is_none());
        assert!(acknowledged(204) && !acknowledged(301) && !acknowledged(500));
        assert!(should_disable(start, start + day, day) && !should_disable(start, start + Duration::hours(23), day));
    }

    #[test]
    fn a_delivery_message_is_attempted_when_due_and_dropped_once_overtaken() {
        let now = at("2030-01-01T00:00:00Z");
        let ms = now.timestamp_millis();
        assert_eq!(turn(DeliveryStatus::Pending, ms, ms, now), Turn::Attempt);
        assert_eq!(turn(DeliveryStatus::Pending, ms - 5, ms, now), Turn::Attempt, "sent on before its record moved");
        assert_eq!(turn(DeliveryStatus::Pending, ms + 10, ms, now), Turn::Drop, "a newer message carries it");
        assert_eq!(turn(DeliveryStatus::Delivered, ms, ms, now), Turn::Drop);
        assert_eq!(turn(DeliveryStatus::Pending, ms + 2_500, ms + 2_500, now), Turn::Wait(3));
        assert_eq!(turn(DeliveryStatus::Pending, ms + 3_600_000, ms + 3_600_000, now), Turn::Wait(900));
        let message = DeliveryMessage::Attempt { endpoint_id: "e".into(), message_id: "m".into(), due: 5 };
        let body = shared::messages::encode(&message);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["type"], "webhook.delivery.v1");
        assert_eq!(shared::messages::decode::<DeliveryMessage>(&body).unwrap(), message);
    }
}
