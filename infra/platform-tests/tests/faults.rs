//! Nothing lost when a process dies. With the runner killing ~5% of invocations at
//! a random moment and dropping ~5% of the responses of the functions' DynamoDB,
//! SQS, SES and Stripe calls after they took effect, buyers book (a quarter with a
//! declining card) and a third of the confirmed ones cancel, clients retrying as
//! real ones do; an event is cancelled mid-sale while some of its holders cancel
//! their own bookings; twenty DELETEs of one booking arrive at once. Then the faults
//! stop, the chain settles, and the records must agree:
//!
//! - every reservation is in a final state, and sold + remaining = capacity;
//! - the money each reservation left in Stripe is its amount if it is confirmed,
//!   nothing otherwise (nothing charged twice, refunded twice, or kept);
//! - each holder was told each thing once: a confirmation per confirmed booking,
//!   a notice per failure, expiry, cancellation and late refund;
//! - the organizer's webhook endpoint heard of every confirmation, cancellation,
//!   refund and the event's cancellation, each under one `webhook-id` (a copy
//!   again is allowed: webhooks are at-least-once, receivers dedupe on the id).

use futures::StreamExt;
use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

const SWEEPER: &str = "/_local/schedules/local-release-expired-holds";
const DECLINING: &str = "pm_card_chargeCustomerFail";

fn platform() -> Platform {
    Platform::start_with(&[
        "--faults",
        "off",
        "--max-instances",
        "6",
        // A hold that loses its charge to a kill runs out within the test.
        "--param",
        "HoldSeconds=60",
        // A message whose consumer was killed comes back after this (AWS semantics):
        // short, so the chain settles in a minute or two.
        "--param",
        "PaymentRequestsVisibilitySeconds=40",
        "--param",
        "ChainVisibilitySeconds=30",
        "--param",
        "WebhookAllowLoopback=true",
        // A delivery whose attempt timed out on a starved machine is tried again
        // within the test (the default waits 5 min before a third attempt).
        "--param",
        "WebhookRetrySchedule=5,10,20,30,30,30,30,30,30,30",
    ])
}

/// A client as real ones behave: the same request again (same `Idempotency-Key`)
/// on 5xx, 429, a request still in progress, or a broken connection.
async fn call(
    p: &Platform,
    method: &str,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let mut request = client
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{}{path}", p.runner.url))
            .bearer_auth(token);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        if let Some(body) = &body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.json::<Value>().await.unwrap_or(Value::Null);
                Some((status, body))
            }
            Err(_) => None,
        };
        let retry = match &answer {
            None => true,
            Some((status, body)) => *status >= 500 || *status == 429 || body["error"]["code"] == "request_in_progress",
        };
        if !retry {
            return answer.unwrap();
        }
        assert!(started.elapsed() < Duration::from_secs(180), "{method} {path} kept failing: {answer:?}");
        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt.min(10)))).await;
    }
}

async fn status_of(p: &Platform, id: &str, token: &str) -> Value {
    let (status, body) = call(p, "GET", &format!("/reservations/{id}"), token, None, None).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Books `quantity` seats; the reservation's id, or `None` when sold out.
async fn book(p: &Platform, buyer: &Session, event: &str, tier: &str, quantity: u32, card: &str) -> Option<String> {
    let key = uuid::Uuid::new_v4().to_string();
    let order = json!({"eventId": event, "tierId": tier, "quantity": quantity, "paymentMethod": card});
    let (status, body) = call(p, "POST", "/reservations", &buyer.access_token, Some(&key), Some(order)).await;
    match status {
        201 => Some(body["id"].as_str().unwrap().to_owned()),
        409 if matches!(body["error"]["code"].as_str(), Some("sold_out") | Some("sales_closed")) => None,
        _ => panic!("booking answered {status}: {body}"),
    }
}

/// Waits for the booking to settle; if confirmed, cancels it (retrying until the
/// reservation says cancelled).
async fn cancel_once_confirmed(p: &Platform, buyer: &Session, id: &str) {
    let started = Instant::now();
    loop {
        let now = status_of(p, id, &buyer.access_token).await;
        match now["status"].as_str().unwrap() {
            "pending_payment" => {}
            "confirmed" => {
                let (status, body) =
                    call(p, "DELETE", &format!("/reservations/{id}"), &buyer.access_token, None, None).await;
                // 409: it changed meanwhile (or a dropped response made the retry see its own change).
                assert!(status == 200 || status == 409, "{status} {body}");
            }
            _ => return,
        }
        assert!(started.elapsed() < Duration::from_secs(300), "{id} never settled: {now}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn faults(p: &Platform, spec: Value) -> Value {
    let answer = p.api.call("PUT", "/_local/faults", None, Some(spec)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body
}

async fn attendees(p: &Platform, count: usize) -> Vec<Session> {
    futures::stream::iter(0..count).map(|_| p.attendee()).buffer_unordered(8).collect().await
}

/// Every reservation of `event`, as stored (every state: index gsi3).
async fn reservations_of(p: &Platform, event: &str) -> Vec<HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    let client = p.runner.dynamodb().await;
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name("local-ReservationsTable")
            .index_name("gsi3")
            .key_condition_expression("gsi3pk = :pk")
            .expression_attribute_values(":pk", aws_sdk_dynamodb::types::AttributeValue::S(format!("EVENT#{event}")))
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        items.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            return items;
        }
    }
}

fn text(item: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>, name: &str) -> String {
    item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
}

fn number(item: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>, name: &str) -> i64 {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

async fn queue_depth(p: &Platform, queue: &str) -> u64 {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let sqs = aws_sdk_sqs::Client::new(&p.runner.sdk_config().await);
    let url = format!("{}/123456789012/local-{queue}", p.runner.moto);
    let kinds = [
        A::ApproximateNumberOfMessages,
        A::ApproximateNumberOfMessagesNotVisible,
        A::ApproximateNumberOfMessagesDelayed,
    ];
    let attributes =
        sqs.get_queue_attributes().queue_url(url).set_attribute_names(Some(kinds.to_vec())).send().await.unwrap();
    attributes.attributes.unwrap_or_default().values().filter_map(|n| n.parse::<u64>().ok()).sum()
}

const CHAIN_QUEUES: &[&str] =
    &["PaymentRequestsQueue", "PaymentOutcomesQueue", "NotificationsQueue", "EventCancellationsQueue"];

/// Waits (faults off) until every reservation of `events` is final, no payment is
/// mid-way and the chain's queues are empty, twice in a row; how long it took.
async fn settle(p: &Platform, events: &[&str]) -> Duration {
    let started = Instant::now();
    let payments = p.runner.dynamodb().await;
    let mut quiet = 0;
    let mut last_sweep = Instant::now();
    loop {
        let mut open = Vec::new();
        for event in events {
            for item in reservations_of(p, event).await {
                let id = text(&item, "id");
                if text(&item, "status") == "pending_payment" {
                    open.push(format!("{id} pending"));
                }
                let payment = payments
                    .get_item()
                    .table_name("local-PaymentsTable")
                    .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(format!("PAYMENT#{id}")))
                    .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("PAYMENT".into()))
                    .consistent_read(true)
                    .send()
                    .await
                    .unwrap()
                    .item;
                if let Some(payment) = payment
                    && matches!(text(&payment, "status").as_str(), "pending" | "refunding")
                {
                    open.push(format!("{id} payment {}", text(&payment, "status")));
                }
            }
        }
        for queue in CHAIN_QUEUES {
            let depth = queue_depth(p, queue).await;
            if depth > 0 {
                open.push(format!("{queue}: {depth}"));
            }
        }
        quiet = if open.is_empty() { quiet + 1 } else { 0 };
        if !open.is_empty() && started.elapsed().as_secs() % 30 < 3 {
            eprintln!("settling for {:.0} s: {open:?}", started.elapsed().as_secs_f64());
        }
        if quiet >= 2 {
            return started.elapsed();
        }
        // A safety net: the chain settles within a few visibility timeouts (30-40 s).
        assert!(started.elapsed() < Duration::from_secs(900), "the chain never settled: {open:?}");
        if last_sweep.elapsed() > Duration::from_secs(10) {
            p.api.call("POST", SWEEPER, None, None).await;
            last_sweep = Instant::now();
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Per reservation id: (charged, refunded) in localstripe, over every payment
/// intent made for it (localstripe ignores idempotency keys: our records alone
/// decide how often money moves).
async fn money(p: &Platform) -> HashMap<String, (i64, i64)> {
    let stripe = p.runner.localstripe.clone().unwrap();
    let client = reqwest::Client::new();
    let mut by_reservation: HashMap<String, (i64, i64)> = HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("{stripe}/v1/payment_intents?limit=100");
        if let Some(id) = &after {
            url.push_str(&format!("&starting_after={id}"));
        }
        let page: Value =
            client.get(url).basic_auth("sk_test_local", Some("")).send().await.unwrap().json().await.unwrap();
        let intents = page["data"].as_array().cloned().unwrap_or_default();
        for intent in &intents {
            let reservation = intent["metadata"]["reservation_id"].as_str().unwrap_or_default().to_owned();
            let entry = by_reservation.entry(reservation).or_default();
            for charge in intent["charges"]["data"].as_array().into_iter().flatten() {
                if charge["status"] == "succeeded" {
                    entry.0 += charge["amount"].as_i64().unwrap_or(0);
                    entry.1 += charge["amount_refunded"].as_i64().unwrap_or(0);
                }
            }
        }
        if page["has_more"] != true || intents.is_empty() {
            return by_reservation;
        }
        after = intents.last().and_then(|i| i["id"].as_str()).map(str::to_owned);
    }
}

/// What an email is about, from its subject.
fn kind(subject: &str) -> &'static str {
    if subject.starts_with("Your tickets for") {
        "confirmed"
    } else if subject.starts_with("Payment failed") {
        "payment_failed"
    } else if subject.starts_with("Your seats for") {
        "hold_expired"
    } else if subject.starts_with("Your reservation for") {
        "cancelled"
    } else if subject.starts_with("Your payment for") {
        "late_payment_refunded"
    } else if subject.ends_with("is cancelled") {
        "event_cancelled"
    } else {
        "other"
    }
}

/// The emails sent so far, counted by (reservation, kind).
async fn emails(p: &Platform) -> BTreeMap<(String, &'static str), usize> {
    let all = p.api.call("GET", "/_local/emails", None, None).await;
    let mut counts = BTreeMap::new();
    for email in all.body["emails"].as_array().into_iter().flatten() {
        let body = email["body"].as_str().unwrap_or_default();
        let Some(at) = body.find("Reservation ") else { continue };
        let Some(id) = body.get(at + "Reservation ".len()..at + "Reservation ".len() + 36) else { continue };
        *counts.entry((id.to_owned(), kind(email["subject"].as_str().unwrap_or_default()))).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn nothing_is_lost_oversold_charged_or_told_twice_when_processes_die() {
    let p = &platform();
    let organizer = p.organizer().await;
    let buyers = attendees(p, 100).await;
    let (sale, sale_tier) = p.event_on_sale(&organizer, 40).await;
    let (doomed, doomed_tier) = p.event_on_sale(&organizer, 80).await;
    let (clicked, clicked_tier) = p.event_on_sale(&organizer, 5).await;
    // Subscribed before the first booking: an endpoint hears the changes made after
    // it exists (its organizer's news is fanned out to the endpoints of the moment).
    let receiver = platform_tests::webhooks::Receiver::start(0).await;
    let hook = json!({"url": receiver.url, "events": ["reservation.confirmed", "reservation.cancelled", "reservation.refunded", "event.cancelled"]});
    let (status, body) = call(p, "POST", "/organizers/me/webhooks", &organizer.access_token, None, Some(hook)).await;
    assert_eq!(status, 201, "{body}");
    // The booking clicked twenty times is made before the faults: it is confirmed.
    let clicker = &buyers[0];
    let clicked_id = book(p, clicker, &clicked, &clicked_tier, 1, "pm_card_visa").await.unwrap();
    p.poll_until(&format!("/reservations/{clicked_id}"), &clicker.access_token, |r| r["status"] == "confirmed").await;

    let on = faults(p, json!({"kill": 0.05, "drop": 0.05})).await;
    assert_eq!(on["spec"]["kill"], 0.05);
    let faulted = Instant::now();

    // The sale: 100 buyers for 40 seats, a quarter declined, a third of the paid cancelling.
    let sale_run = futures::stream::iter(buyers.iter().enumerate())
        .map(|(i, buyer)| {
            let (sale, tier) = (&sale, &sale_tier);
            async move {
                let card = if i % 4 == 0 { DECLINING } else { "pm_card_visa" };
                let booked = book(p, buyer, sale, tier, 1 + (i % 2) as u32, card).await;
                if let Some(id) = &booked
                    && i % 3 == 1
                {
                    cancel_once_confirmed(p, buyer, id).await;
                }
                booked
            }
        })
        .buffer_unordered(12)
        .collect::<Vec<_>>();
    // An event cancelled mid-sale: 50 holders book, the organizer cancels when half
    // are in, and every fifth holder cancels their own booking meanwhile.
    let doomed_run = async {
        let holders = futures::stream::iter(buyers[..50].iter().enumerate())
            .map(|(i, buyer)| {
                let (doomed, tier) = (&doomed, &doomed_tier);
                async move {
                    let booked = book(p, buyer, doomed, tier, 1, "pm_card_visa").await;
                    if let Some(id) = &booked
                        && i % 5 == 0
                    {
                        cancel_once_confirmed(p, buyer, id).await;
                    }
                }
            })
            .buffer_unordered(8)
            .collect::<Vec<_>>();
        let cancel = async {
            while reservations_of(p, &doomed).await.len() < 25 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let (status, body) =
                call(p, "POST", &format!("/events/{doomed}/cancel"), &organizer.access_token, None, None).await;
            // 409: a dropped answer retried finds it cancelled already.
            assert!(status == 200 || status == 409, "{status} {body}");
        };
        futures::join!(holders, cancel);
    };
    // Twenty DELETEs of one confirmed booking at once.
    let clicked_path = format!("/reservations/{clicked_id}");
    let clicks =
        futures::future::join_all((0..20).map(|_| call(p, "DELETE", &clicked_path, &clicker.access_token, None, None)));
    let (sold, _, clicked_answers) = futures::join!(sale_run, doomed_run, clicks);
    for (status, body) in &clicked_answers {
        assert!(*status == 200 || *status == 409, "{status} {body}");
    }
    let injected = faults(p, json!({})).await;
    eprintln!("faults on for {:.0} s: {}", faulted.elapsed().as_secs_f64(), injected);
    let kills = injected["injected"]["kills"].as_u64().unwrap();
    let drops = injected["injected"]["drops"].as_u64().unwrap();
    assert!(kills >= 5 && drops >= 20, "the faults were injected: {injected}");
    assert!(sold.iter().flatten().count() >= 30, "the sale took place under faults");

    let took = settle(p, &[&sale, &doomed, &clicked]).await;
    eprintln!("the chain settled {:.0} s after the faults stopped", took.as_secs_f64());

    // Nothing oversold, nothing stranded; every reservation final.
    let mut reservations = Vec::new();
    for (event, tier, capacity) in [(&sale, &sale_tier, 40), (&doomed, &doomed_tier, 80), (&clicked, &clicked_tier, 5)]
    {
        let items = reservations_of(p, event).await;
        let sold: i64 = items.iter().filter(|r| text(r, "status") == "confirmed").map(|r| number(r, "quantity")).sum();
        let remaining = p.runner.tier_seats(event, tier).await.available;
        assert_eq!(sold + remaining, capacity, "event {event}: {sold} sold + {remaining} remaining");
        reservations.extend(items);
    }
    let doomed_confirmed =
        reservations_of(p, &doomed).await.iter().filter(|r| text(r, "status") == "confirmed").count();
    assert_eq!(doomed_confirmed, 0, "nothing stays confirmed for a cancelled event");

    // Money: kept only for confirmed bookings, once.
    let money = money(p).await;
    let emails = emails(p).await;
    let mut problems = Vec::new();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    // SES takes no idempotency key: an email is sent again only if its sender was
    // killed or timed out between SES accepting it and its record; the runner counts those deaths.
    let mut duplicated = Vec::new();
    let mut sent_again = 0u64;
    for r in &reservations {
        let (id, status) = (text(r, "id"), text(r, "status"));
        *by_status.entry(status.clone()).or_default() += 1;
        let amount = number(r, "amountMinor");
        let (charged, refunded) = money.get(&id).copied().unwrap_or_default();
        let kept = if status == "confirmed" { amount } else { 0 };
        if charged - refunded != kept || charged > amount || refunded > charged {
            problems.push(format!("{id} {status}: charged {charged}, refunded {refunded}, should keep {kept}"));
        }
        // Told once each: what each final state owes its holder.
        let was_confirmed = r.get("tickets").is_some();
        let cancelled_with_event = text(r, "cancelReason") == "event";
        let refund_requested = r.get("refundRequested").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false);
        let mut owed: Vec<&str> = match status.as_str() {
            "confirmed" => vec!["confirmed"],
            "payment_failed" => vec!["payment_failed"],
            "expired" => vec!["hold_expired"],
            "cancelled" if cancelled_with_event => vec!["event_cancelled"],
            "cancelled" => vec!["cancelled"],
            other => {
                problems.push(format!("{id} is still {other}"));
                vec![]
            }
        };
        if was_confirmed && status == "cancelled" {
            owed.push("confirmed");
        }
        if charged > 0 && !refund_requested && status != "confirmed" {
            owed.push("late_payment_refunded");
        }
        for kind in
            ["confirmed", "payment_failed", "hold_expired", "cancelled", "event_cancelled", "late_payment_refunded"]
        {
            let sent = emails.get(&(id.clone(), kind)).copied().unwrap_or(0);
            let expected = usize::from(owed.contains(&kind));
            if sent > 1 && expected == 1 {
                duplicated.push(format!("{id} {kind} x{sent}"));
                sent_again += (sent - 1) as u64;
            } else if sent != expected {
                problems.push(format!("{id} {status}: {sent} {kind} emails, {expected} owed"));
            }
        }
    }
    eprintln!("{} reservations settled: {by_status:?}", reservations.len());

    // The organizer's webhooks: what each final state owes, each under one id.
    let mut owed_news: Vec<(String, String)> = vec![("event.cancelled".into(), doomed.clone())];
    for r in &reservations {
        let (id, status) = (text(r, "id"), text(r, "status"));
        let was_confirmed = r.get("tickets").is_some();
        let refund_requested = r.get("refundRequested").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false);
        if was_confirmed {
            owed_news.push(("reservation.confirmed".into(), id.clone()));
        }
        if status == "cancelled" {
            owed_news.push(("reservation.cancelled".into(), id.clone()));
            if was_confirmed || refund_requested {
                owed_news.push(("reservation.refunded".into(), id.clone()));
            }
        }
    }
    owed_news.sort();
    let heard = |receiver: &platform_tests::webhooks::Receiver| {
        let mut ids_by_news: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (id, copies) in receiver.acknowledged() {
            let body = copies[0].json();
            let subject =
                body["data"]["reservationId"].as_str().or(body["data"]["eventId"].as_str()).unwrap_or_default();
            ids_by_news
                .entry((body["type"].as_str().unwrap_or_default().to_owned(), subject.to_owned()))
                .or_default()
                .push(id);
        }
        ids_by_news
    };
    let started = Instant::now();
    // A safety net: every delivery is heard within a minute or two of settling.
    while heard(&receiver).len() < owed_news.len() && started.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let heard = heard(&receiver);
    let heard_news: Vec<(String, String)> = heard.keys().cloned().collect();
    let missing: Vec<_> = owed_news.iter().filter(|n| !heard.contains_key(*n)).collect();
    let extra: Vec<_> = heard_news.iter().filter(|n| !owed_news.contains(n)).collect();
    if !missing.is_empty() || !extra.is_empty() {
        problems.push(format!("webhooks: missing {missing:?}, not owed {extra:?}"));
    }
    for (news, ids) in &heard {
        if ids.len() > 1 {
            problems.push(format!("webhooks: {news:?} came under {} ids: {ids:?}", ids.len()));
        }
    }
    let copies: usize = receiver.acknowledged().values().map(|c| c.len() - 1).sum();
    eprintln!("webhooks: {} news heard, {copies} acknowledged again under the same id", heard.len());
    // Read after settling: a kill planned before the faults stopped, or a timeout
    // while settling, may have fallen later.
    let at_risk = faults(p, json!({})).await["emailsAtRisk"].as_u64().unwrap();
    eprintln!(
        "emails sent twice: {duplicated:?}; sender deaths (kills, timeouts) between SES accepting an email and its record: {at_risk}"
    );
    if sent_again > at_risk {
        problems.push(format!(
            "{sent_again} emails sent again, but its sender died between SES accepting it and its record only {at_risk} times: {duplicated:?}"
        ));
    }
    let clicked_money = money.get(&clicked_id).copied().unwrap_or_default();
    assert_eq!(clicked_money.1, clicked_money.0, "the booking clicked twenty times is refunded once, in full");
    assert!(problems.is_empty(), "{} problems:\n  {}", problems.len(), problems.join("\n  "));
}
