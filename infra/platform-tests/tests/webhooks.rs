//! Organizer webhooks (Standard Webhooks), on the real stack: a receiver that is
//! down for a while still gets every event once it is back, each exactly once
//! acknowledged, each signed so the reference implementation verifies it; the
//! delivery log shows the refused attempts; a redelivery keeps the `webhook-id`;
//! a ticket's first admission at the door is news, without its code;
//! a rotated secret signs beside the old one; an endpoint that never answers is
//! switched off, its organizer emailed once, and it can be switched on again; URLs into private networks are
//! refused; nobody else sees an organizer's endpoints.

use platform_tests::webhooks::{Received, Receiver};
use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static PLATFORM: OnceLock<Platform> = OnceLock::new();

/// Seconds an endpoint may fail before it is switched off: long enough that the
/// receiver that comes back (after 3 refusals, a second or two apart here) is never
/// switched off on a slow machine, short enough for the one that never answers.
const DISABLE_AFTER: u64 = 60;

/// Retries a second apart, more of them than DISABLE_AFTER's seconds: the endpoint
/// that never answers is still being tried when it has failed that long.
fn platform() -> &'static Platform {
    PLATFORM.get_or_init(|| {
        Platform::start_with(&[
            "--param",
            "WebhookAllowLoopback=true",
            "--param",
            &format!("WebhookRetrySchedule={}", ["1"; 200].join(",")),
            "--param",
            &format!("WebhookDisableAfterSeconds={DISABLE_AFTER}"),
            "--param",
            "WebhookTimeoutSeconds=5",
        ])
    })
}

/// Whether `secret` made one of the request's signatures (Standard Webhooks'
/// reference implementation signs `id.timestamp.body` the same way). Compared
/// signature by signature, so the check does not depend on the clock.
fn signed_by(received: &Received, secret: &str) -> bool {
    let timestamp: i64 = received.headers["webhook-timestamp"].parse().unwrap();
    let expected = standardwebhooks::Webhook::new(secret)
        .unwrap()
        .sign(received.id(), timestamp, received.body.as_bytes())
        .unwrap();
    received.headers["webhook-signature"].split(' ').any(|s| s == expected)
}

async fn create_endpoint(p: &Platform, organizer: &Session, url: &str, events: Value) -> (String, String) {
    let created = p
        .api
        .call(
            "POST",
            "/organizers/me/webhooks",
            Some(&organizer.access_token),
            Some(json!({"url": url, "events": events})),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (created.body["id"].as_str().unwrap().to_owned(), secret)
}

async fn paid_booking(p: &Platform, buyer: &Session, event: &str, tier: &str) -> String {
    let body = json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    id
}

fn types_of(acknowledged: &HashMap<String, Vec<Received>>) -> Vec<(String, String)> {
    let mut types: Vec<(String, String)> = acknowledged
        .values()
        .map(|r| {
            let body = r[0].json();
            let subject =
                body["data"]["reservationId"].as_str().or(body["data"]["eventId"].as_str()).unwrap().to_owned();
            (body["type"].as_str().unwrap().to_owned(), subject)
        })
        .collect();
    types.sort();
    types
}

#[tokio::test]
async fn a_receiver_down_for_a_while_gets_every_event_once_signed_and_a_dead_one_is_switched_off() {
    let p = platform();
    let organizer = p.organizer().await;
    let receiver = Receiver::start(3).await;
    let all = json!([
        "reservation.confirmed",
        "reservation.cancelled",
        "reservation.refunded",
        "event.cancelled",
        "ticket.checked_in"
    ]);
    let (endpoint, secret) = create_endpoint(p, &organizer, &receiver.url, all).await;
    // Nothing listens on a port just freed: every attempt is refused.
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead_url = format!("http://127.0.0.1:{dead_port}/hooks");
    let (dead, _) = create_endpoint(p, &organizer, &dead_url, json!(["reservation.confirmed"])).await;

    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyers = p.attendees(3).await;
    let mut bookings = Vec::new();
    for buyer in &buyers {
        bookings.push(paid_booking(p, buyer, &event, &tier).await);
    }
    let cancelled =
        p.api.call("DELETE", &format!("/reservations/{}", bookings[0]), Some(&buyers[0].access_token), None).await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);

    // 3 confirmed, then the first cancelled and refunded: each acknowledged once.
    let acknowledged = receiver.wait_for(5).await;
    let mut expected: Vec<(String, String)> =
        bookings.iter().map(|b| ("reservation.confirmed".into(), b.clone())).collect();
    expected.push(("reservation.cancelled".into(), bookings[0].clone()));
    expected.push(("reservation.refunded".into(), bookings[0].clone()));
    expected.sort();
    assert_eq!(types_of(&acknowledged), expected);
    for (id, copies) in &acknowledged {
        assert_eq!(copies.len(), 1, "{id} acknowledged {} times", copies.len());
    }
    let received = receiver.received();
    assert_eq!(received.iter().filter(|r| r.answered == 503).count(), 3, "the three refusals were retried");
    for r in &received {
        assert!(signed_by(r, &secret), "a delivery not signed by the endpoint's secret: {:?}", r.headers);
        assert!(!signed_by(r, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "signed by a stranger's secret");
        let body = r.json();
        assert_eq!(body["timestamp"].as_str().map(str::len), Some(24), "{body}");
        assert!(r.id().starts_with("msg_"), "{}", r.id());
        assert_eq!(r.headers["content-type"], "application/json");
    }
    // The reference implementation verifies them as a receiver would (within its 5 minutes).
    let newest = received.last().unwrap();
    let mut headers = http::HeaderMap::new();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        headers.insert(name, newest.headers[name].parse().unwrap());
    }
    standardwebhooks::Webhook::new(&secret).unwrap().verify(newest.body.as_bytes(), &headers).unwrap();
    let refunded = acknowledged.values().map(|r| r[0].json()).find(|b| b["type"] == "reservation.refunded").unwrap();
    assert_eq!(refunded["data"]["refund"]["amountMinor"], 2500);
    assert_eq!(refunded["data"]["refund"]["partial"], false);

    // The log shows each delivery, the refused attempts included.
    let log = p
        .api
        .call("GET", &format!("/organizers/me/webhooks/{endpoint}/deliveries"), Some(&organizer.access_token), None)
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let deliveries = log.body["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 5, "{:?}", log.body);
    assert!(deliveries.iter().all(|d| d["status"] == "delivered"), "{:?}", log.body);
    let attempts: u64 = deliveries.iter().map(|d| d["attempts"].as_u64().unwrap()).sum();
    assert_eq!(attempts, 5 + 3, "one success each and the 3 refusals: {:?}", log.body);
    assert!(deliveries.iter().any(|d| d["log"].as_array().unwrap().iter().any(|a| a["statusCode"] == 503)));
    let paged = p
        .api
        .call(
            "GET",
            &format!("/organizers/me/webhooks/{endpoint}/deliveries?limit=2"),
            Some(&organizer.access_token),
            None,
        )
        .await;
    assert_eq!(paged.body["deliveries"].as_array().unwrap().len(), 2);
    let cursor = paged.body["nextCursor"].as_str().unwrap();
    let rest = p
        .api
        .call(
            "GET",
            &format!("/organizers/me/webhooks/{endpoint}/deliveries?limit=10&cursor={cursor}"),
            Some(&organizer.access_token),
            None,
        )
        .await;
    assert_eq!(rest.body["deliveries"].as_array().unwrap().len(), 3, "{:?}", rest.body);

    // A redelivery after a rotation: the same webhook-id, signed by both secrets.
    let rotated = p
        .api
        .call("POST", &format!("/organizers/me/webhooks/{endpoint}/secret"), Some(&organizer.access_token), None)
        .await;
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let again = deliveries[0]["id"].as_str().unwrap();
    let path = format!("/organizers/me/webhooks/{endpoint}/deliveries/{again}/redeliver");
    let redelivered = p.api.call("POST", &path, Some(&organizer.access_token), None).await;
    assert_eq!(redelivered.status, 202, "{:?}", redelivered.body);
    let started = Instant::now();
    let copy = loop {
        if let Some(copies) = receiver.acknowledged().get(again).filter(|c| c.len() == 2) {
            break copies[1].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the redelivery never came");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(signed_by(&copy, &new_secret) && signed_by(&copy, &secret), "{:?}", copy.headers);

    // A ticket scanned at the door: its first admission is news, a second scan is not.
    let booked =
        p.api.call("GET", &format!("/reservations/{}", bookings[1]), Some(&buyers[1].access_token), None).await;
    let code = booked.body["tickets"][0]["code"].as_str().unwrap().to_owned();
    let scan = p.scan(&organizer.access_token, &event, &code).await;
    assert_eq!(scan.status, 200, "{:?}", scan.body);
    let again = p.scan(&organizer.access_token, &event, &code).await;
    assert_eq!((again.status, again.body["error"]["code"].as_str()), (409, Some("already_admitted")));
    let acknowledged = receiver.wait_for(6).await;
    let checked_in = acknowledged.values().map(|r| r[0].json()).find(|b| b["type"] == "ticket.checked_in").unwrap();
    assert_eq!(checked_in["data"]["reservationId"], bookings[1].as_str(), "{checked_in}");
    assert!(!checked_in.to_string().contains(&code), "the ticket's code stays out of webhooks: {checked_in}");

    // The event cancelled: its news, and the two live bookings cancelled and refunded.
    let cancel = p.api.call("POST", &format!("/events/{event}/cancel"), Some(&organizer.access_token), None).await;
    assert!(matches!(cancel.status, 200 | 202), "{:?}", cancel.body);
    let acknowledged = receiver.wait_for(6 + 5).await;
    let types = types_of(&acknowledged);
    assert!(types.contains(&("event.cancelled".into(), event.clone())), "{types:?}");
    for booking in &bookings[1..] {
        assert!(types.contains(&("reservation.cancelled".into(), booking.clone())), "{types:?}");
        assert!(types.contains(&("reservation.refunded".into(), booking.clone())), "{types:?}");
    }
    assert!(types.contains(&("ticket.checked_in".into(), bookings[1].clone())), "{types:?}");
    assert_eq!(types.len(), 11, "one check-in, however often scanned: {types:?}");

    // The endpoint nobody answers is switched off once it failed for DISABLE_AFTER s.
    let started = Instant::now();
    let switched_off = loop {
        let list = p.api.call("GET", "/organizers/me/webhooks", Some(&organizer.access_token), None).await;
        assert_eq!(list.status, 200, "{:?}", list.body);
        let endpoints = list.body["webhooks"].as_array().unwrap().clone();
        let live = endpoints.iter().find(|e| e["id"] == endpoint.as_str()).unwrap();
        assert_eq!(live["enabled"], true, "the receiver that came back stays on: {live}");
        assert!(live.get("secret").is_none(), "a listing never shows secrets");
        let found = endpoints.iter().find(|e| e["id"] == dead.as_str()).unwrap().clone();
        if found["enabled"] == false {
            break found;
        }
        assert!(started.elapsed() < Duration::from_secs(DISABLE_AFTER * 5), "never switched off: {found}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(switched_off["disabledReason"].as_str().unwrap().contains("failed"), "{switched_off}");
    // Its organizer is emailed once, however many deliveries the switch-off stopped.
    let subject = "Your webhook endpoint was switched off";
    let started = Instant::now();
    let told = loop {
        let told: Vec<Value> =
            p.emails_to(&organizer.email).await.into_iter().filter(|e| e["subject"] == subject).collect();
        if !told.is_empty() {
            tokio::time::sleep(Duration::from_secs(3)).await;
            break p.emails_to(&organizer.email).await.into_iter().filter(|e| e["subject"] == subject).count();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the organizer was never told");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(told, 1, "told once");
    let email = p.emails_to(&organizer.email).await.into_iter().find(|e| e["subject"] == subject).unwrap();
    // The endpoint named (HTML-escaped in the email's body: its host and port read as such).
    assert!(email["body"].as_str().unwrap_or_default().contains(&format!("127.0.0.1:{dead_port}")), "{email}");
    let back = p
        .api
        .call(
            "PATCH",
            &format!("/organizers/me/webhooks/{dead}"),
            Some(&organizer.access_token),
            Some(json!({"enabled": true})),
        )
        .await;
    assert_eq!(back.status, 200, "{:?}", back.body);
    assert_eq!(back.body["enabled"], true);
    assert!(back.body.get("disabledAt").is_none(), "{:?}", back.body);
}

#[tokio::test]
async fn endpoints_are_the_organizers_own_and_never_point_into_private_networks() {
    let p = platform();
    let organizer = p.organizer().await;
    let other = p.organizer().await;
    let attendee = p.attendee().await;
    let body = |url: &str| json!({"url": url, "events": ["reservation.confirmed"]});
    for url in [
        "http://10.0.0.1/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/x",
        "ftp://127.0.0.1/x",
    ] {
        let refused =
            p.api.call("POST", "/organizers/me/webhooks", Some(&organizer.access_token), Some(body(url))).await;
        assert_eq!(refused.status, 422, "{url}: {:?}", refused.body);
        assert_eq!(refused.body["error"]["fields"][0]["field"], "url", "{:?}", refused.body);
    }
    let unknown = json!({"url": "http://127.0.0.1:9/x", "events": ["ticket.sold"]});
    let refused = p.api.call("POST", "/organizers/me/webhooks", Some(&organizer.access_token), Some(unknown)).await;
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    let by_attendee = p
        .api
        .call("POST", "/organizers/me/webhooks", Some(&attendee.access_token), Some(body("http://127.0.0.1:9/x")))
        .await;
    assert_eq!(by_attendee.status, 403, "{:?}", by_attendee.body);

    let (endpoint, _) = create_endpoint(p, &organizer, "http://127.0.0.1:9/x", json!(["reservation.confirmed"])).await;
    for (method, path) in [
        ("GET", format!("/organizers/me/webhooks/{endpoint}/deliveries")),
        ("POST", format!("/organizers/me/webhooks/{endpoint}/secret")),
        ("DELETE", format!("/organizers/me/webhooks/{endpoint}")),
        (
            "POST",
            format!("/organizers/me/webhooks/{endpoint}/deliveries/msg_0190f7a1b2c37d4e8f9a0b1c2d3e4f50/redeliver"),
        ),
    ] {
        let answer = p.api.call(method, &path, Some(&other.access_token), None).await;
        assert_eq!(answer.status, 404, "{method} {path} by another organizer: {:?}", answer.body);
    }
    let theirs = p.api.call("GET", "/organizers/me/webhooks", Some(&other.access_token), None).await;
    assert_eq!(theirs.body["webhooks"], json!([]));
    let bad_cursor = p
        .api
        .call(
            "GET",
            &format!("/organizers/me/webhooks/{endpoint}/deliveries?cursor=zzz"),
            Some(&organizer.access_token),
            None,
        )
        .await;
    assert_eq!(bad_cursor.status, 400, "{:?}", bad_cursor.body);
    let gone =
        p.api.call("DELETE", &format!("/organizers/me/webhooks/{endpoint}"), Some(&organizer.access_token), None).await;
    assert_eq!(gone.status, 204);
    let again =
        p.api.call("DELETE", &format!("/organizers/me/webhooks/{endpoint}"), Some(&organizer.access_token), None).await;
    assert_eq!(again.status, 404);
}
