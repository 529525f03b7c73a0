//! The door's table behind a small trait; `dynamodb` is the adapter.
//!
//! | item | pk | sk | index `gsi1` |
//! |---|---|---|---|
//! | ticket | `TICKET#<code>` | `TICKET` | `EVENT#<event>#TICKETS` / `<code>` (the door list) |
//! | gates, re-entry | `EVENT#<event>` | `RULES` | — |
//! | admission counter | `EVENT#<event>` | `COUNT#<nn>` (16 of them) | — |
//! | door staff | `EVENT#<event>` | `STAFF#<user>` | `STAFF#<user>` / `<event>` (a person's events) |

pub mod dynamodb;

use crate::domain::admission::{Ticket, Verdict};
use crate::domain::rules::DoorRules;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::dynamo::Failure;
use shared::messages::TicketsChanged;
use std::collections::BTreeMap;
use std::future::Future;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The ticket is not in the state the verdict was decided from any more
    /// (another gate got there first): read it again and decide again.
    #[error("the ticket changed meanwhile")]
    Stale,
    #[error("the listing cursor is not valid")]
    BadCursor,
    #[error(transparent)]
    Storage(#[from] Failure),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Admissions so far, summed over the counter items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub admitted: i64,
    pub inside: i64,
    pub by_tier: BTreeMap<String, i64>,
    pub by_gate: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffGrant {
    pub event_id: String,
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub granted_at: DateTime<Utc>,
    /// The event's title and start when granted, for the person's list of events.
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
}

pub struct TicketPage {
    pub tickets: Vec<Ticket>,
    pub next_cursor: Option<String>,
}

pub trait DoorStore: Send + Sync {
    fn ticket(&self, code: &str) -> impl Future<Output = StoreResult<Option<Ticket>>> + Send;
    /// Writes a verdict decided from `ticket` as read, with its count, in one
    /// transaction whose condition is that state: `Stale` if it changed meanwhile.
    fn write_verdict(&self, ticket: &Ticket, verdict: &Verdict) -> impl Future<Output = StoreResult<()>> + Send;
    fn rules(&self, event_id: &str) -> impl Future<Output = StoreResult<DoorRules>> + Send;
    fn put_rules(&self, event_id: &str, rules: &DoorRules) -> impl Future<Output = StoreResult<()>> + Send;
    fn counts(&self, event_id: &str) -> impl Future<Output = StoreResult<Counts>> + Send;
    /// Takes a ticket change unless each ticket holds a newer one; how many tickets took it.
    fn apply_change(
        &self,
        change: &TicketsChanged,
        holder: Option<&str>,
    ) -> impl Future<Output = StoreResult<usize>> + Send;
    fn tickets_page(
        &self,
        event_id: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<TicketPage>> + Send;
    fn staff_grant(
        &self,
        event_id: &str,
        user_id: &str,
    ) -> impl Future<Output = StoreResult<Option<StaffGrant>>> + Send;
    fn grant(&self, grant: &StaffGrant) -> impl Future<Output = StoreResult<()>> + Send;
    /// Whether there was a grant to revoke.
    fn revoke(&self, event_id: &str, user_id: &str) -> impl Future<Output = StoreResult<bool>> + Send;
    fn staff(&self, event_id: &str) -> impl Future<Output = StoreResult<Vec<StaffGrant>>> + Send;
    fn grants_of(&self, user_id: &str) -> impl Future<Output = StoreResult<Vec<StaffGrant>>> + Send;
}
