//! Booking through the API: seats held atomically, never oversold, idempotent
//! retries, cancellation, and bad input. Against DynamoDB Local, with as many
//! function instances as a sell-out would bring.

use aws_sdk_dynamodb::types::AttributeValue;
use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(|| Platform::start_with(&["--max-instances", "16"]))
}

async fn tier_counter(p: &Platform, event: &str, tier: &str) -> (i64, i64) {
    let seats = p.runner.tier_seats(event, tier).await;
    assert!(seats.shards.iter().all(|&n| n >= 0), "no shard below zero: {seats:?}");
    (seats.available, seats.capacity)
}

/// Every reservation of the event, read from the table: (status, quantity).
async fn reservations_of(p: &Platform, event: &str) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = p
            .runner
            .dynamodb()
            .await
            .scan()
            .table_name("local-ReservationsTable")
            // Reservation items only (the table also keeps the event's sales figures).
            .filter_expression("eventId = :e AND sk = :reservation")
            .expression_attribute_values(":e", AttributeValue::S(event.to_owned()))
            .expression_attribute_values(":reservation", AttributeValue::S("RESERVATION".into()))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in page.items() {
            out.push((item["status"].as_s().unwrap().clone(), item["quantity"].as_n().unwrap().parse().unwrap()));
        }
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            return out;
        }
    }
}

fn order(event: &str, tier: &str, quantity: u32) -> Value {
    json!({"eventId": event, "tierId": tier, "quantity": quantity, "paymentMethod": "pm_card_visa"})
}

async fn buyers(p: &Platform, n: usize) -> Vec<Session> {
    futures::future::join_all((0..n).map(|_| p.attendee())).await
}

#[tokio::test]
async fn two_hundred_buyers_for_fifty_seats_hold_exactly_fifty() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 50).await;
    // Sign-ins are slow by design (Argon2): 20 accounts share the 200 attempts.
    let people = buyers(p, 20).await;
    let attempts = (0..200).map(|i| {
        let token = people[i % people.len()].access_token.clone();
        let body = order(&event, &tier, 1);
        async move { p.api.call("POST", "/reservations", Some(&token), Some(body)).await }
    });
    let answers = futures::future::join_all(attempts).await;
    let held = answers.iter().filter(|a| a.status == 201).count();
    let sold_out = answers.iter().filter(|a| a.status == 409 && a.body["error"]["code"] == "sold_out").count();
    let others: Vec<_> =
        answers.iter().filter(|a| a.status != 201 && a.status != 409).map(|a| (a.status, a.body.clone())).collect();
    assert!(others.is_empty(), "only 201 or 409 sold_out: {others:?}");
    assert_eq!(held, 50, "exactly the seats there were");
    assert_eq!(sold_out, 150);

    // Read back: the counter at zero, never below, and sold + held + available = capacity.
    let (available, capacity) = tier_counter(p, &event, &tier).await;
    assert_eq!(available, 0);
    let reservations = reservations_of(p, &event).await;
    let holding: i64 =
        reservations.iter().filter(|(s, _)| s == "pending_payment" || s == "confirmed").map(|(_, q)| q).sum();
    assert_eq!(holding + available, capacity, "{reservations:?}");
    assert_eq!(reservations.len(), 50, "no reservation item for a refused buyer");
    // The public figure, summed from the shards as their changes stream in, follows.
    p.poll_until(&format!("/events/{event}"), &organizer.access_token, |event| event["tiers"][0]["remaining"] == 0)
        .await;
}

#[tokio::test]
async fn a_hold_is_priced_visible_to_its_holder_and_organizer_and_listed() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(order(&event, &tier, 2))).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.body["status"], "pending_payment");
    assert_eq!(made.body["amountMinor"], 5000);
    assert_eq!(made.body["currency"], "EUR");
    assert!(made.body["holdExpiresAt"].is_string());
    let id = made.body["id"].as_str().unwrap();
    assert_eq!(made.headers["location"], format!("/reservations/{id}").as_str());
    assert_eq!(tier_counter(p, &event, &tier).await.0, 8);

    for viewer in [&buyer, &organizer] {
        let seen = p.api.call("GET", &format!("/reservations/{id}"), Some(&viewer.access_token), None).await;
        assert_eq!(seen.status, 200, "{:?}", seen.body);
        assert_eq!(seen.body["quantity"], 2);
    }
    let stranger = p.attendee().await;
    assert_eq!(p.api.call("GET", &format!("/reservations/{id}"), Some(&stranger.access_token), None).await.status, 404);
    let admin = p.admin().await;
    assert_eq!(p.api.call("GET", &format!("/reservations/{id}"), Some(&admin.access_token), None).await.status, 200);

    let mine = p.api.call("GET", "/reservations", Some(&buyer.access_token), None).await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.body["items"][0]["id"], id);
    let theirs = p.api.call("GET", "/reservations", Some(&stranger.access_token), None).await;
    assert_eq!(theirs.body["items"], json!([]));
}

#[tokio::test]
async fn cancelling_a_pending_hold_returns_its_seats_once() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(order(&event, &tier, 3))).await;
    let id = made.body["id"].as_str().unwrap().to_owned();
    assert_eq!(tier_counter(p, &event, &tier).await.0, 7);
    // Five cancellations at once: one wins, the seats come back once.
    let path = format!("/reservations/{id}");
    let answers =
        futures::future::join_all((0..5).map(|_| p.api.call("DELETE", &path, Some(&buyer.access_token), None))).await;
    let ok = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(ok, 1, "{:?}", answers.iter().map(|a| (a.status, a.body.clone())).collect::<Vec<_>>());
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 409));
    assert_eq!(tier_counter(p, &event, &tier).await.0, 10, "3 seats back, once");
    let after = p.api.call("GET", &path, Some(&buyer.access_token), None).await;
    assert_eq!(after.body["status"], "cancelled");
    // Someone else's reservation cannot be cancelled (and does not exist for them).
    let other = p.attendee().await;
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(order(&event, &tier, 1))).await;
    let path = format!("/reservations/{}", made.body["id"].as_str().unwrap());
    assert_eq!(p.api.call("DELETE", &path, Some(&other.access_token), None).await.status, 404);
}

#[tokio::test]
async fn an_idempotency_key_replays_refuses_another_body_and_never_holds_twice() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 20).await;
    let buyer = p.attendee().await;
    let key = uuid::Uuid::new_v4().to_string();
    let headers = [("idempotency-key", key.as_str())];
    // The same request ten times at once (a double click on a slow network, times five).
    let attempts = (0..10).map(|_| {
        p.api.call_with_headers(
            "POST",
            "/reservations",
            Some(&buyer.access_token),
            &headers,
            Some(order(&event, &tier, 2)),
        )
    });
    let answers = futures::future::join_all(attempts).await;
    let ids: std::collections::BTreeSet<&str> =
        answers.iter().filter(|a| a.status == 201).map(|a| a.body["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "one reservation whatever the retries: {ids:?}");
    for a in &answers {
        assert!(
            a.status == 201 || (a.status == 409 && a.body["error"]["code"] == "request_in_progress"),
            "{} {:?}",
            a.status,
            a.body
        );
    }
    assert_eq!(tier_counter(p, &event, &tier).await.0, 18, "two seats held, once");

    // Later: the same key and body replay the first answer.
    let replay = p
        .api
        .call_with_headers("POST", "/reservations", Some(&buyer.access_token), &headers, Some(order(&event, &tier, 2)))
        .await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.body["id"], *ids.iter().next().unwrap());
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    // The same key with another body is a client mistake.
    let other = p
        .api
        .call_with_headers("POST", "/reservations", Some(&buyer.access_token), &headers, Some(order(&event, &tier, 1)))
        .await;
    assert_eq!(other.status, 422, "{:?}", other.body);
    assert_eq!(other.body["error"]["code"], "idempotency_key_reused");
    // Another user's identical key is theirs alone.
    let someone = p.attendee().await;
    let theirs = p
        .api
        .call_with_headers(
            "POST",
            "/reservations",
            Some(&someone.access_token),
            &headers,
            Some(order(&event, &tier, 2)),
        )
        .await;
    assert_eq!(theirs.status, 201);
    assert_ne!(theirs.body["id"], replay.body["id"]);
    assert_eq!(tier_counter(p, &event, &tier).await.0, 16);
}

#[tokio::test]
async fn bad_input_to_create_reservation_is_a_clear_4xx() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let token = Some(buyer.access_token.as_str());
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({}), 422, "validation_failed"),
        (
            json!({"eventId": event, "tierId": tier, "quantity": "2", "paymentMethod": "pm_card_visa"}),
            422,
            "validation_failed",
        ),
        (
            json!({"eventId": event, "tierId": tier, "quantity": 5, "paymentMethod": "pm_card_visa"}),
            422,
            "validation_failed",
        ),
        (
            json!({"eventId": event, "tierId": tier, "quantity": 0, "paymentMethod": "pm_card_visa"}),
            422,
            "validation_failed",
        ),
        (
            json!({"eventId": event, "tierId": tier, "quantity": -1, "paymentMethod": "pm_card_visa"}),
            422,
            "validation_failed",
        ),
        (
            json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": "<script>"}),
            422,
            "validation_failed",
        ),
        (json!({"eventId": event, "tierId": "nope", "quantity": 1, "paymentMethod": "pm_card_visa"}), 404, "not_found"),
        (
            json!({"eventId": "x".repeat(300), "tierId": tier, "quantity": 1, "paymentMethod": "pm_card_visa"}),
            422,
            "validation_failed",
        ),
        (
            json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": "pm_card_visa", "price": 1}),
            422,
            "validation_failed",
        ),
    ];
    for (body, status, code) in cases {
        let answer = p.api.call("POST", "/reservations", token, Some(body.clone())).await;
        assert_eq!(answer.status, status, "{body}: {:?}", answer.body);
        assert_eq!(answer.body["error"]["code"], code, "{body}");
    }
    assert_eq!(p.api.call_raw("POST", "/reservations", token, b"{\"eventId\":".to_vec()).await.status, 400);
    // A key twice: refused, whichever of the two a reader would keep.
    let twice = format!(
        r#"{{"eventId":"{event}","tierId":"{tier}","quantity":1,"quantity":5,"paymentMethod":"pm_card_visa"}}"#
    );
    let answer = p.api.call_raw("POST", "/reservations", token, twice.into_bytes()).await;
    assert_eq!(
        (answer.status, answer.body["error"]["code"].as_str()),
        (400, Some("duplicate_key")),
        "{:?}",
        answer.body
    );
    let long_key = "k".repeat(300);
    let answer = p
        .api
        .call_with_headers(
            "POST",
            "/reservations",
            token,
            &[("idempotency-key", &long_key)],
            Some(order(&event, &tier, 1)),
        )
        .await;
    assert_eq!(answer.status, 400);
    // A draft is, to a buyer, no such event: a 409 would tell a stranger it exists.
    let draft = p
        .api
        .call(
            "POST",
            "/events",
            Some(&organizer.access_token),
            Some(json!({"title": "Draft", "category": "match", "timezone": "UTC", "currency": "EUR",
            "tiers": [{"name": "A", "priceMinor": 100, "capacity": 5, "maxPerOrder": 2}]})),
        )
        .await;
    let body = order(draft.body["id"].as_str().unwrap(), draft.body["tiers"][0]["id"].as_str().unwrap(), 1);
    let answer = p.api.call("POST", "/reservations", token, Some(body)).await;
    assert_eq!((answer.status, answer.body["error"]["code"].as_str()), (404, Some("not_found")));
    assert_eq!(tier_counter(p, &event, &tier).await.0, 10, "no refused order took a seat");
}

#[tokio::test]
async fn bad_input_to_the_other_reservation_routes_is_a_clear_4xx() {
    let p = platform();
    let buyer = p.attendee().await;
    let token = Some(buyer.access_token.as_str());
    let long_id = "r".repeat(3000);
    assert_eq!(p.api.call("GET", &format!("/reservations/{long_id}"), token, None).await.status, 404);
    assert_eq!(p.api.call("GET", "/reservations/unknown", token, None).await.status, 404);
    assert_eq!(p.api.call("DELETE", "/reservations/unknown", token, None).await.status, 404);
    for query in ["limit=0", "limit=x", "colour=red"] {
        assert_eq!(p.api.call("GET", &format!("/reservations?{query}"), token, None).await.status, 422, "{query}");
    }
    assert_eq!(p.api.call("GET", "/reservations?cursor=forged", token, None).await.status, 400);
}

#[tokio::test]
async fn a_retry_after_an_attempt_died_midway_resumes_its_hold_instead_of_holding_twice() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let key = uuid::Uuid::new_v4().to_string();
    let headers = [("idempotency-key", key.as_str())];
    let first = p
        .api
        .call_with_headers("POST", "/reservations", Some(&buyer.access_token), &headers, Some(order(&event, &tier, 3)))
        .await;
    assert_eq!(first.status, 201);
    // The worker "died" after holding the seats: its idempotency claim never
    // completed and has lapsed (here: the record is gone).
    p.lose_reservation_answer(&buyer.user_id, &key).await;
    let retry = p
        .api
        .call_with_headers("POST", "/reservations", Some(&buyer.access_token), &headers, Some(order(&event, &tier, 3)))
        .await;
    assert_eq!(retry.status, 201, "{:?}", retry.body);
    assert_eq!(retry.body["id"], first.body["id"], "the same reservation, resumed");
    assert_eq!(tier_counter(p, &event, &tier).await.0, 7, "three seats held, once");
    assert_eq!(reservations_of(p, &event).await.len(), 1);
}
