//! What the reminder tests share: events starting soon, holders seeded as the
//! reservations domain itself records them, firing the schedule, reading reminders.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use futures::StreamExt;
use platform_tests::{Answer, Platform, Session};
use reservations::domain::reservation::{Reservation, Status};
use reservations::store::ReservationStore;
use reservations::store::dynamodb::DynamoReservationStore;
use serde_json::{Value, json};
use std::time::{Duration as StdDuration, Instant};

pub const SCHEDULE: &str = "/_local/schedules/StartRemindersFunction.Remind";

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A published event on sale now that starts `starts_in` from now (at least an
/// hour: sales close 30 minutes before), one tier of `capacity` seats, in Paris.
pub async fn event_starting(p: &Platform, organizer: &Session, starts_in: Duration, capacity: u32) -> (String, String) {
    event_reminded_ahead(p, organizer, starts_in, capacity, None).await
}

/// An event whose reminders are due `lead_minutes` before it starts (24 hours if `None`).
pub async fn event_reminded_ahead(
    p: &Platform,
    organizer: &Session,
    starts_in: Duration,
    capacity: u32,
    lead_minutes: Option<u32>,
) -> (String, String) {
    let start = Utc::now() + starts_in;
    let mut body = json!({
        "title": format!("Soon {}", uuid::Uuid::new_v4().simple()),
        "category": "concert",
        "description": "A test event starting soon.",
        "venue": {"name": "Hall", "address": "1 Main Street", "city": "Lyon", "country": "FR"},
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "startsAt": rfc3339(start),
        "endsAt": rfc3339(start + Duration::hours(3)),
        "salesOpensAt": "2020-01-01T00:00:00Z",
        "salesClosesAt": rfc3339(start - Duration::minutes(30)),
        "tiers": [{"name": "Standard", "priceMinor": 2500, "capacity": capacity, "maxPerOrder": 4}]
    });
    if let Some(lead) = lead_minutes {
        body["reminderLeadMinutes"] = json!(lead);
    }
    let created = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let tier = created.body["tiers"][0]["id"].as_str().expect("tier id").to_owned();
    let published = p.api.call("POST", &format!("/events/{id}/publish"), Some(&organizer.access_token), None).await;
    assert_eq!(published.status, 200, "{:?}", published.body);
    (id, tier)
}

async fn store(p: &Platform) -> DynamoReservationStore {
    DynamoReservationStore::new(p.runner.dynamodb().await, "local-ReservationsTable", "local-EventsTable")
}

/// A hold of one seat, recorded as the reservations domain records one (seats held
/// through the inventory contract in the same transaction). The chain charges it
/// from the committed hold, with `payment_method`.
pub async fn seed_hold(p: &Platform, event: &str, tier: &str, holder: &Session, payment_method: &str) -> Reservation {
    let reservation = one_seat(p, event, tier, holder, payment_method).await;
    store(p).await.hold(&reservation, shards(p, event, tier).await, Utc::now()).await.expect("hold")
}

/// A one-seat reservation of `holder`, pending, not yet recorded.
async fn one_seat(p: &Platform, event: &str, tier: &str, holder: &Session, payment_method: &str) -> Reservation {
    let client = p.runner.dynamodb().await;
    let offer = events::inventory::offer(&client, "local-EventsTable", event, tier).await.unwrap().expect("offer");
    let now = Utc::now();
    Reservation {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: holder.user_id.clone(),
        event_id: event.to_owned(),
        organizer_id: offer.organizer_id.clone(),
        event_title: offer.title.clone(),
        venue: offer.venue.clone(),
        starts_at: offer.starts_at,
        starts_at_local: offer.starts_at_local(),
        tier_id: tier.to_owned(),
        tier_name: offer.tier_name.clone(),
        quantity: 1,
        unit_price_minor: offer.price_minor,
        amount_minor: offer.price_minor,
        currency: offer.currency.clone(),
        payment_method: payment_method.into(),
        status: Status::PendingPayment,
        hold_expires_at: now + Duration::minutes(15),
        created_at: now,
        updated_at: now,
        tickets: vec![],
        refund_requested: false,
        cancel_reason: None,
        correlation_id: "seeded".into(),
        payment: None,
        payment_attempt: 0,
        transfers: 0,
        disputed: false,
        shard: 0,
        seats: vec![],
        promo: None,
        refunds: Vec::new(),
        waiting_list_joined_at: None,
    }
}

/// The tier's shard count, as its offer says.
async fn shards(p: &Platform, event: &str, tier: &str) -> u32 {
    let client = p.runner.dynamodb().await;
    events::inventory::offer(&client, "local-EventsTable", event, tier).await.unwrap().expect("offer").shards
}

/// `count` confirmed one-seat reservations, spread over `holders`, imported as
/// confirmed (seats, tickets, participants index; no charge, no confirmation
/// email); their ids. Each is confirmed at the instant of its import, as the
/// platform's own confirmations are: seeding hundreds takes more than the index's
/// settle time on a loaded machine, and a run that caught up part-way records its
/// position up to the settle line.
pub async fn seed_confirmed(p: &Platform, event: &str, tier: &str, holders: &[Session], count: usize) -> Vec<String> {
    seed(p, event, tier, holders, count, None).await
}

/// As [`seed_confirmed`], all confirmed at `at` (the instant that keys them in the
/// participants index), as a confirmation that shows up late would be.
pub async fn seed_confirmed_at(
    p: &Platform,
    event: &str,
    tier: &str,
    holders: &[Session],
    count: usize,
    at: chrono::DateTime<Utc>,
) -> Vec<String> {
    seed(p, event, tier, holders, count, Some(at)).await
}

async fn seed(
    p: &Platform,
    event: &str,
    tier: &str,
    holders: &[Session],
    count: usize,
    at: Option<chrono::DateTime<Utc>>,
) -> Vec<String> {
    let store = &store(p).await;
    let shards = shards(p, event, tier).await;
    let began = Instant::now();
    let seeded = futures::stream::iter(0..count)
        .map(|i| async move {
            let seat = one_seat(p, event, tier, &holders[i % holders.len()], "pm_card_visa").await;
            let tickets = reservations::domain::tickets::new_codes(1);
            let confirmed_at = at.unwrap_or_else(Utc::now);
            store.import_confirmed(&seat, shards, &tickets, "Test Person", confirmed_at).await.expect("import");
            seat.id
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    assert_eq!(seeded.len(), count);
    eprintln!("{count} holders seeded in {:.1} s", began.elapsed().as_secs_f64());
    seeded
}

pub async fn fire(p: &Platform) -> Answer {
    p.api.call("POST", SCHEDULE, None, None).await
}

/// Whether the schedule's answer says it started (or resumed) the event's run.
/// Whether the firing found the event's run due: started by it, or already running
/// (another firing, e.g. another test's, took it on a moment before).
pub fn started(answer: &Answer, event: &str) -> bool {
    let listed = |key: &str| answer.body[key].as_array().is_some_and(|s| s.iter().any(|r| r["eventId"] == event));
    listed("started") || listed("running")
}

pub fn is_reminder(email: &Value) -> bool {
    email["subject"].as_str().is_some_and(|s| s.starts_with("Reminder"))
}

/// Reminders sent so far to `address` (other mail left out).
pub async fn reminders_to(p: &Platform, address: &str) -> Vec<Value> {
    p.emails_to(address).await.into_iter().filter(is_reminder).collect()
}

/// The reservation an email is about (its footer: "Reservation <id>").
pub fn reservation_of(email: &Value) -> Option<String> {
    let body = email["body"].as_str()?;
    let at = body.find("Reservation ")? + "Reservation ".len();
    body.get(at..at + 36).map(str::to_owned)
}

/// How many reminders the runs queued for `event`, summed from their "reminders
/// queued" log lines (one per group sent, so a page cut off by its timeout still
/// counts). Unlike the emails (which the notification consumer deduplicates), this
/// shows whether the markers kept two runs from queueing the same holder.
pub fn reminders_queued(p: &Platform, event: &str) -> u64 {
    p.runner
        .output()
        .lines()
        .filter_map(|line| line.strip_prefix("[SendRemindersFunction] "))
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|log| log["message"] == "reminders queued" && log["event_id"] == event)
        .filter_map(|log| log["queued"].as_u64())
        .sum()
}

/// Every reminder sent on the platform so far, by reservation id.
pub async fn reminders_by_reservation(p: &Platform) -> std::collections::HashMap<String, usize> {
    let all = p.api.call("GET", "/_local/emails", None, None).await;
    let mut counts = std::collections::HashMap::new();
    for email in all.body["emails"].as_array().cloned().unwrap_or_default().iter().filter(|e| is_reminder(e)) {
        if let Some(id) = reservation_of(email) {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    counts
}

/// Waits until each of `ids` has had a reminder (at most `limit`), firing the schedule
/// every `refire` if given; then returns the counts for `ids`.
pub async fn until_all_reminded(
    p: &Platform,
    ids: &[String],
    limit: StdDuration,
    refire: Option<StdDuration>,
) -> Vec<usize> {
    let started = Instant::now();
    let mut last_fire = Instant::now();
    loop {
        let counts = reminders_by_reservation(p).await;
        let per_id: Vec<usize> = ids.iter().map(|id| counts.get(id).copied().unwrap_or(0)).collect();
        if per_id.iter().all(|n| *n > 0) {
            eprintln!(
                "{} holders reminded in {:.1} s (safety net {} s)",
                ids.len(),
                started.elapsed().as_secs_f64(),
                limit.as_secs()
            );
            return per_id;
        }
        let missing = per_id.iter().filter(|n| **n == 0).count();
        if started.elapsed() >= limit {
            for line in p.runner.output().lines().filter(|l| l.contains("Reminders")) {
                if line.contains("REPORT") || line.contains("START") || line.contains("END") {
                    continue;
                }
                eprintln!("DBG {}", &line[..line.len().min(600)]);
            }
            let missing_ids: Vec<&String> =
                ids.iter().zip(&per_id).filter(|(_, n)| **n == 0).map(|(id, _)| id).collect();
            eprintln!("DBG missing {missing_ids:?}");
        }
        assert!(started.elapsed() < limit, "{missing} of {} holders never got a reminder", ids.len());
        if refire.is_some_and(|every| last_fire.elapsed() >= every) {
            fire(p).await;
            last_fire = Instant::now();
        }
        // Each look reads every email moto holds: not too often.
        tokio::time::sleep(StdDuration::from_secs(1)).await;
    }
}
