//! The reservations table in DynamoDB:
//!
//! | item | pk | sk | indexes |
//! |---|---|---|---|
//! | reservation | `RESERVATION#<id>` | `RESERVATION` | gsi2 `USER#<userId>` / `<createdAt>#<id>` (mine, newest first); gsi3 `EVENT#<eventId>` / `<createdAt>#<id>` (an event's reservations, for cancelling it); gsi1 while pending: `HOLDS#<n>` / `<holdExpiresAt>#<id>` (the sweeper's work list, spread over [`HOLD_PARTITIONS`] partitions by id so that an on-sale's holds do not all write one index partition); gsi1 once confirmed: `EVENT#<eventId>` / `CONFIRMED#…` (the participants contract) |
//! | idempotency record | `IDEMPOTENCY#create-reservation#<userId>:<key>` | `IDEMPOTENCY` | — |
//! | promo code | `PROMO#<eventId>` | `CODE#<CODE>` (upper case) | — (see `promo`) |
//!
//! Every state change is one `TransactWriteItems`: the reservation's update,
//! conditioned on the state it had, with the seat return (the events domain's
//! inventory contract) when seats go back, and whatever the caller adds (the
//! payment's own record).

use super::{ReservationPage, ReservationStore, StoreError, StoreResult};
use crate::domain::promo::AppliedPromo;
use crate::domain::refund::PartialRefund;
use crate::domain::reservation::{BookedSeat, CancelReason, Ending, PaymentProgress, PaymentStep, Reservation, Status};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use events::inventory::{self, ShardSnapshot};
use events::seats;
use events::store::participants::{Participant, listing_attributes};
use onsale::shards::{HoldPlanner, Observation, Step};
use rand::SeedableRng;
use seating::map::SeatId;
use serde::{Deserialize, Serialize};
use shared::clock::stored;
use shared::dynamo::{self, Failure, Item, string as s};
use std::collections::HashMap;
use std::sync::Mutex;

const SK: &str = "RESERVATION";
/// The sweeper's partitions of pending holds, by expiry: `HOLDS#0` to `HOLDS#7`.
/// (`HOLDS` alone is where holds made before the split wait; the sweeper reads it too.)
pub const HOLDS: &str = "HOLDS";
pub const HOLD_PARTITIONS: u32 = 8;

/// The sweeper's partition of a pending hold.
pub fn holds_partition(id: &str) -> String {
    format!("{HOLDS}#{}", spread(id, HOLD_PARTITIONS))
}

/// One of `n` places for a reservation id (FNV-1a of it: stable, spread).
pub(crate) fn spread(id: &str, n: u32) -> u32 {
    let hash = id.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    hash % n
}

pub fn reservation_pk(id: &str) -> String {
    format!("RESERVATION#{id}")
}

/// A page of an event's confirmed holders from the participants index.
#[derive(Debug, Clone)]
pub struct HolderPage {
    pub holders: Vec<Reservation>,
    /// The index sort key of the last one (where the next page begins).
    pub last: Option<String>,
    /// Whether the index may have more after `last`.
    pub more: bool,
}

pub(super) fn key(id: &str) -> Item {
    dynamo::key(reservation_pk(id), SK)
}

fn event_partition(event_id: &str) -> String {
    format!("EVENT#{event_id}")
}

fn user_partition(user_id: &str) -> String {
    format!("USER#{user_id}")
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReservationItem {
    pk: String,
    sk: String,
    id: String,
    user_id: String,
    event_id: String,
    organizer_id: String,
    event_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    venue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_at_local: Option<String>,
    tier_id: String,
    tier_name: String,
    quantity: u32,
    unit_price_minor: i64,
    amount_minor: i64,
    currency: String,
    payment_method: String,
    status: Status,
    hold_expires_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tickets: Vec<String>,
    #[serde(default)]
    refund_requested: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancel_reason: Option<CancelReason>,
    correlation_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment: Option<PaymentProgress>,
    #[serde(default, skip_serializing_if = "is_zero")]
    payment_attempt: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    transfers: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    disputed: bool,
    #[serde(default)]
    shard: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    seats: Vec<BookedSeat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    promo: Option<AppliedPromo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    refunds: Vec<PartialRefund>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waiting_list_joined_at: Option<DateTime<Utc>>,
    gsi2pk: String,
    gsi2sk: String,
    gsi3pk: String,
    gsi3sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
}

impl ReservationItem {
    fn new(r: &Reservation) -> Self {
        Self {
            pk: reservation_pk(&r.id),
            sk: SK.into(),
            id: r.id.clone(),
            user_id: r.user_id.clone(),
            event_id: r.event_id.clone(),
            organizer_id: r.organizer_id.clone(),
            event_title: r.event_title.clone(),
            venue: r.venue.clone(),
            starts_at: r.starts_at,
            starts_at_local: r.starts_at_local.clone(),
            tier_id: r.tier_id.clone(),
            tier_name: r.tier_name.clone(),
            quantity: r.quantity,
            unit_price_minor: r.unit_price_minor,
            amount_minor: r.amount_minor,
            currency: r.currency.clone(),
            payment_method: r.payment_method.clone(),
            status: r.status,
            hold_expires_at: r.hold_expires_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            tickets: r.tickets.clone(),
            refund_requested: r.refund_requested,
            cancel_reason: r.cancel_reason,
            correlation_id: r.correlation_id.clone(),
            payment: r.payment.clone(),
            payment_attempt: r.payment_attempt,
            transfers: r.transfers,
            disputed: r.disputed,
            shard: r.shard,
            seats: r.seats.clone(),
            promo: r.promo.clone(),
            refunds: r.refunds.clone(),
            waiting_list_joined_at: r.waiting_list_joined_at,
            gsi2pk: user_partition(&r.user_id),
            gsi2sk: format!("{}#{}", stored(r.created_at), r.id),
            gsi3pk: event_partition(&r.event_id),
            gsi3sk: format!("{}#{}", stored(r.created_at), r.id),
            gsi1pk: (r.status == Status::PendingPayment).then(|| holds_partition(&r.id)),
            gsi1sk: (r.status == Status::PendingPayment).then(|| format!("{}#{}", stored(r.hold_expires_at), r.id)),
        }
    }

    fn into_reservation(self) -> Reservation {
        Reservation {
            id: self.id,
            user_id: self.user_id,
            event_id: self.event_id,
            organizer_id: self.organizer_id,
            event_title: self.event_title,
            venue: self.venue,
            starts_at: self.starts_at,
            starts_at_local: self.starts_at_local,
            tier_id: self.tier_id,
            tier_name: self.tier_name,
            quantity: self.quantity,
            unit_price_minor: self.unit_price_minor,
            amount_minor: self.amount_minor,
            currency: self.currency,
            payment_method: self.payment_method,
            status: self.status,
            hold_expires_at: self.hold_expires_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            tickets: self.tickets,
            refund_requested: self.refund_requested,
            cancel_reason: self.cancel_reason,
            correlation_id: self.correlation_id,
            payment: self.payment,
            payment_attempt: self.payment_attempt,
            transfers: self.transfers,
            disputed: self.disputed,
            shard: self.shard,
            seats: self.seats,
            promo: self.promo,
            refunds: self.refunds,
            waiting_list_joined_at: self.waiting_list_joined_at,
        }
    }
}

/// The map seats a reservation holds (none for a tier without seats).
fn seat_ids(r: &Reservation) -> StoreResult<Vec<SeatId>> {
    r.seats
        .iter()
        .map(|seat| {
            SeatId::parse(&seat.id).ok_or_else(|| dynamo::failure(format!("stored seat id {:?}", seat.id)).into())
        })
        .collect()
}

/// A conditional write that did not hold: the reservation moved on meanwhile.
fn changed_unless(held: bool) -> StoreResult<()> {
    if held { Ok(()) } else { Err(StoreError::Changed) }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

pub(crate) fn decode(item: Item) -> Result<Reservation, Failure> {
    serde_dynamo::from_item::<_, ReservationItem>(item).map(ReservationItem::into_reservation).map_err(dynamo::failure)
}

/// The reservation a stream record's image shows; `None` for the table's other
/// items (idempotency records, reminders) and for a missing image.
pub fn from_image(image: &serde_dynamo::Item) -> Result<Option<Reservation>, shared::sqs::MessageFailure> {
    #[derive(Deserialize)]
    struct Kind {
        sk: String,
    }
    match shared::streams::image::<Kind>(image)? {
        Some(kind) if kind.sk == SK => {}
        _ => return Ok(None),
    }
    Ok(shared::streams::image::<ReservationItem>(image)?.map(ReservationItem::into_reservation))
}

/// How a confirmed reservation is listed among its event's participants.
fn participant(r: &Reservation, holder_name: &str, confirmed_at: DateTime<Utc>) -> Participant {
    Participant {
        reservation_id: r.id.clone(),
        tier_id: r.tier_id.clone(),
        tier_name: r.tier_name.clone(),
        quantity: r.quantity,
        holder_name: holder_name.to_owned(),
        confirmed_at: stored(confirmed_at),
        seats: r
            .seats
            .iter()
            .map(|s| events::store::participants::ParticipantSeat { id: s.id.clone(), name: s.name.clone() })
            .collect(),
    }
}

pub struct DynamoReservationStore {
    pub(super) client: Client,
    pub(super) table: String,
    pub(super) events_table: String,
    /// Where the team contract is read (`USERS_TABLE`); without it nobody acts
    /// through a team here.
    users_table: Option<String>,
    /// What this instance last saw of each tier's shards (a hint for the next hold).
    known: Mutex<HashMap<(String, String), Vec<Option<u32>>>>,
    /// Whether each tier's waiting list had anyone, and when this instance read it.
    lines: Mutex<HashMap<(String, String), (std::time::Instant, bool)>>,
}

/// The actions of the hold transaction, by position (how its cancellation reasons are read).
const HOLD_SEATS: usize = 0;
const HOLD_RESERVATION: usize = 1;

/// How one try of the hold transaction ended.
enum Try {
    Held,
    Seen(Observation),
}

impl DynamoReservationStore {
    pub fn new(client: Client, table: impl Into<String>, events_table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            events_table: events_table.into(),
            users_table: None,
            known: Mutex::default(),
            lines: Mutex::default(),
        }
    }

    /// This store, reading the team contract from `users_table`.
    pub fn with_users_table(self, users_table: Option<String>) -> Self {
        Self { users_table, ..self }
    }

    /// The store as another domain may use it: reading reservations only (it has
    /// no events table, so it cannot hold or release seats).
    pub fn reader(client: Client, table: impl Into<String>) -> Self {
        Self::new(client, table, String::new())
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The reservation's update from `from` to `to`, leaving the sweeper's list.
    fn leave(&self, r: &Reservation, ending: Ending, now: DateTime<Utc>) -> Result<TransactWriteItem, Failure> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(&r.id)))
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":to", s(ending.to.as_str()))
            .expression_attribute_values(":from", s(r.status.as_str()))
            .expression_attribute_values(":now", s(stored(now)))
            .expression_attribute_values(":refund", AttributeValue::Bool(ending.refund_requested));
        update = match ending.cancel_reason {
            Some(reason) => update
                .update_expression(
                    "SET #status = :to, updatedAt = :now, refundRequested = :refund, cancelReason = :reason \
                     REMOVE gsi1pk, gsi1sk",
                )
                .expression_attribute_values(":reason", s(reason.as_str())),
            None => update.update_expression(
                "SET #status = :to, updatedAt = :now, refundRequested = :refund REMOVE gsi1pk, gsi1sk",
            ),
        };
        let update = update.build().map_err(dynamo::failure)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Runs a state-change transaction whose first action is the reservation's
    /// conditioned update: its failure means someone else changed it first.
    async fn change(&self, actions: Vec<TransactWriteItem>) -> StoreResult<()> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
            .map_err(dynamo::transaction_failure)
        {
            Ok(_) => Ok(()),
            Err(failure) if failure.condition_failed_at(0) => Err(StoreError::Changed),
            Err(failure) => Err(failure.into()),
        }
    }

    /// Gives the seats back and ends the reservation, with `extra` actions in the
    /// same transaction.
    async fn release_with(
        &self,
        r: &Reservation,
        ending: Ending,
        now: DateTime<Utc>,
        extra: Vec<TransactWriteItem>,
    ) -> StoreResult<()> {
        debug_assert!(r.status.holds_seats() && !ending.to.holds_seats());
        let mut actions = vec![
            self.leave(r, ending, now)?,
            inventory::release(&self.events_table, &r.event_id, &r.tier_id, r.shard as usize, r.quantity)?,
        ];
        for id in seat_ids(r)? {
            actions.push(seats::release_seat(&self.events_table, &r.event_id, id, &r.id)?);
        }
        // A hold that ends unsold gives its code's uses back; a sale keeps them.
        if r.status == Status::PendingPayment {
            actions.extend(super::promo::give_back_uses(&self.table, r)?);
        }
        actions.extend(extra);
        self.change(actions).await
    }

    /// Takes the reservation's seats from one of the tier's `shards` and writes it
    /// (with the seats' shard) in the same transaction; with `sale_at`, only while
    /// the event sells. The shard planner chooses where; `sold out` only on a
    /// snapshot of every shard. Returns the reservation as written.
    async fn take_seats(
        &self,
        r: &Reservation,
        shards: u32,
        sale_at: Option<DateTime<Utc>>,
        item: impl Fn(&Reservation) -> Result<Item, Failure>,
    ) -> StoreResult<Reservation> {
        let tier = (r.event_id.clone(), r.tier_id.clone());
        let known = self.known.lock().map(|k| k.get(&tier).cloned()).unwrap_or_default();
        let mut known = known.unwrap_or_default();
        known.resize(shards.max(1) as usize, None);
        let mut planner = HoldPlanner::new(r.quantity, known);
        let mut rng = rand::rngs::StdRng::from_entropy();
        let mut step = planner.start(&mut rng);
        let outcome = loop {
            let observation = match &step {
                Step::Take(shard) => {
                    let held = Reservation { shard: *shard as u32, ..r.clone() };
                    match self.try_take(&held, sale_at, item(&held)?).await? {
                        Try::Held => Observation::Took,
                        Try::Seen(seen) => seen,
                    }
                }
                Step::Snapshot => {
                    match inventory::snapshot(
                        &self.client,
                        &self.events_table,
                        &r.event_id,
                        &r.tier_id,
                        planner.known().len(),
                    )
                    .await
                    {
                        Ok(Some(seats)) => Observation::Snapshot(seats),
                        Ok(None) => Observation::Contended,
                        Err(failure) if failure.is_transient() => Observation::Contended,
                        Err(failure) => return Err(failure.into()),
                    }
                }
                Step::Rebalance(plan) => {
                    match inventory::rebalance(&self.client, &self.events_table, &r.event_id, &r.tier_id, plan).await {
                        Ok(()) => {
                            shared::metrics::count("reservations", shared::metrics::Metric::ShardsRebalanced, 1);
                            Observation::Rebalanced
                        }
                        Err(Failure::Cancelled(_)) => Observation::Contended,
                        Err(failure) if failure.is_transient() => Observation::Contended,
                        Err(failure) => return Err(failure.into()),
                    }
                }
                Step::Held(shard) => break Ok(Reservation { shard: *shard as u32, ..r.clone() }),
                Step::SoldOut { remaining } => break Err(StoreError::SoldOut { remaining: *remaining }),
                Step::Busy => break Err(StoreError::Busy),
            };
            step = planner.next(observation, &mut rng);
        };
        if let Ok(mut all) = self.known.lock() {
            all.insert(tier, planner.known().to_vec());
        }
        outcome
    }

    /// One try of the hold transaction on `r.shard`.
    async fn try_take(&self, r: &Reservation, sale_at: Option<DateTime<Utc>>, item: Item) -> StoreResult<Try> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(dynamo::failure)?;
        // In the order HOLD_SEATS, HOLD_RESERVATION, then each picked seat.
        let mut actions = vec![
            inventory::hold(&self.events_table, &r.event_id, &r.tier_id, r.shard as usize, r.quantity, sale_at)?,
            TransactWriteItem::builder().put(put).build(),
        ];
        let seat_ids = seat_ids(r)?;
        for id in &seat_ids {
            actions.push(seats::hold_seat(&self.events_table, &r.event_id, *id, &r.id)?);
        }
        // Last: the code's uses, counted in the same transaction as the seats.
        let promo_at = actions.len();
        let takes_uses = match super::promo::take_uses(&self.table, r)? {
            Some(take) => {
                actions.push(take);
                true
            }
            None => false,
        };
        // An offer from the waiting list takes the waiter out of line with the seats.
        let place_at = actions.len();
        let place = super::waiting_list::take_place(&self.table, r)?;
        let places = place.len();
        actions.extend(place);
        let failure = match self
            .client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
            .map_err(dynamo::transaction_failure)
        {
            Ok(_) => return Ok(Try::Held),
            Err(failure) => failure,
        };
        if failure.condition_failed_at(HOLD_RESERVATION) {
            return Err(StoreError::AlreadyHeld);
        }
        let taken: Vec<String> = seat_ids
            .iter()
            .enumerate()
            .filter(|(i, _)| failure.condition_failed_at(HOLD_RESERVATION + 1 + i))
            .map(|(_, id)| id.to_string())
            .collect();
        if !taken.is_empty() {
            return Err(StoreError::SeatsTaken(taken));
        }
        if takes_uses && failure.condition_failed_at(promo_at) {
            return Err(StoreError::PromoUsedUp);
        }
        if (place_at..place_at + places).any(|i| failure.condition_failed_at(i)) {
            return Err(StoreError::NoLongerWaiting);
        }
        if failure.condition_failed_at(HOLD_SEATS) {
            let shard =
                failure.cancelled_at(HOLD_SEATS).and_then(|c| c.item.as_ref()).and_then(ShardSnapshot::from_item);
            let Some(shard) = shard else {
                // No such shard (the tier was removed): nothing to take there.
                return Ok(Try::Seen(Observation::Short { shard: r.shard as usize, available: 0 }));
            };
            if let Some(now) = sale_at {
                if !shard.sells_at(now) {
                    return Err(StoreError::SalesClosed);
                }
            }
            if shard.max_per_order < r.quantity {
                return Err(StoreError::TooMany { max_per_order: shard.max_per_order });
            }
            return Ok(Try::Seen(Observation::Short { shard: r.shard as usize, available: shard.available }));
        }
        if failure.is_transient() {
            return Ok(Try::Seen(Observation::Contended));
        }
        Err(failure.into())
    }

    /// Records a reservation confirmed elsewhere (a box-office sale, an import from
    /// another system): its seats taken and the confirmed reservation with its
    /// tickets and participant listing written in one transaction. It starts
    /// nothing in the chain (no charge, no notice): the forwarder acts on holds
    /// and on state changes, not on an already confirmed reservation appearing.
    pub async fn import_confirmed(
        &self,
        r: &Reservation,
        shards: u32,
        tickets: &[String],
        holder_name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Reservation> {
        let confirmed =
            Reservation { status: Status::Confirmed, tickets: tickets.to_vec(), updated_at: now, ..r.clone() };
        let participant = participant(r, holder_name, now);
        let listing = listing_attributes(&r.event_id, &participant)?;
        self.take_seats(&confirmed, shards, None, |held| {
            let mut item: Item = serde_dynamo::to_item(ReservationItem::new(held)).map_err(dynamo::failure)?;
            item.extend(listing.clone());
            Ok(item)
        })
        .await
    }

    /// Shows where a pending reservation's payment stands (an outcome of the payments
    /// domain), unless it ended or a later outcome was shown already (`Changed`).
    pub async fn show_payment(&self, id: &str, progress: &PaymentProgress, now: DateTime<Utc>) -> StoreResult<()> {
        let value = serde_dynamo::to_attribute_value(progress).map_err(dynamo::failure)?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(id)))
            .update_expression("SET payment = :payment, updatedAt = :now")
            .condition_expression("#status = :pending AND (attribute_not_exists(payment) OR payment.#seq < :seq)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#seq", "sequence")
            .expression_attribute_values(":pending", s(Status::PendingPayment.as_str()))
            .expression_attribute_values(":seq", dynamo::number(progress.sequence))
            .expression_attribute_values(":payment", value)
            .expression_attribute_values(":now", s(stored(now)))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        changed_unless(dynamo::condition_held(result)?)
    }

    /// Flags a reservation whose charge the buyer's bank disputes (its tickets are
    /// refused at the door); the organizer is told from this commit. `Changed` if
    /// flagged already.
    pub async fn flag_disputed(&self, id: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(id)))
            .update_expression("SET disputed = :yes, updatedAt = :now")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(disputed)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":now", s(stored(now)))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        changed_unless(dynamo::condition_held(result)?)
    }

    /// Records the holder's next card (`attempt`) for a reservation whose card failed
    /// authentication; the retry follows from this commit (the stream). `Changed` if
    /// it is no longer waiting for a card at that attempt.
    pub async fn retry_payment(
        &self,
        r: &Reservation,
        payment_method: &str,
        attempt: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<Reservation> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&r.id)))
            .update_expression(
                "SET paymentMethod = :method, paymentAttempt = :attempt, payment.#st = :processing, updatedAt = :now \
                 REMOVE payment.detail",
            )
            .condition_expression(
                "#status = :pending AND payment.#st IN (:waiting, :challenged) AND \
                 (attribute_not_exists(paymentAttempt) OR paymentAttempt < :attempt)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":pending", s(Status::PendingPayment.as_str()))
            .expression_attribute_values(":waiting", s("requires_payment_method"))
            .expression_attribute_values(":challenged", s("requires_action"))
            .expression_attribute_values(":processing", s("processing"))
            .expression_attribute_values(":method", s(payment_method))
            .expression_attribute_values(":attempt", dynamo::number(attempt))
            .expression_attribute_values(":now", s(stored(now)))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        changed_unless(dynamo::condition_held(result)?)?;
        let progress =
            r.payment.clone().map(|p| PaymentProgress { status: PaymentStep::Processing, detail: None, ..p });
        Ok(Reservation {
            payment_method: payment_method.to_owned(),
            payment_attempt: attempt,
            payment: progress,
            updated_at: now,
            ..r.clone()
        })
    }

    /// Confirms a pending reservation with its tickets, listing it among the
    /// event's participants, in one transaction that also checks its event is not
    /// cancelled (the seat-inventory contract): `EventCancelled` if it is.
    pub async fn confirm(
        &self,
        r: &Reservation,
        tickets: &[String],
        holder_name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let check = inventory::not_cancelled(&self.events_table, &r.event_id, &r.tier_id, r.shard as usize)?;
        let mut extra = vec![check];
        for id in seat_ids(r)? {
            extra.push(seats::sell_seat(&self.events_table, &r.event_id, id, &r.id)?);
        }
        match self.confirm_with(r, tickets, holder_name, now, extra).await {
            Err(StoreError::Storage(failure)) if failure.condition_failed_at(1) => Err(StoreError::EventCancelled),
            other => other,
        }
    }

    /// Confirms a pending reservation with its tickets, listing it among the
    /// event's participants, with `extra` actions in the same transaction.
    async fn confirm_with(
        &self,
        r: &Reservation,
        tickets: &[String],
        holder_name: &str,
        now: DateTime<Utc>,
        extra: Vec<TransactWriteItem>,
    ) -> StoreResult<()> {
        let participant = participant(r, holder_name, now);
        let listing = listing_attributes(&r.event_id, &participant)?;
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(&r.id)))
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(Status::PendingPayment.as_str()))
            .expression_attribute_values(":confirmed", s(Status::Confirmed.as_str()))
            .expression_attribute_values(":now", s(stored(now)))
            .expression_attribute_values(":tickets", AttributeValue::L(tickets.iter().map(s).collect()));
        let mut sets = vec!["#status = :confirmed".to_owned(), "updatedAt = :now".into(), "tickets = :tickets".into()];
        for (i, (name, value)) in listing.into_iter().enumerate() {
            sets.push(format!("#a{i} = :a{i}"));
            update = update
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), value);
        }
        let update = update.update_expression(format!("SET {}", sets.join(", "))).build().map_err(dynamo::failure)?;
        let mut actions = vec![TransactWriteItem::builder().update(update).build()];
        actions.extend(extra);
        self.change(actions).await
    }
}

impl DynamoReservationStore {
    /// Up to `limit` of an event's confirmed reservations (the participants index),
    /// oldest confirmation first, after the index sort key `after`; with the sort key
    /// of the last one. New confirmations sort after older ones, so a reader that
    /// keeps the last key finds the later ones there.
    pub async fn confirmed_for_event_after(
        &self,
        event_id: &str,
        limit: u32,
        after: Option<&str>,
    ) -> StoreResult<HolderPage> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :pk AND gsi1sk > :after")
            .expression_attribute_values(":pk", s(event_partition(event_id)))
            // "CONFIRMED#" sorts before every confirmed entry's key.
            .expression_attribute_values(":after", s(after.unwrap_or("CONFIRMED#")))
            .limit(limit as i32)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        // More may follow whenever DynamoDB stopped early: at `limit`, or at 1 MB.
        let more = out.last_evaluated_key.is_some();
        let items = out.items.unwrap_or_default();
        let last = items.last().and_then(|item| item.get("gsi1sk")).and_then(|v| v.as_s().ok()).cloned();
        let holders = items.into_iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        Ok(HolderPage { holders, last, more })
    }

    /// A page of an event's reservations, oldest first.
    pub async fn for_event(&self, event_id: &str, limit: u32, cursor: Option<&str>) -> StoreResult<ReservationPage> {
        self.page("gsi3", &event_partition(event_id), true, limit, cursor).await
    }

    /// A page of one index partition, with cursors bound to it.
    async fn page(
        &self,
        index: &str,
        partition: &str,
        forward: bool,
        limit: u32,
        cursor: Option<&str>,
    ) -> StoreResult<ReservationPage> {
        let start = cursor
            .map(|c| dynamo::decode_cursor(c, index, partition, "RESERVATION#").ok_or(StoreError::BadCursor))
            .transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression(format!("{index}pk = :pk"))
            .expression_attribute_values(":pk", s(partition))
            .scan_index_forward(forward)
            .limit(limit as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let reservations = out.items.unwrap_or_default().into_iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        Ok(ReservationPage { reservations, next_cursor: out.last_evaluated_key.as_ref().map(dynamo::encode_cursor) })
    }
}

impl ReservationStore for DynamoReservationStore {
    async fn someone_waits(&self, event_id: &str, tier_id: &str) -> StoreResult<bool> {
        let key = (event_id.to_owned(), tier_id.to_owned());
        let now = std::time::Instant::now();
        if let Some((_, waits)) = self
            .lines
            .lock()
            .ok()
            .and_then(|lines| lines.get(&key).copied())
            .filter(|(at, _)| now.duration_since(*at) < super::waiting_list::LINE_CACHE)
        {
            return Ok(waits);
        }
        let waits = self.line_has_anyone(event_id, tier_id).await?;
        if let Ok(mut lines) = self.lines.lock() {
            lines.retain(|_, (at, _)| now.duration_since(*at) < super::waiting_list::LINE_CACHE);
            lines.insert(key, (now, waits));
        }
        Ok(waits)
    }

    /// None when this function has no users table: nobody acts through a team here.
    async fn current_team(&self, user_id: &str) -> Result<Option<shared::auth::Membership>, Failure> {
        match &self.users_table {
            Some(users_table) => users::team::current(&self.client, users_table, user_id).await,
            None => Ok(None),
        }
    }

    async fn hold(&self, r: &Reservation, shards: u32, now: DateTime<Utc>) -> StoreResult<Reservation> {
        self.take_seats(r, shards, Some(now), |held| {
            serde_dynamo::to_item(ReservationItem::new(held)).map_err(dynamo::failure)
        })
        .await
    }

    async fn get(&self, id: &str) -> StoreResult<Option<Reservation>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.item.map(decode).transpose()?)
    }

    async fn list_for_user(&self, user_id: &str, limit: u32, cursor: Option<&str>) -> StoreResult<ReservationPage> {
        self.page("gsi2", &user_partition(user_id), false, limit, cursor).await
    }

    async fn release(&self, r: &Reservation, ending: Ending, now: DateTime<Utc>) -> StoreResult<()> {
        self.release_with(r, ending, now, Vec::new()).await
    }

    async fn transfer(&self, r: &Reservation, to_user: &str, codes: &[String], now: DateTime<Utc>) -> StoreResult<()> {
        let list = |codes: &[String]| AttributeValue::L(codes.iter().map(|c| s(c)).collect());
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&r.id)))
            .update_expression(
                "SET userId = :to, tickets = :new, gsi2pk = :partition, updatedAt = :now ADD transfers :one",
            )
            .condition_expression(
                "#status = :confirmed AND userId = :from AND tickets = :old AND attribute_not_exists(disputed)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":to", s(to_user))
            .expression_attribute_values(":from", s(&r.user_id))
            .expression_attribute_values(":new", list(codes))
            .expression_attribute_values(":old", list(&r.tickets))
            .expression_attribute_values(":partition", s(user_partition(to_user)))
            .expression_attribute_values(":now", s(stored(now)))
            .expression_attribute_values(":one", dynamo::number(1))
            .expression_attribute_values(":confirmed", s(Status::Confirmed.as_str()))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        if dynamo::condition_held(result)? { Ok(()) } else { Err(StoreError::Changed) }
    }

    async fn add_partial_refund(&self, r: &Reservation, refund: &PartialRefund, now: DateTime<Utc>) -> StoreResult<()> {
        let value = serde_dynamo::to_attribute_value(refund).map_err(dynamo::failure)?;
        // The refunds as read: a refund added meanwhile makes this one decide again
        // (never more than was paid, whatever races).
        let seen = if r.refunds.is_empty() { "attribute_not_exists(refunds)" } else { "size(refunds) = :count" };
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(&r.id)))
            .update_expression("SET refunds = list_append(if_not_exists(refunds, :none), :new), updatedAt = :now")
            .condition_expression(format!(
                "#status = :confirmed AND attribute_not_exists(disputed) AND amountMinor = :amount AND {seen}"
            ))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":new", AttributeValue::L(vec![value]))
            .expression_attribute_values(":now", s(stored(now)))
            .expression_attribute_values(":confirmed", s(Status::Confirmed.as_str()))
            .expression_attribute_values(":amount", dynamo::number(r.amount_minor));
        if !r.refunds.is_empty() {
            update = update.expression_attribute_values(":count", dynamo::number(r.refunds.len()));
        }
        let result = update.send().await.map_err(dynamo::sdk_failure);
        changed_unless(dynamo::condition_held(result)?)
    }

    async fn promo_code(&self, event_id: &str, code: &str) -> StoreResult<Option<crate::domain::promo::PromoCode>> {
        self.find_promo_code(event_id, code).await
    }

    async fn expired_holds(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Reservation>> {
        let partitions = std::iter::once(HOLDS.to_owned())
            .chain((0..HOLD_PARTITIONS).map(|n| format!("{HOLDS}#{n}")))
            .map(|partition| self.expired_in(partition, now, limit));
        let mut holds: Vec<Reservation> =
            futures::future::try_join_all(partitions).await?.into_iter().flatten().collect();
        holds.sort_by(|a, b| (a.hold_expires_at, &a.id).cmp(&(b.hold_expires_at, &b.id)));
        holds.truncate(limit as usize);
        Ok(holds)
    }
}

impl DynamoReservationStore {
    /// Up to `limit` holds of one sweeper partition that ended by `now`, oldest first.
    async fn expired_in(&self, partition: String, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Reservation>> {
        // Keys are `<expiry>#<id>`; '~' sorts after '#': every hold that ended by `now`.
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :holds AND gsi1sk <= :now")
            .expression_attribute_values(":holds", s(partition))
            .expression_attribute_values(":now", s(format!("{}~", stored(now))))
            .limit(limit as i32)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        // One unreadable item must not stop every sweep: it is logged and skipped.
        Ok(out
            .items
            .unwrap_or_default()
            .into_iter()
            .filter_map(|item| decode(item).map_err(|err| tracing::error!(%err, "unreadable hold skipped")).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reservation::tests::reservation;

    #[test]
    fn pending_holds_are_on_the_sweepers_list_and_round_trip() {
        let r = reservation(Status::PendingPayment);
        let item: Item = serde_dynamo::to_item(ReservationItem::new(&r)).unwrap();
        assert_eq!(item["pk"], s("RESERVATION#r1"));
        assert_eq!(item["gsi1pk"], s(holds_partition("r1")));
        assert!(holds_partition("r1").starts_with("HOLDS#"));
        let spread: std::collections::HashSet<String> = (0..200).map(|i| holds_partition(&format!("id-{i}"))).collect();
        assert_eq!(spread.len(), HOLD_PARTITIONS as usize, "holds spread over every partition");
        assert_eq!(item["gsi1sk"], s("2030-01-01T00:15:00.000Z#r1"));
        assert_eq!(item["gsi2pk"], s("USER#u1"));
        assert_eq!(decode(item).unwrap(), r);
        let confirmed: Item = serde_dynamo::to_item(ReservationItem::new(&reservation(Status::Confirmed))).unwrap();
        assert!(!confirmed.contains_key("gsi1pk"));
    }
}
