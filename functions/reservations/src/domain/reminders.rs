//! Reminders: every confirmed reservation of an event gets exactly one reminder
//! per start of the event (a start the organizer moves is reminded again).
//!
//! How "exactly one" holds, whatever runs overlap, repeat or die half-way:
//!
//! 1. A marker per (reservation, start) is **claimed** with a conditional write
//!    (`attribute_not_exists`, or an earlier claim that has lapsed). Only the
//!    claimant queues the reminder, so two runs over the same holders queue it once.
//! 2. The claimant queues the notification, then marks the marker **sent**.
//! 3. A claim lapses shortly after its claimant's invocation deadline: Lambda has
//!    stopped that invocation by then, so a claim that is still `claimed` means it
//!    died between 1 and 3, and another run may claim it again and queue it again.
//!    If it died after queueing (between 2 and 3), that second message is a
//!    duplicate, which the notification consumer drops: it sends one email per
//!    (reservation, reminder, start) (`NotificationRequest::dedupe_key`). So no
//!    reminder is lost (a claim never blocks forever) and none is emailed twice.
//!
//! An event's holders are reminded a page at a time, in the order they were
//! confirmed: each page message names where the page begins (the participants
//! index's sort key of the last holder reminded); after its page, a run advances
//! the event's **run record** from there to the page's last holder with a
//! conditional write, and only the run that advanced queues the next page. A
//! duplicate run (the schedule firing twice, a redelivered message) therefore
//! stops at its first page boundary, and the scheduled function resumes every due
//! event's run from its recorded position, which also finds holders who booked
//! after the run had caught up (new confirmations sort last).
//! A page with holders claimed by another live run is put back on the queue until
//! those claims lapse, so a page is never passed over with a holder left behind.

use super::reservation::{Reservation, Status};
use chrono::{DateTime, Utc};
use events::reminders::Occurrence;
use serde::{Deserialize, Serialize};
use shared::messages::{BookingSummary, NotificationKind, NotificationRequest};
use std::collections::HashMap;

/// On `ReminderPagesQueue`: remind one page of an event's holders of one start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ReminderMessage {
    #[serde(rename = "reminders.page.v1")]
    Page(ReminderPage),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReminderPage {
    pub event_id: String,
    /// The start being announced, as the events domain stores it (UTC).
    pub starts_at: String,
    /// The participants-index sort key after which the page begins; `None`: from the first holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A reservation's reminder marker for one start, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A run took it on; it lapses at `until`.
    Claimed {
        until: DateTime<Utc>,
    },
    Sent,
}

/// What a run does about one holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Claim the marker, then queue the reminder.
    Claim,
    AlreadySent,
    /// Another run is on it until this instant.
    Busy(DateTime<Utc>),
}

/// How long a confirmation may take to appear in the participants index after the
/// instant it is keyed by: `confirmedAt` is taken before the confirming transaction
/// commits, and the index is eventually consistent. Keys confirmed more recently
/// than this may still have earlier neighbours that are not visible yet.
pub const INDEX_SETTLE_SECONDS: i64 = 60;

/// Where a run records itself after a page that began at index key `from` and
/// ended at `last` (`None`: the page was empty), and whether it reads on. A full
/// page reads on from its last key. A run that has caught up records no position
/// past the settle line (confirmations of the last [`INDEX_SETTLE_SECONDS`]): the
/// next firing of the schedule reads on from there, so a confirmation that showed
/// up in the index late, behind fresher ones, is still found (the fresher ones,
/// already reminded, are skipped by their markers). The line never equals a real
/// key, so an old page message can never match the recorded position by chance.
pub fn next_position(from: Option<&str>, last: Option<&str>, full: bool, now: DateTime<Utc>) -> (Option<String>, bool) {
    if let (Some(last), true) = (last, full) {
        return (Some(last.to_owned()), true);
    }
    let Some(last) = last.or(from) else { return (None, false) };
    let line = events::store::participants::position_before(&shared::clock::stored(
        now - chrono::Duration::seconds(INDEX_SETTLE_SECONDS),
    ));
    (Some(line.min(last.to_owned())), false)
}

pub fn step(marker: Option<Marker>, now: DateTime<Utc>) -> Step {
    match marker {
        None => Step::Claim,
        Some(Marker::Sent) => Step::AlreadySent,
        Some(Marker::Claimed { until }) if until <= now => Step::Claim,
        Some(Marker::Claimed { until }) => Step::Busy(until),
    }
}

/// One holder a page will claim and, once claimed, remind.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub reservation_id: String,
    pub request: NotificationRequest,
}

/// What a page does about its holders, decided from their markers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PagePlan {
    /// Holders to claim and remind, in the page's order.
    pub due: Vec<Due>,
    pub already_sent: u32,
    /// Holders another live run has claimed, and the latest instant one of those claims lapses.
    pub busy: u32,
    pub busy_until: Option<DateTime<Utc>>,
}

impl PagePlan {
    /// A holder found claimed by another run after all (its claim won the race).
    pub fn lost_claim(&mut self, until: DateTime<Utc>) {
        self.busy += 1;
        self.busy_until = self.busy_until.max(Some(until));
    }
}

/// Which of a page's holders (as they stand now) to remind, given their markers for
/// this start. Holders who are no longer confirmed are left out: the participants
/// index lags a cancellation.
pub fn plan(
    holders: &[Reservation],
    markers: &HashMap<String, Marker>,
    event: &Occurrence,
    now: DateTime<Utc>,
) -> PagePlan {
    let mut plan = PagePlan::default();
    for reservation in holders {
        let Some(request) = reminder(reservation, event) else { continue };
        match step(markers.get(&reservation.id).copied(), now) {
            Step::AlreadySent => plan.already_sent += 1,
            Step::Busy(until) => plan.lost_claim(until),
            Step::Claim => plan.due.push(Due { reservation_id: reservation.id.clone(), request }),
        }
    }
    plan
}

/// How long after its invocation's deadline a claim lapses: margin for clocks.
pub const CLAIM_MARGIN_SECONDS: i64 = 3;

/// Until when a run whose invocation ends at `deadline` holds its claims.
pub fn claim_until(deadline: DateTime<Utc>) -> DateTime<Utc> {
    deadline + chrono::Duration::seconds(CLAIM_MARGIN_SECONDS)
}

/// An event's run for one start, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Run {
    /// The participants-index sort key of the last holder reminded; `None`: nobody yet.
    pub position: Option<String>,
    /// Its last page was not full: every holder confirmed so far has been reminded.
    pub caught_up: bool,
    /// When a page last moved it, or a firing took it on (stored text).
    pub updated_at: Option<String>,
}

/// Whether a firing of the schedule should (re)start the run: when there is none
/// yet, when it has caught up (to find holders who booked since), or when its chain
/// has not moved for longer than a page can take (`page_timeout` and the claim
/// margin: its page was cut off or its message lost). A chain in progress is not
/// doubled: two runs over the same page would wait for each other's claims to lapse.
pub fn should_start(run: Option<&Run>, page_timeout: chrono::Duration, now: DateTime<Utc>) -> bool {
    let Some(run) = run else { return true };
    if run.caught_up {
        return true;
    }
    let stalled_after = page_timeout + chrono::Duration::seconds(CLAIM_MARGIN_SECONDS);
    let moved = run.updated_at.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    moved.is_none_or(|at| now - at.with_timezone(&Utc) > stalled_after)
}

/// The reminder for a reservation, with the event as it is now; `None` unless the
/// reservation is confirmed for this event (cancelled ones and pending holds get none).
pub fn reminder(reservation: &Reservation, event: &Occurrence) -> Option<NotificationRequest> {
    if reservation.status != Status::Confirmed || reservation.event_id != event.event_id {
        return None;
    }
    let moved = reservation.starts_at.filter(|booked| *booked != event.starts_at);
    let previous = moved.map(|booked| {
        reservation.starts_at_local.clone().unwrap_or_else(|| {
            booked.with_timezone(&event.timezone).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
        })
    });
    Some(NotificationRequest {
        kind: NotificationKind::Reminder,
        reservation_id: reservation.id.clone(),
        user_id: reservation.user_id.clone(),
        booking: BookingSummary {
            event_id: event.event_id.clone(),
            event_title: event.title.clone(),
            venue: event.venue_name(),
            venue_address: event.venue_address(),
            timezone: Some(event.timezone.name().to_owned()),
            starts_at_local: Some(event.starts_at_local()),
            tier_name: reservation.tier_name.clone(),
            quantity: reservation.quantity,
            amount_minor: reservation.amount_minor,
            currency: reservation.currency.clone(),
            ticket_codes: reservation.tickets.clone(),
            seats: reservation.seats.iter().map(|s| s.name.clone()).collect(),
        },
        event_starts_at: Some(event.start_key()),
        previous_starts_at_local: previous,
        transfer: None,
        refund: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_page_event_carries_a_page_message() {
        let sample = include_str!("../../../../events/SendRemindersFunction/reminder-page.json");
        let event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_str(sample).unwrap();
        let body = event.records[0].body.as_deref().unwrap();
        let ReminderMessage::Page(page) = shared::messages::decode::<ReminderMessage>(body).unwrap();
        assert_eq!((page.starts_at.as_str(), page.cursor), ("2027-06-01T18:00:00Z", None));
    }

    #[test]
    fn a_run_in_progress_is_not_started_again_until_it_stalls() {
        let now: DateTime<Utc> = "2026-11-24T19:00:00Z".parse().unwrap();
        let run = |caught_up, at: &str| Run { position: Some("k".into()), caught_up, updated_at: Some(at.into()) };
        let timeout = chrono::Duration::seconds(60);
        assert!(should_start(None, timeout, now), "no run yet");
        assert!(should_start(Some(&run(true, "2026-11-24T18:59:59.000Z")), timeout, now), "caught up: new holders?");
        assert!(!should_start(Some(&run(false, "2026-11-24T18:59:00.000Z")), timeout, now), "its chain carries it");
        assert!(
            should_start(Some(&run(false, "2026-11-24T18:58:56.000Z")), timeout, now),
            "stalled past a page's time"
        );
    }

    #[test]
    fn a_caught_up_run_stops_short_of_the_freshest_confirmations() {
        let now: DateTime<Utc> = "2026-11-24T19:00:00Z".parse().unwrap();
        let old = "CONFIRMED#2026-11-24T18:50:00.000Z#r1";
        let fresh = "CONFIRMED#2026-11-24T18:59:30.000Z#r2";
        let line = "CONFIRMED#2026-11-24T18:59:00.000Z";
        assert_eq!(next_position(None, Some(old), true, now), (Some(old.to_owned()), true), "full: read on");
        assert_eq!(
            next_position(None, Some(fresh), true, now),
            (Some(fresh.to_owned()), true),
            "even through fresh keys"
        );
        assert_eq!(
            next_position(None, Some(old), false, now),
            (Some(old.to_owned()), false),
            "settled: caught up there"
        );
        assert_eq!(
            next_position(Some(old), Some(fresh), false, now),
            (Some(line.to_owned()), false),
            "fresh: the line"
        );
        assert_eq!(next_position(Some(old), None, false, now), (Some(old.to_owned()), false), "nothing new");
        assert_eq!(
            next_position(Some(fresh), None, false, now),
            (Some(line.to_owned()), false),
            "an empty last page too"
        );
        assert_eq!(next_position(None, None, false, now), (None, false), "no holders yet");
        // A confirmation keyed at 18:59:10 that shows up only now sorts after the line: the next run reads it.
        assert!("CONFIRMED#2026-11-24T18:59:10.000Z#r3" > line);
    }
    use crate::domain::reservation::BookedSeat;
    use crate::domain::reservation::tests::{at, reservation};
    use events::domain::event::Venue;
    use shared::Clock;
    use shared::clock::FixedClock;

    fn occurrence(start: &str) -> Occurrence {
        Occurrence {
            event_id: "e1".into(),
            title: "Final".into(),
            published: true,
            starts_at: at(start),
            timezone: "Europe/Paris".parse().unwrap(),
            lead: chrono::Duration::hours(24),
            venue: Some(Venue {
                name: "Stade".into(),
                address: "1 rue du Stade".into(),
                city: "Lyon".into(),
                country: "FR".into(),
            }),
        }
    }

    #[test]
    fn markers_are_claimed_once_and_lapsed_claims_again() {
        let now = FixedClock(at("2030-06-01T10:00:00Z")).now();
        assert_eq!(step(None, now), Step::Claim);
        assert_eq!(step(Some(Marker::Sent), now), Step::AlreadySent);
        let live = at("2030-06-01T10:00:05Z");
        assert_eq!(step(Some(Marker::Claimed { until: live }), now), Step::Busy(live));
        let lapsed = at("2030-06-01T09:59:59Z");
        assert_eq!(step(Some(Marker::Claimed { until: lapsed }), now), Step::Claim, "its run died");
        assert_eq!(claim_until(now), at("2030-06-01T10:00:03Z"));
    }

    #[test]
    fn only_confirmed_reservations_of_the_event_are_reminded() {
        let event = occurrence("2030-06-01T18:00:00Z");
        let confirmed = Reservation { tickets: vec!["T1".into(), "T2".into()], ..reservation(Status::Confirmed) };
        let r = reminder(&confirmed, &event).unwrap();
        assert_eq!(r.kind, NotificationKind::Reminder);
        assert_eq!(r.dedupe_key(), "r1:reminder:2030-06-01T18:00:00Z");
        assert_eq!(r.booking.starts_at_local.as_deref(), Some("2030-06-01T20:00:00+02:00"));
        assert_eq!(r.booking.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(r.booking.venue_address.as_deref(), Some("1 rue du Stade, Lyon, FR"));
        assert_eq!(r.booking.ticket_codes, ["T1", "T2"]);
        assert!(r.booking.seats.is_empty(), "a tier without seats");
        assert_eq!(r.previous_starts_at_local, None, "booked for this start");
        let seated = Reservation {
            seats: vec![
                BookedSeat { id: "1-3-11".into(), name: "Nord, row C, seat 11".into() },
                BookedSeat { id: "1-3-12".into(), name: "Nord, row C, seat 12".into() },
            ],
            ..confirmed.clone()
        };
        let r = reminder(&seated, &event).unwrap();
        assert_eq!(r.booking.seats, ["Nord, row C, seat 11", "Nord, row C, seat 12"], "the reminder names the seats");
        for other in [Status::PendingPayment, Status::Cancelled, Status::Expired, Status::PaymentFailed] {
            assert!(reminder(&reservation(other), &event).is_none(), "{other:?}");
        }
        let elsewhere = Reservation { event_id: "e2".into(), ..confirmed };
        assert!(reminder(&elsewhere, &event).is_none());
    }

    #[test]
    fn a_moved_start_is_another_reminder_that_says_so() {
        let moved = occurrence("2030-06-01T19:00:00Z");
        let r = reminder(&reservation(Status::Confirmed), &moved).unwrap();
        assert_eq!(r.dedupe_key(), "r1:reminder:2030-06-01T19:00:00Z");
        assert_eq!(r.booking.starts_at_local.as_deref(), Some("2030-06-01T21:00:00+02:00"));
        assert_eq!(r.previous_starts_at_local.as_deref(), Some("2030-06-01T20:00:00+02:00"));
    }

    #[test]
    fn a_page_plans_one_claim_per_holder_not_yet_reminded() {
        let now = at("2030-06-01T10:00:00Z");
        let event = occurrence("2030-06-01T18:00:00Z");
        let holder = |id: &str, status| Reservation { id: id.into(), ..reservation(status) };
        let holders = [
            holder("new", Status::Confirmed),
            holder("sent", Status::Confirmed),
            holder("live", Status::Confirmed),
            holder("lapsed", Status::Confirmed),
            holder("cancelled", Status::Cancelled),
        ];
        let live = at("2030-06-01T10:00:20Z");
        let markers = HashMap::from([
            ("sent".to_owned(), Marker::Sent),
            ("live".to_owned(), Marker::Claimed { until: live }),
            ("lapsed".to_owned(), Marker::Claimed { until: at("2030-06-01T09:59:00Z") }),
            ("cancelled".to_owned(), Marker::Sent),
        ]);
        let mut plan = plan(&holders, &markers, &event, now);
        let due: Vec<&str> = plan.due.iter().map(|d| d.reservation_id.as_str()).collect();
        assert_eq!(due, ["new", "lapsed"]);
        assert_eq!(plan.due[0].request.reservation_id, "new");
        assert_eq!((plan.already_sent, plan.busy, plan.busy_until), (1, 1, Some(live)));
        let later = at("2030-06-01T10:00:40Z");
        plan.lost_claim(later);
        assert_eq!((plan.busy, plan.busy_until), (2, Some(later)), "a claim lost to a race waits like a busy one");
    }

    #[test]
    fn page_messages_round_trip() {
        let page = ReminderMessage::Page(ReminderPage {
            event_id: "e1".into(),
            starts_at: "2030-06-01T18:00:00Z".into(),
            cursor: None,
        });
        let body = shared::messages::encode(&page);
        assert_eq!(body, r#"{"type":"reminders.page.v1","eventId":"e1","startsAt":"2030-06-01T18:00:00Z"}"#);
        assert_eq!(shared::messages::decode::<ReminderMessage>(&body).unwrap(), page);
    }
}
