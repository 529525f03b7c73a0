//! Where events live, behind a small trait; `dynamodb` is the adapter.

pub mod dynamodb;
pub mod participants;

use crate::domain::event::{Category, Event, TierPlan};
use crate::domain::seat_blocks::BlockRequest;
use crate::domain::seat_map::Seating;
use crate::seats::SeatState;
use chrono::{DateTime, Utc};
use seating::map::{SeatId, SeatMap};
use shared::dynamo::Failure;
use std::future::Future;

/// What a store call can answer besides success. Storage failures keep their kind
/// (throttled, cancelled, ...) until the handler edge maps them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The event, or its sales, changed since it was read (version or tier guards).
    #[error("the event changed meanwhile")]
    Conflict,
    #[error("the listing cursor is not valid")]
    BadCursor,
    /// Seats to block that someone holds, bought or blocked already.
    #[error("seats not free")]
    SeatsNotFree(Vec<SeatId>),
    /// Seats to unblock that are not blocked.
    #[error("seats not blocked")]
    SeatsNotBlocked(Vec<SeatId>),
    /// The tier's counted seats kept changing under a block (a sale in full swing).
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Storage(#[from] Failure),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// By start time, the soonest first.
    Soonest,
    /// By publication, the latest first.
    Newest,
}

/// The public listing's filters.
#[derive(Debug, Clone)]
pub struct PublicQuery {
    pub category: Option<Category>,
    pub city: Option<String>,
    pub text: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub sort: Sort,
    pub limit: usize,
}

impl PublicQuery {
    /// Soonest-first without `from` lists what has not started yet.
    pub fn upcoming_unless_from(self, now: DateTime<Utc>) -> Self {
        match (self.from, self.sort) {
            (None, Sort::Soonest) => Self { from: Some(now), ..self },
            _ => self,
        }
    }

    /// Whether any event can match: an upcoming-only listing ending before now
    /// (`to` in the past, no `from`) matches nothing, and is not worth a query.
    pub fn can_match(&self) -> bool {
        match (self.from, self.to) {
            (Some(from), Some(to)) => from <= to,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: Option<&str>, to: Option<&str>) -> PublicQuery {
        let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        PublicQuery {
            category: None,
            city: None,
            text: None,
            from: from.map(at),
            to: to.map(at),
            sort: Sort::Soonest,
            limit: 20,
        }
    }

    #[test]
    fn a_range_that_ended_before_now_matches_nothing() {
        let now = "2026-11-24T18:00:00Z".parse().unwrap();
        assert!(!query(None, Some("2000-01-01T23:59:59Z")).upcoming_unless_from(now).can_match());
        assert!(query(None, Some("2030-01-01T00:00:00Z")).upcoming_unless_from(now).can_match());
        assert!(query(None, None).upcoming_unless_from(now).can_match());
        let newest = PublicQuery { sort: Sort::Newest, ..query(None, Some("2000-01-01T00:00:00Z")) };
        assert!(newest.upcoming_unless_from(now).can_match(), "past events are listed newest-first");
    }
}

pub struct EventPage {
    pub events: Vec<Event>,
    pub next_cursor: Option<String>,
}

pub trait EventStore: Send + Sync {
    /// The account's team as it stands now (the team contract), for a decision
    /// that rests on it.
    fn current_team(&self, user_id: &str)
    -> impl Future<Output = StoreResult<Option<shared::auth::Membership>>> + Send;
    /// Writes the event and its tiers together.
    fn create(&self, event: &Event) -> impl Future<Output = StoreResult<()>> + Send;
    /// The event with each tier's seats as last summarised (public pages).
    fn get(&self, id: &str) -> impl Future<Output = StoreResult<Option<Event>>> + Send;
    /// The event with each tier's exact seats, its shards read (for edits).
    fn get_exact(&self, id: &str) -> impl Future<Output = StoreResult<Option<Event>>> + Send;
    /// Replaces `before` by `after` if nobody changed it meanwhile, applying the tier
    /// plan with its guards (capacity above sales, no removal of sold tiers, no
    /// currency change once anything is sold) in one transaction.
    fn update(&self, before: &Event, after: &Event, plan: &TierPlan) -> impl Future<Output = StoreResult<()>> + Send;
    /// Deletes the event and its tiers if nobody changed it since `before` was read
    /// (`Conflict` otherwise: it may have been published meanwhile).
    fn delete(&self, before: &Event) -> impl Future<Output = StoreResult<()>> + Send;
    fn list_published(
        &self,
        query: &PublicQuery,
        cursor: Option<&str>,
    ) -> impl Future<Output = StoreResult<EventPage>> + Send;
    fn list_by_organizer(
        &self,
        organizer_id: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> impl Future<Output = StoreResult<EventPage>> + Send;
    /// The event's seat map in force (`None` if it has none).
    fn seat_map(&self, event: &Event) -> impl Future<Output = StoreResult<Option<SeatMap>>> + Send;
    /// The seats not available (held, sold, blocked), as last refreshed from the stream.
    fn taken_seats(
        &self,
        event_id: &str,
    ) -> impl Future<Output = StoreResult<std::collections::HashMap<SeatId, SeatState>>> + Send;
    /// Puts the new map version's rows, then makes it the one in force together
    /// with the tiers' new capacities (as `update`, guarded the same way).
    fn put_seat_map(&self, before: &Event, seating: &Seating) -> impl Future<Output = StoreResult<()>> + Send;
    /// Blocks and unblocks seats in one transaction with their tiers' counted
    /// seats (`change`: per tier, seats withheld if positive, given back if negative).
    fn block_seats(
        &self,
        event: &Event,
        request: &BlockRequest,
        change: &std::collections::BTreeMap<String, i64>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}
