//! Where reservations live, behind a small trait; `dynamodb` is the adapter.

pub mod dynamodb;
pub mod promo;
pub mod reminders;
pub mod sales;
pub mod waiting_list;

use crate::domain::reservation::{Ending, Reservation};
use chrono::{DateTime, Utc};
use shared::dynamo::Failure;
use std::future::Future;

/// What a store call can answer besides success. Storage failures keep their kind.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The event is not on sale any more (checked in the hold's transaction).
    #[error("sales are closed")]
    SalesClosed,
    /// Not enough seats in the whole tier: a snapshot of all its shards, read at
    /// one instant, showed `remaining`.
    #[error("sold out")]
    SoldOut { remaining: u32 },
    /// Seats picked on the map that someone else holds, bought or blocked (their ids).
    #[error("seats taken")]
    SeatsTaken(Vec<String>),
    /// More than one order may take (the tier's limit changed since the offer was read).
    #[error("too many for one order")]
    TooMany { max_per_order: u32 },
    /// Too many holds at once on the tier's shards to finish this one now.
    #[error("the tier is too busy")]
    Busy,
    /// A reservation with this id exists already: an earlier attempt of the same
    /// request (same `Idempotency-Key`) made it.
    #[error("the reservation exists already")]
    AlreadyHeld,
    /// The reservation is no longer in the state the change expected: another
    /// request, the sweeper or the payment got there first.
    #[error("the reservation changed meanwhile")]
    Changed,
    /// The event was cancelled (checked in the confirming transaction).
    #[error("the event is cancelled")]
    EventCancelled,
    /// Another card is asked for only after a failed authentication, while the hold lasts.
    #[error("the reservation is not waiting for another card")]
    NotAwaitingCard,
    /// The promo code has fewer uses left than the order's tickets (checked in the hold's transaction).
    #[error("the promo code is used up")]
    PromoUsedUp,
    /// The waiter is no longer in line (left, or offered seats by a concurrent run).
    #[error("no longer waiting")]
    NoLongerWaiting,
    /// A promo code with this name exists for the event already.
    #[error("the promo code exists already")]
    PromoExists,
    #[error("the listing cursor is not valid")]
    BadCursor,
    #[error(transparent)]
    Storage(#[from] Failure),
}

pub type StoreResult<T> = Result<T, StoreError>;

pub struct ReservationPage {
    pub reservations: Vec<Reservation>,
    pub next_cursor: Option<String>,
}

pub trait ReservationStore: Send + Sync {
    /// Takes the seats from one of the tier's `shards` and records the pending
    /// reservation, in one transaction that also checks the sales window; the
    /// reservation as recorded (with its seats' shard).
    fn hold(
        &self,
        reservation: &Reservation,
        shards: u32,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<Reservation>> + Send;
    fn get(&self, id: &str) -> impl Future<Output = StoreResult<Option<Reservation>>> + Send;
    fn list_for_user(
        &self,
        user_id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> impl Future<Output = StoreResult<ReservationPage>> + Send;
    /// Ends a reservation that holds seats (`ending.to` holds none) and gives the
    /// seats back, in one transaction conditioned on its current state.
    fn release(
        &self,
        reservation: &Reservation,
        ending: Ending,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Hands a confirmed reservation's tickets to `to_user` with `codes` (new ones),
    /// provided it is still as read (the same holder, codes and state).
    fn transfer(
        &self,
        reservation: &Reservation,
        to_user: &str,
        codes: &[String],
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Records a partial refund of a confirmed reservation, provided its refunds are
    /// still those read (`Changed` otherwise: read again and decide again).
    fn add_partial_refund(
        &self,
        reservation: &Reservation,
        refund: &crate::domain::refund::PartialRefund,
        now: DateTime<Utc>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The event's promo code matching `code` (codes ignore case).
    fn promo_code(
        &self,
        event_id: &str,
        code: &str,
    ) -> impl Future<Output = StoreResult<Option<crate::domain::promo::PromoCode>>> + Send;
    /// The account's team as it stands now (the team contract).
    fn current_team(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<shared::auth::Membership>, Failure>> + Send;
    /// Whether anyone waits in the tier's line (as read at most a second ago by this
    /// instance): seats that come back are theirs first.
    fn someone_waits(&self, event_id: &str, tier_id: &str) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Pending reservations whose hold ended before `now`, oldest first.
    fn expired_holds(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = StoreResult<Vec<Reservation>>> + Send;
}
