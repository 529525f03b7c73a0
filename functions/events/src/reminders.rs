//! Reminder schedule: the contract through which the reservations domain learns
//! which events' ticket holders are to be reminded now, and what a reminder says
//! about the event.
//!
//! The events domain keeps every published event with a start on an index by the
//! instant its reminders fall due (`start - lead`, gsi4 `REMINDERS` of the events
//! table); publishing, editing the start or the lead, and cancelling rewrite or
//! remove that entry. [`due`] reads it (a key condition, never a scan);
//! [`occurrence`] reads one event's current start, so a worker can stop when the
//! organizer moved it or cancelled the event meanwhile.

use crate::domain::event::{Event, Status, Venue};
use crate::domain::reminder;
use crate::store::dynamodb::DynamoEventStore;
use crate::store::{EventStore, StoreError};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use chrono_tz::Tz;
use shared::dynamo::Failure;

/// An event's start as its holders are reminded of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub event_id: String,
    pub title: String,
    /// Published and not cancelled (ended events are past their start anyway).
    pub published: bool,
    pub starts_at: DateTime<Utc>,
    pub timezone: Tz,
    pub lead: Duration,
    pub venue: Option<Venue>,
}

impl Occurrence {
    fn from_event(event: Event) -> Option<Self> {
        let d = event.details;
        Some(Self {
            event_id: event.id,
            title: d.title,
            published: event.status == Status::Published,
            starts_at: d.starts_at?,
            timezone: d.timezone,
            lead: reminder::lead(d.reminder_lead_minutes),
            venue: d.venue,
        })
    }

    /// Whether its holders are to be reminded at `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.published && reminder::is_due(self.starts_at, self.lead, now)
    }

    /// The start in the event's own zone, RFC 3339 with its offset.
    pub fn starts_at_local(&self) -> String {
        self.starts_at.with_timezone(&self.timezone).to_rfc3339_opts(SecondsFormat::Secs, false)
    }

    /// The start as stored (UTC, seconds): what names this occurrence.
    pub fn start_key(&self) -> String {
        crate::inventory::stored_instant(self.starts_at)
    }

    /// "Venue name, City".
    pub fn venue_name(&self) -> Option<String> {
        self.venue.as_ref().map(|v| format!("{}, {}", v.name, v.city))
    }

    /// "Street, City, CC".
    pub fn venue_address(&self) -> Option<String> {
        self.venue.as_ref().map(|v| format!("{}, {}, {}", v.address, v.city, v.country))
    }
}

fn storage(err: StoreError) -> Failure {
    match err {
        StoreError::Storage(failure) => failure,
        other => Failure::Other(other.to_string()),
    }
}

/// Published events whose reminders are due at `now` and that have not started.
pub async fn due(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Occurrence>, Failure> {
    let store = DynamoEventStore::new(client.clone(), table);
    let events = store.reminders_due(now).await.map_err(storage)?;
    Ok(events.into_iter().filter_map(Occurrence::from_event).filter(|o| o.is_due(now)).collect())
}

/// The event's current start and details; `None` if it does not exist or has no start.
pub async fn occurrence(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
) -> Result<Option<Occurrence>, Failure> {
    let store = DynamoEventStore::new(client.clone(), table);
    Ok(store.get(event_id).await.map_err(storage)?.and_then(Occurrence::from_event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::tests::{at, event, tier};

    #[test]
    fn an_occurrence_shows_the_start_in_the_events_zone() {
        let published = Event { status: Status::Published, ..event(vec![tier("std", 10, 10)]) };
        let o = Occurrence::from_event(published).unwrap();
        assert_eq!(o.starts_at_local(), "2030-05-01T21:00:00+02:00");
        assert_eq!(o.start_key(), "2030-05-01T19:00:00Z");
        assert_eq!(o.venue_name().as_deref(), Some("Stade, Paris"));
        assert_eq!(o.venue_address().as_deref(), Some("1 rue du Stade, Paris, FR"));
        assert!(o.is_due(at("2030-05-01T08:00:00Z")) && !o.is_due(at("2030-04-30T08:00:00Z")));
        let cancelled = Occurrence { published: false, ..o };
        assert!(!cancelled.is_due(at("2030-05-01T08:00:00Z")));
        let mut undated = event(vec![]);
        undated.details.starts_at = None;
        assert_eq!(Occurrence::from_event(undated), None);
    }
}
