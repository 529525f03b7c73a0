//! Where events live, behind a small trait; `dynamodb` is the adapter.

pub mod dynamodb;
pub mod participants;

use crate::domain::event::{Category, Event, TierPlan};
use chrono::{DateTime, Utc};
use shared::ApiError;
use std::future::Future;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the event changed meanwhile")]
    Conflict,
    #[error("the listing cursor is not valid")]
    BadCursor,
    #[error("storage failure: {0}")]
    Backend(String),
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict => ApiError::conflict(
                "concurrent_change",
                "the event or its sales changed while you were editing it; reload and try again",
            ),
            StoreError::BadCursor => ApiError::bad_request("the cursor is not valid; start again without it"),
            StoreError::Backend(detail) => {
                tracing::error!(%detail, "events store failed");
                ApiError::internal()
            }
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<shared::dynamo::Failure> for StoreError {
    fn from(failure: shared::dynamo::Failure) -> Self {
        StoreError::Backend(failure.0)
    }
}

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
