//! `make bench`'s flash sale: N buyers at once for M seats of one tier, each
//! buyer one `POST /reservations`, against the local stack (DynamoDB Local, moto,
//! localstripe), once with the tier on 1 shard and once on 8, in the same run;
//! then the bare rate of the same DynamoDB Local for a transaction shaped like a
//! hold (a conditional decrement and a put) at the same concurrency, as a ratio.
//! Then the same rush on a 40,000-seat stadium's seated tier, each buyer asking
//! for a pair by best-available: holds per second beside the figures above, and
//! whether any seat went twice or any pair was split.
//! A measurement, not a test: it prints figures and never fails on them.
//! Usage: flash_sale [buyers, default 2000] [seats, default 500] [in flight, default 32]
//! With BIN_DIR=target/release the functions run from a release build.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use platform_tests::{Platform, Session};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

async fn event(p: &Platform, organizer: &Session, seats: u32, shards: u32) -> (String, String) {
    let year = 1 + chrono::Datelike::year(&chrono::Utc::now());
    let body = json!({
        "title": format!("Flash sale {}", uuid::Uuid::new_v4().simple()),
        "category": "concert",
        "description": "A benchmark.",
        "venue": {"name": "Hall", "address": "1 Main Street", "city": "Lyon", "country": "FR"},
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "startsAt": format!("{year}-06-01T20:00:00+02:00"),
        "endsAt": format!("{year}-06-01T23:00:00+02:00"),
        "salesOpensAt": "2020-01-01T00:00:00Z",
        "salesClosesAt": format!("{year}-06-01T19:00:00+02:00"),
        "tiers": [{"name": "Standard", "priceMinor": 2500, "capacity": seats, "maxPerOrder": 4, "shards": shards}]
    });
    let created = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let tier = created.body["tiers"][0]["id"].as_str().expect("tier").to_owned();
    let published = p.api.call("POST", &format!("/events/{id}/publish"), Some(&organizer.access_token), None).await;
    assert_eq!(published.status, 200, "{:?}", published.body);
    (id, tier)
}

/// One sale: (requests per second, holds per second).
async fn sale(
    p: &Arc<Platform>,
    accounts: &Arc<Vec<Session>>,
    buyers: usize,
    seats: u32,
    in_flight: usize,
    shards: u32,
) -> (f64, f64) {
    let organizer = p.organizer().await;
    let (event, tier) = event(p, &organizer, seats, shards).await;
    let from = p.runner.output().len();
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
            (answer.ok().map(|a| a.status), millis)
        });
    }
    let (mut all, mut held) = (Vec::new(), Vec::new());
    let (mut refused, mut busy, mut server_errors, mut lost, mut other) = (0, 0, 0, 0, 0);
    while let Some(result) = tasks.join_next().await {
        let (status, millis) = result.expect("task");
        all.push(millis);
        match status {
            Some(201) => held.push(millis),
            Some(409) => refused += 1,
            Some(503) => busy += 1,
            Some(s) if s >= 500 => server_errors += 1,
            Some(_) => other += 1,
            None => lost += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    held.sort_by(|a, b| a.total_cmp(b));
    let seats_left = p.runner.tier_seats(&event, &tier).await;
    println!("K = {shards}: {buyers} buyers, {seats} seats, {in_flight} requests in flight");
    println!(
        "  accepted holds        {} ({:.0} holds/s; {:.0} requests/s over {:.2} s)",
        held.len(),
        held.len() as f64 / elapsed,
        buyers as f64 / elapsed,
        elapsed
    );
    println!("  sold out (409)        {refused}   busy (503, Retry-After) {busy}");
    println!(
        "  latency, every answer p50 {:.1} ms  p99 {:.1} ms;  accepted holds p50 {:.1} ms  p99 {:.1} ms",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        percentile(&held, 0.5),
        percentile(&held, 0.99)
    );
    println!(
        "  oversold              {}   shards left {:?}",
        (held.len() as i64 - i64::from(seats)).max(0) + seats_left.shards.iter().map(|&n| (-n).max(0)).sum::<i64>(),
        seats_left.shards
    );
    println!("  lost (no answer)      {lost}   5xx {server_errors}   other 4xx {other}");
    // Where the time goes: the functions' own measurements, from their logs.
    let (log, _) = p.runner.output_since(from);
    let field = |line: &str, name: &str| -> Option<f64> {
        let at = line.find(&format!("\"{name}\":"))? + name.len() + 3;
        line[at..].split([',', '}']).next()?.trim().parse().ok()
    };
    let mut offer: Vec<f64> =
        log.lines().filter(|l| l.contains("seats held")).filter_map(|l| field(l, "offer_ms")).collect();
    let mut hold: Vec<f64> =
        log.lines().filter(|l| l.contains("seats held")).filter_map(|l| field(l, "hold_ms")).collect();
    let durations = |function: &str| -> Vec<f64> {
        let mut d: Vec<f64> = log
            .lines()
            .filter(|l| l.starts_with(&format!("[{function}] REPORT")))
            .filter_map(|l| l.split("Duration: ").nth(1)?.split(' ').next()?.parse().ok())
            .collect();
        d.sort_by(|a, b| a.total_cmp(b));
        d
    };
    offer.sort_by(|a, b| a.total_cmp(b));
    hold.sort_by(|a, b| a.total_cmp(b));
    let (authorizer, create) = (durations("AuthorizerFunction"), durations("CreateReservationFunction"));
    println!(
        "  time of an accepted hold, medians: authorizer {:.1} ms (cached per token after the first), function {:.1} ms = offer {:.2} ms (cached per instance) + shards and reservation {:.1} ms",
        percentile(&authorizer, 0.5),
        percentile(&create, 0.5),
        percentile(&offer, 0.5),
        percentile(&hold, 0.5)
    );
    (buyers as f64 / elapsed, held.len() as f64 / elapsed)
}

/// A stadium of 40 sections of 25 rows of 40 seats, one tier: 40,000 seats.
fn stadium_map(tier: &str) -> serde_json::Value {
    let sections: Vec<serde_json::Value> = (0..40)
        .map(|s| {
            let rows: Vec<serde_json::Value> = (0..25)
                .map(|r| {
                    let seats: Vec<serde_json::Value> = (1..=40)
                        .map(|n| json!({"label": n.to_string(), "x": (s % 10) * 500 + n * 10, "y": (s / 10) * 400 + r * 12}))
                        .collect();
                    json!({"label": format!("R{}", r + 1), "seats": seats})
                })
                .collect();
            json!({"name": format!("Block {}", s + 1), "tierId": tier, "rows": rows})
        })
        .collect();
    json!({"sections": sections})
}

/// The rush on a seated tier: each buyer asks for a pair (best-available).
async fn seated_sale(p: &Arc<Platform>, accounts: &Arc<Vec<Session>>, buyers: usize, in_flight: usize) -> f64 {
    let organizer = p.organizer().await;
    let year = 1 + chrono::Datelike::year(&chrono::Utc::now());
    let body = json!({
        "title": format!("Stadium {}", uuid::Uuid::new_v4().simple()),
        "category": "match",
        "description": "A benchmark.",
        "venue": {"name": "Stade", "address": "1 Main Street", "city": "Lyon", "country": "FR"},
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "startsAt": format!("{year}-06-01T20:00:00+02:00"),
        "endsAt": format!("{year}-06-01T23:00:00+02:00"),
        "salesOpensAt": "2020-01-01T00:00:00Z",
        "salesClosesAt": format!("{year}-06-01T19:00:00+02:00"),
        "tiers": [{"name": "Stadium", "priceMinor": 2500, "capacity": 40000, "maxPerOrder": 4, "shards": 8}]
    });
    let created = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let event = created.body["id"].as_str().expect("id").to_owned();
    let tier = created.body["tiers"][0]["id"].as_str().expect("tier").to_owned();
    let put_started = Instant::now();
    let map = p
        .api
        .call("PUT", &format!("/events/{event}/seat-map"), Some(&organizer.access_token), Some(stadium_map(&tier)))
        .await;
    if map.status != 200 {
        let (log, _) = p.runner.output_since(0);
        for line in log.lines().filter(|l| l.contains("PutSeatMap")).take(20) {
            eprintln!("{}", &line[..line.len().min(400)]);
        }
    }
    assert_eq!(map.status, 200, "{:?}", map.body);
    let put_took = put_started.elapsed().as_secs_f64();
    let published = p.api.call("POST", &format!("/events/{event}/publish"), Some(&organizer.access_token), None).await;
    assert_eq!(published.status, 200, "{:?}", published.body);

    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..buyers {
        let (p, accounts, semaphore) = (p.clone(), accounts.clone(), semaphore.clone());
        let body = json!({"eventId": event, "tierId": tier, "quantity": 2, "paymentMethod": "pm_card_visa"});
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
            (answer.ok().map(|a| (a.status, a.body)), millis)
        });
    }
    let (mut held, mut all) = (Vec::new(), Vec::new());
    let (mut busy, mut failed, mut split) = (0, 0, 0);
    let mut seats: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    while let Some(result) = tasks.join_next().await {
        let (answer, millis) = result.expect("task");
        all.push(millis);
        match answer {
            Some((201, body)) => {
                held.push(millis);
                let ids: Vec<Vec<u32>> = body["seats"]
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .map(|s| {
                                s["id"].as_str().unwrap_or_default().split('-').filter_map(|n| n.parse().ok()).collect()
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let together = ids.len() == 2 && ids[0][..2] == ids[1][..2] && ids[0][2] + 1 == ids[1][2];
                split += usize::from(!together);
                for seat in body["seats"].as_array().into_iter().flatten() {
                    *seats.entry(seat["id"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
                }
            }
            Some((503, _)) => busy += 1,
            _ => failed += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    held.sort_by(|a, b| a.total_cmp(b));
    println!(
        "Seated: a 40,000-seat stadium (map put in {put_took:.1} s), {buyers} buyers of a pair each by best-available, {in_flight} in flight"
    );
    println!(
        "  accepted holds        {} ({:.0} holds/s over {:.2} s)   busy (503) {busy}   other answers or none {failed}",
        held.len(),
        held.len() as f64 / elapsed,
        elapsed
    );
    println!(
        "  latency, every answer p50 {:.1} ms  p99 {:.1} ms;  accepted holds p50 {:.1} ms  p99 {:.1} ms",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        percentile(&held, 0.5),
        percentile(&held, 0.99)
    );
    println!("  seats given twice     {}   pairs split {split}", seats.values().filter(|&&n| n > 1).count());
    held.len() as f64 / elapsed
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let buyers = args.first().copied().unwrap_or(2000);
    let seats = args.get(1).copied().unwrap_or(500) as u32;
    let in_flight = args.get(2).copied().unwrap_or(32);
    let bin_dir = std::env::var("BIN_DIR").ok();
    let mut runner_args = vec!["--max-instances", "16"];
    if let Some(dir) = &bin_dir {
        runner_args.extend(["--bin-dir", dir.as_str()]);
    }
    let p = Arc::new(Platform::start_with(&runner_args));
    println!(
        "Flash sale on the local stack ({} build of the functions)",
        if bin_dir.is_some() { "release" } else { "debug" }
    );
    // Accounts are slow to make by design (Argon2); 40 accounts share the buyers' requests.
    let accounts = Arc::new(futures::future::join_all((0..40).map(|_| p.attendee())).await);
    let mut rates = Vec::new();
    for shards in [1, 8] {
        rates.push((shards, sale(&p, &accounts, buyers, seats, in_flight, shards).await));
    }
    let seated = seated_sale(&p, &accounts, buyers, in_flight).await;

    // The same concurrency against DynamoDB Local directly: a hold's transaction
    // alone (a conditional decrement of a counter and a put), no API around it.
    let dynamodb = p.runner.dynamodb().await;
    let bare = format!("BARE#{}", uuid::Uuid::new_v4().simple());
    let key = |sk: &str| {
        std::collections::HashMap::from([
            ("pk".to_owned(), AttributeValue::S(bare.clone())),
            ("sk".to_owned(), AttributeValue::S(sk.to_owned())),
        ])
    };
    let mut counter = key("COUNTER");
    counter.insert("available".into(), AttributeValue::N(seats.to_string()));
    dynamodb.put_item().table_name("local-EventsTable").set_item(Some(counter)).send().await.expect("bare counter");
    let semaphore = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..buyers {
        let (dynamodb, semaphore) = (dynamodb.clone(), semaphore.clone());
        let (counter_key, item) = (key("COUNTER"), key(&format!("HOLD#{i}")));
        tasks.spawn(async move {
            let _permit = semaphore.acquire().await.expect("semaphore");
            let update = Update::builder()
                .table_name("local-EventsTable")
                .set_key(Some(counter_key))
                .update_expression("SET available = available - :one")
                .condition_expression("available >= :one")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .build()
                .expect("update");
            let put = Put::builder().table_name("local-EventsTable").set_item(Some(item)).build().expect("put");
            dynamodb
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(update).build())
                .transact_items(TransactWriteItem::builder().put(put).build())
                .send()
                .await
                .is_ok()
        });
    }
    let mut bare_ok = 0;
    while let Some(ok) = tasks.join_next().await {
        bare_ok += usize::from(ok.expect("task"));
    }
    let bare_rate = buyers as f64 / started.elapsed().as_secs_f64();
    println!(
        "Bare conditional transactions on the same DynamoDB Local, {in_flight} in flight: {bare_rate:.0} requests/s ({bare_ok} took a seat)"
    );
    for (shards, (requests, holds)) in rates {
        println!(
            "  K = {shards}: the API at {requests:.0} requests/s ({holds:.0} holds/s) = {:.2} x the bare rate",
            requests / bare_rate
        );
    }
    println!("  seated, best-available pairs: {seated:.0} holds/s");
}
