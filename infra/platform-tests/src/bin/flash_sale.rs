//! `make bench`'s flash sale: N buyers at once for M seats of one tier, each
//! buyer one `POST /reservations`, against the local stack (DynamoDB Local, moto,
//! localstripe). A measurement, not a test: it prints figures and never fails on
//! them. Usage: flash_sale [buyers, default 2000] [seats, default 500] [in flight, default 32]

use aws_sdk_dynamodb::types::AttributeValue;
use platform_tests::Platform;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let buyers = args.first().copied().unwrap_or(2000);
    let seats = args.get(1).copied().unwrap_or(500) as u32;
    let in_flight = args.get(2).copied().unwrap_or(32);
    let p = Arc::new(Platform::start_with(&["--max-instances", "16"]));
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, seats).await;
    // Accounts are slow to make by design (Argon2); 40 accounts share the buyers' requests.
    let accounts = futures::future::join_all((0..40).map(|_| p.attendee())).await;
    let accounts = Arc::new(accounts);

    println!("Flash sale: {buyers} buyers, {seats} seats, {in_flight} requests in flight (debug build, local stack)");
    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..buyers {
        let (p, accounts, semaphore) = (p.clone(), accounts.clone(), semaphore.clone());
        let body = json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": "pm_card_visa"});
        tasks.spawn(async move {
            let _permit = semaphore.acquire().await.expect("semaphore");
            let token = accounts[i % accounts.len()].access_token.clone();
            let sent = Instant::now();
            let answer = tokio::time::timeout(
                Duration::from_secs(60),
                p.api.call("POST", "/reservations", Some(&token), Some(body)),
            )
            .await;
            let millis = sent.elapsed().as_secs_f64() * 1000.0;
            match answer {
                Ok(a) => (Some(a.status), a.body["id"].as_str().map(str::to_owned), token, millis),
                Err(_) => (None, None, token, millis),
            }
        });
    }
    let mut latencies = Vec::new();
    let (mut held, mut refused, mut server_errors, mut lost, mut other) = (Vec::new(), 0, 0, 0, 0);
    while let Some(result) = tasks.join_next().await {
        let (status, id, token, millis) = result.expect("task");
        latencies.push(millis);
        match status {
            Some(201) => held.push((id.expect("id"), token)),
            Some(409) => refused += 1,
            Some(s) if s >= 500 => server_errors += 1,
            Some(_) => other += 1,
            None => lost += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let item = p
        .runner
        .dynamodb()
        .await
        .get_item()
        .table_name("local-EventsTable")
        .set_key(Some(events::inventory::tier_key(&event, &tier)))
        .consistent_read(true)
        .send()
        .await
        .expect("tier")
        .item
        .expect("tier item");
    let available: i64 = item["available"].as_n().expect("n").parse().expect("int");
    println!(
        "  accepted holds        {} ({:.0} holds/s over {:.2} s)",
        held.len(),
        held.len() as f64 / elapsed,
        elapsed
    );
    println!("  sold out (409)        {refused}");
    println!(
        "  latency               p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99)
    );
    println!("  seats sold or held    {}   counter left {available}", held.len());
    println!("  oversold              {}", (held.len() as i64 - i64::from(seats)).max(0) + (-available).max(0));
    println!("  lost (no answer)      {lost}");
    println!("  5xx                   {server_errors}   other 4xx {other}");
    println!(
        "  DynamoDB calls per accepted hold: 2 by the code path (1 Query reading the offer, 1 TransactWriteItems of 3 actions)"
    );

    // The same concurrency against DynamoDB Local directly: bare conditional decrements.
    let dynamodb = p.runner.dynamodb().await;
    let bare_event = format!("bare-{}", uuid::Uuid::new_v4().simple());
    dynamodb
        .put_item()
        .table_name("local-EventsTable")
        .set_item(Some(
            events::inventory::tier_key(&bare_event, "t")
                .into_iter()
                .chain([
                    ("available".to_owned(), AttributeValue::N(seats.to_string())),
                    ("maxPerOrder".to_owned(), AttributeValue::N("4".into())),
                ])
                .collect(),
        ))
        .send()
        .await
        .expect("bare tier");
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..buyers {
        let (dynamodb, semaphore, bare_event) = (dynamodb.clone(), semaphore.clone(), bare_event.clone());
        tasks.spawn(async move {
            let _permit = semaphore.acquire().await.expect("semaphore");
            dynamodb
                .update_item()
                .table_name("local-EventsTable")
                .set_key(Some(events::inventory::tier_key(&bare_event, "t")))
                .update_expression("SET available = available - :one")
                .condition_expression("available >= :one")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .send()
                .await
                .is_ok()
        });
    }
    let mut bare_ok = 0;
    while let Some(ok) = tasks.join_next().await {
        bare_ok += usize::from(ok.expect("task"));
    }
    let bare_elapsed = started.elapsed().as_secs_f64();
    let api_rate = buyers as f64 / elapsed;
    let bare_rate = buyers as f64 / bare_elapsed;
    println!(
        "  bare conditional UpdateItem: {bare_ok} decrements, {bare_rate:.0} requests/s vs the API's {api_rate:.0} requests/s (API / bare = {:.2})",
        api_rate / bare_rate
    );

    // Let the chain drain: every hold charged and confirmed, every email sent.
    let drain = Instant::now();
    let mut pending = held.clone();
    while !pending.is_empty() && drain.elapsed() < Duration::from_secs(600) {
        let mut still = Vec::new();
        for (id, token) in pending {
            let r = p.api.call("GET", &format!("/reservations/{id}"), Some(&token), None).await;
            if r.body["status"] == "pending_payment" {
                still.push((id, token));
            }
        }
        pending = still;
        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let confirmed_after = drain.elapsed().as_secs_f64();
    let mut emails = 0;
    while drain.elapsed() < Duration::from_secs(600) {
        let all = p.api.call("GET", "/_local/emails", None, None).await;
        emails = all.body["emails"].as_array().map(|e| e.len()).unwrap_or(0);
        if emails >= held.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "  chain drained: every hold settled after {confirmed_after:.1} s ({} still pending), {emails} emails sent after {:.1} s",
        pending.len(),
        drain.elapsed().as_secs_f64()
    );
}
