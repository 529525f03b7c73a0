//! The booking chain end to end: hold → payment (localstripe) → confirmation →
//! email (moto's SES), as a buyer sees it through the API and their inbox; and the
//! promises under duplicates: charged once, emailed once.

use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::Duration;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    // A message that fails once (DynamoDB Local or moto slow under load) comes back
    // after the queue's visibility timeout: 30 s here, so that one retry fits within
    // the tests' 60 s waits (in AWS it is 180 s).
    PLATFORM.get_or_init(|| Platform::start_with(&["--max-instances", "8", "--param", "ChainVisibilitySeconds=30"]))
}

fn order(event: &str, tier: &str, quantity: u32, card: &str) -> Value {
    json!({"eventId": event, "tierId": tier, "quantity": quantity, "paymentMethod": card})
}

/// The public seat figure once it shows `expected` (it is summed from the shards
/// as their changes stream in); what it last showed if it never does within 30 s.
async fn available_becomes(p: &Platform, event: &str, expected: i64) -> i64 {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let shown = p.api.call("GET", &format!("/events/{event}"), None, None).await.body["tiers"][0]["remaining"]
            .as_i64()
            .unwrap();
        if shown == expected || std::time::Instant::now() > deadline {
            return shown;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn book(p: &Platform, buyer: &Session, event: &str, tier: &str, quantity: u32, card: &str) -> String {
    let made =
        p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(order(event, tier, quantity, card))).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    made.body["id"].as_str().unwrap().to_owned()
}

/// A new buyer's reservation of `quantity` seats of a new event (10 seats) on sale,
/// paid with `card`: (event id, buyer, reservation id).
async fn booked(p: &Platform, quantity: u32, card: &str) -> (String, Session, String) {
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let id = book(p, &buyer, &event, &tier, quantity, card).await;
    (event, buyer, id)
}

#[tokio::test]
async fn a_booking_is_charged_confirmed_with_tickets_and_emailed_once() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let id = book(p, &buyer, &event, &tier, 2, "pm_card_visa").await;
    let path = format!("/reservations/{id}");
    let confirmed = p.poll_until(&path, &buyer.access_token, |r| r["status"] != "pending_payment").await;
    assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
    let codes: Vec<&str> =
        confirmed["tickets"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 2, "one ticket per seat");
    assert!(codes.iter().all(|c| c.len() == 22) && codes[0] != codes[1]);
    assert_eq!(available_becomes(p, &event, 8).await, 8, "the seats stay sold");

    let emails = p.wait_for_emails(&buyer.email, 1).await;
    assert_eq!(emails.len(), 1);
    let email = &emails[0];
    assert!(email["subject"].as_str().unwrap().starts_with("Your tickets for On sale"), "{email}");
    let body = email["body"].as_str().unwrap();
    for code in &codes {
        assert!(body.contains(code), "the email carries ticket code {code}");
    }
    assert!(body.contains("50.00 EUR") && body.contains("Standard") && body.contains("2 ×"), "{body}");
    assert!(body.contains("+02:00"), "the start in the event's own time zone: {body}");
    assert_eq!(p.charges_of(&id).await.len(), 1, "charged once");

    // The organizer's participant list has the holder.
    let participants =
        p.api.call("GET", &format!("/events/{event}/participants"), Some(&organizer.access_token), None).await;
    assert_eq!(participants.body["items"][0]["reservationId"], id.as_str());
    assert_eq!(participants.body["items"][0]["holderName"], "Test Person");
}

#[tokio::test]
async fn business_metrics_are_logged_in_embedded_metric_format() {
    let p = platform();
    let (_, buyer, id) = booked(p, 1, "pm_card_visa").await;
    p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    p.wait_for_emails(&buyer.email, 1).await;
    let output = p.runner.output();
    for (function, metric) in [
        ("CreateReservationFunction", "HoldsMade"),
        ("ProcessPaymentsFunction", "PaymentsSucceeded"),
        ("SendNotificationsFunction", "EmailsSent"),
    ] {
        let line = output
            .lines()
            .filter_map(|line| line.strip_prefix(&format!("[{function}] ")))
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|doc| doc.get(metric).is_some());
        let doc = line.unwrap_or_else(|| panic!("{function} logged no {metric} metric"));
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Metrics"][0]["Name"], metric, "{doc}");
        assert!(directive["Namespace"].as_str().unwrap().starts_with("Ticketing/"), "{doc}");
        assert!(doc["_aws"]["Timestamp"].as_i64().is_some() && doc["Service"].is_string(), "{doc}");
    }
}

/// Each invocation's last line tells our own time from the time spent waiting on
/// DynamoDB, SQS, SES and Stripe (what `make bench`'s cost table reads).
#[tokio::test]
async fn every_invocation_ends_with_its_time_split_into_own_and_waiting() {
    let p = platform();
    let (_, buyer, id) = booked(p, 1, "pm_card_visa").await;
    p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    let output = p.runner.output();
    for function in ["CreateReservationFunction", "ProcessPaymentsFunction", "AuthorizerFunction"] {
        let lines: Vec<Value> = output
            .lines()
            .filter_map(|line| line.strip_prefix(&format!("[{function}] ")))
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|doc| doc["message"] == "invocation done")
            .collect();
        assert!(!lines.is_empty(), "{function} logged no invocation done line");
        for doc in &lines {
            let (duration, awaited, own) = (
                doc["durationMs"].as_f64().unwrap(),
                doc["awaitedMs"].as_f64().unwrap(),
                doc["ownMs"].as_f64().unwrap(),
            );
            assert!(awaited > 0.0, "{function} waits on DynamoDB every time: {doc}");
            assert!(awaited <= duration && (duration - awaited - own).abs() < 0.02, "{doc}");
            assert!(doc["requestId"].is_string() && doc["function"].as_str().unwrap().ends_with(function), "{doc}");
        }
    }
}

/// An operator's redrive (`make redrive QUEUE=NotificationsDLQ`) puts a dead letter
/// back before its consumer, which then does its work.
#[tokio::test]
async fn a_dead_letter_redriven_is_processed() {
    let p = platform();
    let buyer = p.attendee().await;
    let sqs = aws_sdk_sqs::Client::new(&p.runner.sdk_config().await);
    let dlq = sqs.get_queue_url().queue_name("local-NotificationsDLQ").send().await.unwrap().queue_url.unwrap();
    let message = json!({"type": "notification.requested.v1", "kind": "reservation_confirmed",
        "reservationId": format!("redriven-{}", uuid::Uuid::new_v4().simple()), "userId": buyer.user_id,
        "booking": {"eventId": "e1", "eventTitle": "Redriven show", "tierName": "Standard", "quantity": 1,
            "amountMinor": 2500, "currency": "EUR", "ticketCodes": ["ABCDEFGHJKLMNPQRSTUVWX"]}});
    sqs.send_message().queue_url(&dlq).message_body(message.to_string()).send().await.unwrap();

    let output = std::process::Command::new(platform_tests::workspace_root().join(".venv/bin/python"))
        .args(["infra/redrive.py", "--local", &p.api.base, "NotificationsDLQ"])
        .current_dir(platform_tests::workspace_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("moved 1 message"), "{output:?}");
    let emails = p.wait_for_emails(&buyer.email, 1).await;
    assert!(emails[0]["subject"].as_str().unwrap().contains("Redriven show"), "{:?}", emails[0]);
    let left = sqs
        .get_queue_attributes()
        .queue_url(&dlq)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap();
    assert_eq!(left.attributes.unwrap()[&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages], "0");
}

#[tokio::test]
async fn a_declined_card_fails_the_reservation_and_gives_the_seats_back() {
    let p = platform();
    let (event, buyer, id) = booked(p, 3, "pm_card_chargeCustomerFail").await;
    let failed =
        p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] != "pending_payment").await;
    assert_eq!(failed["status"], "payment_failed", "{failed}");
    assert_eq!(failed["tickets"], json!([]));
    assert_eq!(available_becomes(p, &event, 10).await, 10, "all 3 seats back");
    let emails = p.wait_for_emails(&buyer.email, 1).await;
    assert!(emails[0]["subject"].as_str().unwrap().starts_with("Payment failed"), "{:?}", emails[0]);
}

#[tokio::test]
async fn a_payment_method_the_provider_refuses_fails_at_once_instead_of_holding_seats() {
    let p = platform();
    let (event, buyer, id) = booked(p, 2, "pm_card_nonexistent").await;
    let failed =
        p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] != "pending_payment").await;
    assert_eq!(failed["status"], "payment_failed", "{failed}");
    assert_eq!(available_becomes(p, &event, 10).await, 10);
}

#[tokio::test]
async fn duplicate_messages_charge_once_and_email_once() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let id = book(p, &buyer, &event, &tier, 1, "pm_card_visa").await;
    let path = format!("/reservations/{id}");
    let confirmed = p.poll_until(&path, &buyer.access_token, |r| r["status"] == "confirmed").await;
    p.wait_for_emails(&buyer.email, 1).await;

    // At-least-once delivery, made worse: the same charge message three more times,
    // and the same notification three more times, at once.
    let sqs = aws_sdk_sqs::Client::new(&p.runner.sdk_config().await);
    let queue = |name: &str| format!("{}/123456789012/local-{name}", p.runner.moto);
    let charge = json!({"type": "payment.requested.v1", "reservationId": id, "userId": buyer.user_id, "eventId": event,
        "amountMinor": 2500, "currency": "EUR", "paymentMethod": "pm_card_visa", "holdExpiresAt": "2099-01-01T00:00:00.000Z"});
    let notice = json!({"type": "notification.requested.v1", "kind": "reservation_confirmed", "reservationId": id,
        "userId": buyer.user_id, "booking": {"eventId": event, "eventTitle": "x", "tierName": "Standard", "quantity": 1,
        "amountMinor": 2500, "currency": "EUR"}});
    for _ in 0..3 {
        for (queue_name, body) in [("PaymentRequestsQueue", &charge), ("NotificationsQueue", &notice)] {
            sqs.send_message().queue_url(queue(queue_name)).message_body(body.to_string()).send().await.unwrap();
        }
    }
    // Let the consumers work through them (each duplicate also re-queues a notice).
    tokio::time::sleep(Duration::from_secs(6)).await;
    let after = p.api.call("GET", &path, Some(&buyer.access_token), None).await.body;
    assert_eq!(after["tickets"], confirmed["tickets"], "the tickets never change");
    assert_eq!(p.charges_of(&id).await.len(), 1, "charged once");
    assert_eq!(p.emails_to(&buyer.email).await.len(), 1, "emailed once");
    assert_eq!(available_becomes(p, &event, 9).await, 9);
}

#[tokio::test]
async fn cancelling_a_confirmed_booking_refunds_it_and_returns_the_seats() {
    let p = platform();
    let (event, buyer, id) = booked(p, 2, "pm_card_visa").await;
    let path = format!("/reservations/{id}");
    p.poll_until(&path, &buyer.access_token, |r| r["status"] == "confirmed").await;
    assert_eq!(available_becomes(p, &event, 8).await, 8);
    let cancelled = p.api.call("DELETE", &path, Some(&buyer.access_token), None).await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(available_becomes(p, &event, 10).await, 10, "seats back at once");
    let emails = p.wait_for_emails(&buyer.email, 2).await;
    assert!(emails.iter().any(|e| e["subject"].as_str().unwrap().contains("is cancelled")), "{emails:?}");
    let charges = p.charges_of(&id).await;
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0]["amount_refunded"], 5000, "refunded in full: {}", charges[0]);
    // A second cancellation changes nothing.
    assert_eq!(p.api.call("DELETE", &path, Some(&buyer.access_token), None).await.status, 200);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(available_becomes(p, &event, 10).await, 10, "seats returned once");
    assert_eq!(p.charges_of(&id).await[0]["amount_refunded"], 5000, "refunded once");
}

#[tokio::test]
async fn cancelling_an_event_refunds_and_tells_all_thirty_holders() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 40).await;
    let holders = p.attendees(30).await;
    let bookings =
        futures::future::join_all(holders.iter().map(|h| book(p, h, &event, &tier, 1, "pm_card_visa"))).await;
    for (holder, id) in holders.iter().zip(&bookings) {
        p.poll_until(&format!("/reservations/{id}"), &holder.access_token, |r| r["status"] == "confirmed").await;
    }
    assert_eq!(available_becomes(p, &event, 10).await, 10);

    let cancelled = p.api.call("POST", &format!("/events/{event}/cancel"), Some(&organizer.access_token), None).await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    for (holder, id) in holders.iter().zip(&bookings) {
        let r =
            p.poll_until(&format!("/reservations/{id}"), &holder.access_token, |r| r["status"] == "cancelled").await;
        assert_eq!(r["refundRequested"], true);
    }
    assert_eq!(available_becomes(p, &event, 40).await, 40, "every seat back, once");
    for (holder, id) in holders.iter().zip(&bookings) {
        let emails = p.wait_for_emails(&holder.email, 2).await;
        assert_eq!(emails.len(), 2, "a confirmation, then one cancellation notice");
        assert!(emails.iter().any(|e| e["subject"].as_str().unwrap().ends_with("is cancelled")), "{emails:?}");
        let charges = p.charges_of(id).await;
        assert_eq!(charges[0]["amount_refunded"], 2500, "refunded in full, once");
    }
    // Asking again restarts the fan-out (409: already cancelled) and changes nothing.
    let again = p.api.call("POST", &format!("/events/{event}/cancel"), Some(&organizer.access_token), None).await;
    assert_eq!(again.status, 409);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(available_becomes(p, &event, 40).await, 40);
    assert_eq!(p.emails_to(&holders[0].email).await.len(), 2, "nobody is told twice");
    assert_eq!(p.charges_of(&bookings[0]).await[0]["amount_refunded"], 2500);
}
