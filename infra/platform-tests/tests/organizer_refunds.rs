//! Refunds the organizer gives (`POST /reservations/{id}/refunds`): a part goes back
//! to the card and the tickets still open the door; the same Idempotency-Key sent
//! again is the same refund; never more than was paid; a full refund cancels the
//! booking, gives the seats back and refunds only what is left; strangers are refused.

use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(Platform::start)
}

/// A confirmed booking of two 25.00 EUR tickets: (reservation, its ticket codes).
async fn paid_booking(p: &Platform, buyer: &Session, event: &str, tier: &str) -> (String, Vec<String>) {
    let body = json!({"eventId": event, "tierId": tier, "quantity": 2, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let confirmed =
        p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    let codes =
        confirmed["tickets"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap().to_owned()).collect();
    (id, codes)
}

async fn refund(p: &Platform, who: &Session, id: &str, key: &str, body: Value) -> platform_tests::Answer {
    p.api
        .call_with_headers(
            "POST",
            &format!("/reservations/{id}/refunds"),
            Some(&who.access_token),
            &[("idempotency-key", key)],
            Some(body),
        )
        .await
}

/// What the provider refunded of the booking's charge, once it reaches `expected` (a safety net of 60 s).
async fn refunded_at_stripe(p: &Platform, id: &str, expected: i64) -> i64 {
    let started = Instant::now();
    loop {
        let charges = p.charges_of(id).await;
        let refunded = charges.first().and_then(|c| c["amount_refunded"].as_i64()).unwrap_or(0);
        if refunded >= expected || started.elapsed() > Duration::from_secs(60) {
            // A little longer: a second refund of the same part would show now.
            tokio::time::sleep(Duration::from_secs(2)).await;
            let charges = p.charges_of(id).await;
            return charges.first().and_then(|c| c["amount_refunded"].as_i64()).unwrap_or(0);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Waits until the door's list shows `code` in `state` (its feed follows the commit).
async fn door_knows(p: &Platform, organizer: &Session, event: &str, code: &str, state: &str) {
    let started = Instant::now();
    loop {
        let list =
            p.api.call("GET", &format!("/events/{event}/door/tickets"), Some(&organizer.access_token), None).await;
        assert_eq!(list.status, 200, "{:?}", list.body);
        let tickets = list.body["tickets"].as_array().cloned().unwrap_or_default();
        if tickets.iter().any(|t| t["code"] == code && t["state"] == state) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the door never saw {code} {state}: {tickets:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_partial_refund_goes_back_once_and_the_tickets_still_open_the_door() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let (id, codes) = paid_booking(p, &buyer, &event, &tier).await;

    // Sent three times at once with one key, then once more: one refund.
    let answers =
        futures::future::join_all((0..3).map(|_| {
            refund(p, &organizer, &id, "goodwill-1", json!({"amountMinor": 1500, "reason": "Obstructed view"}))
        }))
        .await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    }
    let again = refund(p, &organizer, &id, "goodwill-1", json!({"amountMinor": 1500})).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!((again.body["status"].as_str(), again.body["refundedMinor"].as_i64()), (Some("confirmed"), Some(1500)));
    assert_eq!(again.body["refunds"].as_array().unwrap().len(), 1, "{:?}", again.body);
    assert_eq!(refunded_at_stripe(p, &id, 1500).await, 1500, "one refund of 15.00 at the provider");

    // Never more than was paid: 35.00 is left.
    let too_much = refund(p, &organizer, &id, "goodwill-2", json!({"amountMinor": 3501})).await;
    assert_eq!((too_much.status, too_much.body["error"]["code"].clone()), (422, json!("refund_too_large")));

    // The holder sees it and is told; the tickets still open the door.
    let seen = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
    assert_eq!(seen.body["refundedMinor"], 1500, "{:?}", seen.body);
    let emails = p.wait_for_emails(&buyer.email, 2).await;
    assert!(emails.iter().any(|e| e["subject"].as_str().unwrap_or_default().contains("refunded for")), "{emails:?}");
    let admitted = p.scan(&organizer.access_token, &event, &codes[0]).await;
    assert_eq!(admitted.status, 200, "{:?}", admitted.body);
}

#[tokio::test]
async fn a_full_refund_after_a_partial_one_gives_back_the_rest_and_the_seats() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let (id, codes) = paid_booking(p, &buyer, &event, &tier).await;
    assert_eq!(p.runner.tier_seats(&event, &tier).await.available, 8);

    let part = refund(p, &organizer, &id, "part", json!({"amountMinor": 1000})).await;
    assert_eq!(part.status, 200, "{:?}", part.body);
    assert_eq!(refunded_at_stripe(p, &id, 1000).await, 1000);
    let full = refund(p, &organizer, &id, "all", json!({"reason": "Seats moved"})).await;
    assert_eq!((full.status, full.body["status"].as_str()), (200, Some("cancelled")), "{:?}", full.body);
    assert_eq!(full.body["tickets"], json!([]), "void tickets are not shown");
    let replay = refund(p, &organizer, &id, "all", json!({"reason": "Seats moved"})).await;
    assert_eq!(replay.status, 200, "asked again: the cancellation as it stands {:?}", replay.body);

    assert_eq!(refunded_at_stripe(p, &id, 5000).await, 5000, "the rest went back, never more than was paid");
    assert_eq!(p.runner.tier_seats(&event, &tier).await.available, 10, "the seats are back");
    door_knows(p, &organizer, &event, &codes[0], "cancelled").await;
    let refused = p.scan(&organizer.access_token, &event, &codes[0]).await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    let emails = p.wait_for_emails(&buyer.email, 3).await;
    assert!(
        emails.iter().any(|e| e["subject"].as_str().unwrap_or_default().contains("refunded by the organizer")),
        "{emails:?}"
    );
}

#[tokio::test]
async fn only_the_events_organizer_refunds_and_only_a_paid_booking() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let (id, _) = paid_booking(p, &buyer, &event, &tier).await;
    let stranger = p.organizer().await;
    for who in [&buyer, &stranger] {
        let answer = refund(p, who, &id, "k", json!({"amountMinor": 100})).await;
        assert_eq!(answer.status, 404, "{:?}", answer.body);
    }
    let bad = refund(p, &organizer, &id, "k", json!({"amountMinor": -5, "extra": true})).await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    // A booking whose payment failed has nothing to refund.
    let (event2, tier2) = p.event_on_sale(&organizer, 10).await;
    let pending = p
        .api
        .call(
            "POST",
            "/reservations",
            Some(&buyer.access_token),
            Some(json!({"eventId": event2, "tierId": tier2, "quantity": 1, "paymentMethod": "pm_card_chargeCustomerFail"})),
        )
        .await;
    let pending_id = pending.body["id"].as_str().unwrap();
    p.poll_until(&format!("/reservations/{pending_id}"), &buyer.access_token, |r| r["status"] == "payment_failed")
        .await;
    let nothing = refund(p, &organizer, pending_id, "k2", json!({})).await;
    assert_eq!((nothing.status, nothing.body["error"]["code"].clone()), (409, json!("not_refundable")));
}

/// A stored item as a stream record's image (`{"S": ...}`, `{"N": ...}`, ...).
fn image(item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>) -> Value {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    fn value(v: &A) -> Value {
        match v {
            A::S(s) => json!({"S": s}),
            A::N(n) => json!({"N": n}),
            A::Bool(b) => json!({"BOOL": b}),
            A::Null(_) => json!({"NULL": true}),
            A::L(list) => json!({"L": list.iter().map(value).collect::<Vec<_>>()}),
            A::M(map) => {
                json!({"M": map.iter().map(|(k, v)| (k.clone(), value(v))).collect::<serde_json::Map<_, _>>()})
            }
            A::Ss(set) => json!({"SS": set}),
            other => panic!("an attribute this test does not expect: {other:?}"),
        }
    }
    Value::Object(item.iter().map(|(k, v)| (k.clone(), value(v))).collect())
}

/// The event's figures summed over its hours: (sold, revenue, refunded, refunded money).
async fn figures(p: &Platform, organizer: &Session, event: &str) -> (i64, i64, i64, i64) {
    let answer =
        p.api.call("GET", &format!("/events/{event}/sales-over-time"), Some(&organizer.access_token), None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let points = answer.body["points"].as_array().cloned().unwrap_or_default();
    let sum = |name: &str| points.iter().map(|p| p[name].as_i64().unwrap_or(0)).sum::<i64>();
    (sum("sold"), sum("revenueMinor"), sum("refunded"), sum("refundedMinor"))
}

#[tokio::test]
async fn the_sales_figures_count_each_sale_and_refund_once_even_when_handed_over_again() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let (first, second) = (p.attendee().await, p.attendee().await);
    let (kept, _) = paid_booking(p, &first, &event, &tier).await;
    let (refunded, _) = paid_booking(p, &second, &event, &tier).await;
    assert_eq!(refund(p, &organizer, &kept, "part", json!({"amountMinor": 1000})).await.status, 200);
    assert_eq!(refund(p, &organizer, &refunded, "all", json!({})).await.status, 200);

    // The stream hands the first sale over twice more (as after a retried batch).
    let item = p.runner.stored_item("local-ReservationsTable", &format!("RESERVATION#{kept}"), "RESERVATION").await;
    let mut after = image(&item.expect("the booking"));
    after["refunds"] = json!({"L": []});
    let mut before = after.clone();
    before["status"] = json!({"S": "pending_payment"});
    let record = json!({"Records": [{"eventID": "replayed", "eventName": "MODIFY", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1", "dynamodb": {"Keys": {"pk": after["pk"], "sk": after["sk"]}, "NewImage": after,
        "OldImage": before, "SequenceNumber": "1", "SizeBytes": 1, "StreamViewType": "NEW_AND_OLD_IMAGES"}}]});
    for _ in 0..2 {
        let replayed =
            p.api.call("POST", "/_local/functions/RecordSalesFunction/invoke", None, Some(record.clone())).await;
        assert_eq!(replayed.status, 200, "{:?}", replayed.body);
    }

    // Four tickets sold for 100.00; two came back with 50.00, and 10.00 of another booking.
    let expected = (4, 10000, 2, 6000);
    let started = Instant::now();
    while figures(p, &organizer, &event).await != expected && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(figures(p, &organizer, &event).await, expected);
    let by_day = p
        .api
        .call("GET", &format!("/events/{event}/sales-over-time?granularity=day"), Some(&organizer.access_token), None)
        .await;
    assert_eq!(by_day.body["granularity"], "day", "{:?}", by_day.body);
    let stranger = p.organizer().await;
    let refused =
        p.api.call("GET", &format!("/events/{event}/sales-over-time"), Some(&stranger.access_token), None).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
}
