//! Reminders before the event, end to end: the schedule fired on demand, the
//! reminder runs on their queue, the emails in moto's SES. Every confirmed holder
//! gets exactly one reminder per start, in the event's own time zone; cancelled
//! reservations, pending holds and events not yet within their lead get none.

#[path = "support/reminders.rs"]
mod support;

use chrono::{Duration, Utc};
use platform_tests::{Platform, Session};
use serde_json::json;
use std::sync::OnceLock;
use std::time::Duration as StdDuration;
use support::*;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    // Tests fire the schedule concurrently, so runs of one event overlap and wait for
    // each other's claims to lapse (the page timeout plus 3 s): 15 s keeps that short.
    // A page that runs out of time on a starved machine comes back after its
    // visibility timeout: six times the page's, as in AWS.
    PLATFORM.get_or_init(|| {
        Platform::start_with(&[
            "--param",
            "ReminderPageSize=100",
            "--param",
            "ReminderPageTimeout=15",
            "--param",
            "ReminderPagesVisibilitySeconds=90",
        ])
    })
}

async fn book(p: &Platform, buyer: &Session, event: &str, tier: &str) -> String {
    let body = json!({"eventId": event, "tierId": tier, "quantity": 2, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    id
}

#[tokio::test]
async fn confirmed_holders_get_one_reminder_however_often_the_schedule_fires() {
    let p = platform();
    let organizer = p.organizer().await;
    // Not due until the bookings below are made: other tests fire the schedule too,
    // and a run started before the cancellation would rightly remind its holder.
    let (event, tier) = event_reminded_ahead(p, &organizer, Duration::hours(2), 20, Some(60)).await;
    let buyers = futures::future::join_all((0..5).map(|_| p.attendee())).await;
    // Three confirmed and one cancelled through the real chain (hold, Stripe, confirmation).
    let booked = futures::future::join_all(buyers[..4].iter().map(|b| book(p, b, &event, &tier))).await;
    let cancelled =
        p.api.call("DELETE", &format!("/reservations/{}", booked[3]), Some(&buyers[3].access_token), None).await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    // And one hold that is never paid (its card is declined).
    seed_hold(p, &event, &tier, &buyers[4], "pm_card_chargeCustomerFail").await;
    let lead = json!({"reminderLeadMinutes": 180});
    let due = p.api.call("PATCH", &format!("/events/{event}"), Some(&organizer.access_token), Some(lead)).await;
    assert_eq!(due.status, 200, "{:?}", due.body);

    let first = fire(p).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert!(started(&first, &event), "{:?}", first.body);
    for (buyer, id) in buyers[..3].iter().zip(&booked) {
        let emails = p.wait_for_emails(&buyer.email, 2).await; // the confirmation, then the reminder
        let reminders: Vec<_> = emails.iter().filter(|e| is_reminder(e)).collect();
        assert_eq!(reminders.len(), 1, "{emails:?}");
        let body = reminders[0]["body"].as_str().unwrap();
        let reservation = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        for ticket in reservation.body["tickets"].as_array().unwrap() {
            assert!(body.contains(ticket["code"].as_str().unwrap()), "the ticket codes: {body}");
        }
        // moto keeps the HTML part, where '/' is written "&#x2f;".
        assert!(body.contains("Europe&#x2f;Paris, UTC+0"), "the start in the event's zone, with its offset: {body}");
        assert!(body.contains("Hall, Lyon") && body.contains("1 Main Street, Lyon, FR"), "venue and address: {body}");
        assert!(body.contains("2 × Standard"), "the tier: {body}");
        assert!(body.contains(&format!("tickets&#x2f;{id}")), "a link to the reservation's page on the site: {body}");
        assert!(!body.contains("The time changed"));
    }

    // Again, then twice at once: nobody is reminded twice.
    assert_eq!(fire(p).await.status, 200);
    let both = futures::future::join_all([fire(p), fire(p)]).await;
    assert!(both.iter().all(|a| a.status == 200), "{:?}", both.iter().map(|a| &a.body).collect::<Vec<_>>());
    tokio::time::sleep(StdDuration::from_secs(4)).await;
    for buyer in &buyers[..3] {
        assert_eq!(reminders_to(p, &buyer.email).await.len(), 1, "one reminder for {}", buyer.email);
    }
    assert!(reminders_to(p, &buyers[3].email).await.is_empty(), "a cancelled reservation gets none");
    assert_eq!(reminders_queued(p, &event), 3, "each holder queued once: the markers held, not only the email dedupe");
    assert!(reminders_to(p, &buyers[4].email).await.is_empty(), "a hold never paid gets none");
    // The run catches up: a firing then only looks for holders who booked since. (The
    // last firings' pages may still be in the queue on a loaded machine: until they
    // are done, a firing finds the run under way and leaves it to its chain.)
    let started = std::time::Instant::now();
    let caught_up = loop {
        let done = fire(p).await;
        let run = done.body["started"].as_array().unwrap().iter().find(|r| r["eventId"] == event.as_str()).cloned();
        match run {
            Some(run) => break run["caughtUp"].clone(),
            None if started.elapsed() < StdDuration::from_secs(60) => {
                tokio::time::sleep(StdDuration::from_millis(500)).await
            }
            None => panic!("the run never caught up: {:?}", done.body),
        }
    };
    assert_eq!(caught_up, json!(true));
}

#[tokio::test]
async fn an_event_three_days_away_is_reminded_only_once_within_its_lead_time() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = event_starting(p, &organizer, Duration::days(3), 10).await;
    let holder = p.attendee().await;
    seed_confirmed(p, &event, &tier, std::slice::from_ref(&holder), 1).await;

    let early = fire(p).await;
    assert_eq!(early.status, 200, "{:?}", early.body);
    assert!(!started(&early, &event), "24 hours before by default: not yet ({:?})", early.body);
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    assert!(reminders_to(p, &holder.email).await.is_empty());

    // The organizer wants reminders four days ahead: the event is now within its lead.
    let path = format!("/events/{event}");
    let too_long =
        p.api.call("PATCH", &path, Some(&organizer.access_token), Some(json!({"reminderLeadMinutes": 10_081}))).await;
    assert_eq!(too_long.status, 422, "{:?}", too_long.body);
    assert_eq!(too_long.body["error"]["fields"][0]["field"], "reminderLeadMinutes");
    let lead =
        p.api.call("PATCH", &path, Some(&organizer.access_token), Some(json!({"reminderLeadMinutes": 5760}))).await;
    assert_eq!(lead.status, 200, "{:?}", lead.body);
    assert_eq!(p.api.call("GET", &path, None, None).await.body["reminderLeadMinutes"], 5760);
    let due = fire(p).await;
    assert!(started(&due, &event), "{:?}", due.body);
    p.wait_for_emails(&holder.email, 1).await;
    assert_eq!(reminders_to(p, &holder.email).await.len(), 1);
}

#[tokio::test]
async fn moving_the_start_reminds_every_holder_again_and_says_the_time_changed() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = event_starting(p, &organizer, Duration::hours(2), 10).await;
    let holders = vec![p.attendee().await, p.attendee().await];
    seed_confirmed(p, &event, &tier, &holders, 2).await;
    fire(p).await;
    for holder in &holders {
        p.wait_for_emails(&holder.email, 1).await;
    }

    let later = Utc::now() + Duration::hours(3);
    let moved = p
        .api
        .call(
            "PATCH",
            &format!("/events/{event}"),
            Some(&organizer.access_token),
            Some(json!({"startsAt": rfc3339(later)})),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert!(started(&fire(p).await, &event), "the new start is a new run");
    for holder in &holders {
        let emails = p.wait_for_emails(&holder.email, 2).await;
        assert_eq!(emails.len(), 2, "one reminder per start: {emails:?}");
        let newest =
            emails.iter().find(|e| e["subject"].as_str().unwrap().contains("(new time)")).expect("a new-time reminder");
        assert!(newest["body"].as_str().unwrap().contains("The time changed"), "{newest}");
    }
    fire(p).await;
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    for holder in &holders {
        assert_eq!(reminders_to(p, &holder.email).await.len(), 2, "and no more");
    }
}

#[tokio::test]
async fn a_large_event_reminds_each_of_its_600_holders_once_a_page_at_a_time() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = event_starting(p, &organizer, Duration::hours(2), 700).await;
    let holders = futures::future::join_all((0..4).map(|_| p.attendee())).await;
    let ids = seed_confirmed(p, &event, &tier, &holders, 600).await;

    assert!(started(&fire(p).await, &event));
    // Other tests fire the schedule too: a run one of them started while the holders
    // were being seeded may have caught up before the last of them, who are then the
    // next firing's (every 15 minutes in AWS; every 5 s here).
    // 33 s in CI beside the slow tests; the limit is a safety net over five times that,
    // and room for a page that ran out of time to come back (90 s) and finish.
    let counts = until_all_reminded(p, &ids, StdDuration::from_secs(300), Some(StdDuration::from_secs(5))).await;
    assert!(
        counts.iter().all(|n| *n == 1),
        "someone was reminded twice: {:?}",
        counts.iter().filter(|n| **n > 1).count()
    );
    let pages = p.runner.output().matches("reminder page").count();
    assert!(pages >= 6, "600 holders in pages of 100: {pages} pages");
    // The "reminders queued" log lines can trail their emails on a loaded machine: wait for them
    // (a safety net), then fire again after the run finished: nothing more.
    let started = std::time::Instant::now();
    while reminders_queued(p, &event) < 600 && started.elapsed() < StdDuration::from_secs(60) {
        tokio::time::sleep(StdDuration::from_millis(500)).await;
    }
    fire(p).await;
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    let counts = reminders_by_reservation(p).await;
    assert!(ids.iter().all(|id| counts.get(id) == Some(&1)));
    assert_eq!(reminders_queued(p, &event), 600, "each holder queued once, however the runs overlapped");
}

/// The participants index is eventually consistent, and a confirmation is keyed by
/// an instant taken before its transaction commits: one can show up after a
/// fresher one was already read. A run that caught up must not record a position
/// past it.
#[tokio::test]
async fn a_confirmation_that_shows_up_late_behind_a_fresher_one_is_still_reminded() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = event_starting(p, &organizer, Duration::hours(2), 10).await;
    let holders = vec![p.attendee().await];
    let fresh = seed_confirmed(p, &event, &tier, &holders, 1).await;
    assert!(started(&fire(p).await, &event));
    until_all_reminded(p, &fresh, StdDuration::from_secs(30), None).await;

    // Keyed 20 s ago, visible only now: it sorts before the holder already reminded.
    let late = seed_confirmed_at(p, &event, &tier, &holders, 1, Utc::now() - Duration::seconds(20)).await;
    fire(p).await;
    let counts = until_all_reminded(p, &late, StdDuration::from_secs(30), Some(StdDuration::from_secs(5))).await;
    assert_eq!(counts, [1]);
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    assert_eq!(reminders_by_reservation(p).await.get(&fresh[0]), Some(&1), "the fresher one is not reminded again");
}
