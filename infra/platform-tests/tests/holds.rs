//! Holds that run out: with the payment provider unreachable (payments are retried,
//! never completed) and holds of 5 seconds, the sweeper releases each expired hold
//! exactly once, however many sweeps overlap, and tells the buyer.

use platform_tests::Platform;
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::Duration;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

/// Tests whose holds expire take turns: a sweep releases every expired hold, so
/// one test's sweeps would count another's holds.
static EXPIRING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn platform() -> &'static Platform {
    // Port 9 (discard) refuses connections here: Stripe is "down" for this platform.
    PLATFORM.get_or_init(|| {
        Platform::start_with(&["--param", "HoldSeconds=5", "--param", "StripeApiBase=http://127.0.0.1:9"])
    })
}

/// The tier's seats left, summed from its shards (the seat-inventory items).
async fn remaining(p: &Platform, event: &str, tier: &str) -> i64 {
    p.runner.tier_seats(event, tier).await.available
}

#[tokio::test]
async fn expired_holds_are_released_once_by_overlapping_sweeps() {
    let _turn = EXPIRING.lock().await;
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let mut ids = Vec::new();
    for quantity in [1, 2, 3] {
        let body = json!({"eventId": event, "tierId": tier, "quantity": quantity, "paymentMethod": "pm_card_visa"});
        let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
        assert_eq!(made.status, 201, "{:?}", made.body);
        ids.push(made.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(remaining(p, &event, &tier).await, 4);
    // Before expiry a sweep releases nothing of ours.
    let early = p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None).await;
    assert_eq!(early.status, 200, "{:?}", early.body);
    assert_eq!(remaining(p, &event, &tier).await, 4);

    tokio::time::sleep(Duration::from_secs(6)).await;
    // Four sweeps at once.
    let sweeps = futures::future::join_all(
        (0..4).map(|_| p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None)),
    )
    .await;
    let released: u64 = sweeps.iter().map(|s| s.body["released"].as_u64().unwrap_or(0)).sum();
    assert!(sweeps.iter().all(|s| s.status == 200), "{:?}", sweeps.iter().map(|s| &s.body).collect::<Vec<_>>());
    assert_eq!(
        released,
        3,
        "three holds, each released by exactly one sweep: {:?}",
        sweeps.iter().map(|s| &s.body).collect::<Vec<&Value>>()
    );
    assert_eq!(remaining(p, &event, &tier).await, 10, "every seat back, once");
    for id in &ids {
        let r = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        assert_eq!(r.body["status"], "expired", "{:?}", r.body);
    }
    let emails = p.wait_for_emails(&buyer.email, 3).await;
    assert_eq!(emails.len(), 3, "one notice per released hold");
    assert!(emails.iter().all(|e| e["subject"].as_str().unwrap().contains("were released")));
    // A later sweep finds nothing more to do.
    let again = p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None).await;
    assert_eq!(again.body["released"], 0);
    assert_eq!(remaining(p, &event, &tier).await, 10);
}

#[tokio::test]
async fn a_poison_message_does_not_hold_up_its_batch() {
    let p = platform();
    let sqs = aws_sdk_sqs::Client::new(&p.runner.sdk_config().await);
    let queue = format!("{}/123456789012/local-NotificationsQueue", p.runner.moto);
    let buyer = p.attendee().await;
    let good = json!({"type": "notification.requested.v1", "kind": "hold_expired", "reservationId": uuid::Uuid::new_v4().to_string(),
        "userId": buyer.user_id, "booking": {"eventId": "e", "eventTitle": "Batch test", "tierName": "Standard", "quantity": 1,
        "amountMinor": 2500, "currency": "EUR"}});
    let entries = [
        ("poison", "{\"type\": \"notification.requested.v9\"}".to_owned()),
        ("garbage", "not json at all".to_owned()),
        ("good", good.to_string()),
    ];
    let mut batch = sqs.send_message_batch().queue_url(&queue);
    for (id, body) in entries {
        batch = batch.entries(
            aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder().id(id).message_body(body).build().unwrap(),
        );
    }
    batch.send().await.unwrap();
    let emails = p.wait_for_emails(&buyer.email, 1).await;
    assert!(emails[0]["subject"].as_str().unwrap().contains("Batch test"));
    assert!(
        p.runner.wait_for_output("poison message", Duration::from_secs(10)),
        "the bad messages are reported failed (to reach the DLQ after maxReceiveCount)"
    );
}

#[tokio::test]
async fn cancelling_an_event_releases_unpaid_holds_and_tells_their_buyers() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let body = json!({"eventId": event, "tierId": tier, "quantity": 2, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    assert_eq!(remaining(p, &event, &tier).await, 8);
    let cancelled = p.api.call("POST", &format!("/events/{event}/cancel"), Some(&organizer.access_token), None).await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    let r = p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "cancelled").await;
    assert_eq!(r["refundRequested"], Value::Null, "nothing was charged, nothing to refund");
    assert_eq!(remaining(p, &event, &tier).await, 10);
    let emails = p.wait_for_emails(&buyer.email, 1).await;
    assert!(emails[0]["subject"].as_str().unwrap().ends_with("is cancelled"), "{emails:?}");
}

#[tokio::test]
async fn an_expired_hold_gives_its_promo_code_use_back() {
    let _turn = EXPIRING.lock().await;
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let code = json!({"code": "LASTONE", "percentOff": 50, "maxUses": 1});
    let made =
        p.api.call("POST", &format!("/events/{event}/promo-codes"), Some(&organizer.access_token), Some(code)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let (first, second) = (p.attendee().await, p.attendee().await);
    let body = json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": "pm_card_visa", "promoCode": "lastone"});
    let held = p.api.call("POST", "/reservations", Some(&first.access_token), Some(body.clone())).await;
    assert_eq!((held.status, held.body["amountMinor"].clone()), (201, json!(1250)), "{:?}", held.body);
    let refused = p.api.call("POST", "/reservations", Some(&second.access_token), Some(body.clone())).await;
    assert_eq!(refused.body["error"]["code"], "promo_code_used_up", "{:?}", refused.body);

    // The unpaid hold runs out (Stripe is down here); once swept, its use is free again.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let swept = p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None).await;
    assert_eq!(swept.status, 200, "{:?}", swept.body);
    let id = held.body["id"].as_str().unwrap();
    p.poll_until(&format!("/reservations/{id}"), &first.access_token, |r| r["status"] == "expired").await;
    let again = p.api.call("POST", "/reservations", Some(&second.access_token), Some(body)).await;
    assert_eq!((again.status, again.body["promo"]["discountMinor"].clone()), (201, json!(1250)), "{:?}", again.body);
    // Leave no hold behind for the next test's sweeps to count.
    let id = again.body["id"].as_str().unwrap();
    let cancelled = p.api.call("DELETE", &format!("/reservations/{id}"), Some(&second.access_token), None).await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
}
