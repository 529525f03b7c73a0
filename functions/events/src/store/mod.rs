//! Where events live, behind a small trait; `dynamodb` is the adapter.

pub mod dynamodb;
pub mod participants;

use crate::domain::event::{Category, Event, TierPlan};
use chrono::{DateTime, Utc};
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
}

pub struct EventPage {
    pub events: Vec<Event>,
    pub next_cursor: Option<String>,
}

pub trait EventStore: Send + Sync {
    /// Writes the event and its tiers together.
    fn create(&self, event: &Event) -> impl Future<Output = StoreResult<()>> + Send;
    fn get(&self, id: &str) -> impl Future<Output = StoreResult<Option<Event>>> + Send;
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
}
