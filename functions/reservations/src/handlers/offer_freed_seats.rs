//! The waiting-list queue's consumer: seats of a tier came back (`seats.freed.v1`,
//! sent from committed changes), so its first in line are offered them, in order,
//! each offer a hold made by the same transaction as any hold (the seats taken
//! from the shards) that also takes the waiter out of line.
//!
//! - Never more offers than seats: an offer that finds too few seats is not made.
//!   A waiter whose order is larger than the seats back keeps their place (first
//!   for the next seats) and the next in line whose order fits is offered them; the
//!   run stops when no seat is left.
//! - Never two offers for one place: the place is removed in the offer's own
//!   transaction, and the offer's id follows from the place, so a retried or
//!   concurrent run finds the place gone (or the offer made) and moves on.
//! - An offer not paid in time ends like any hold (the sweeper), its seats come
//!   back, and this runs again for the next in line.

use crate::domain::waiting_list::{NoOffer, offer_hold};
use crate::handlers::create_reservation::Offers;
use crate::store::dynamodb::DynamoReservationStore;
use crate::store::{ReservationStore, StoreError};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::Clock;
use shared::messages::{SeatsFreed, WaitingListMessage, decode};
use shared::sqs::{MessageFailure, correlation_id, process_batch};

/// Places read at a time.
const PAGE: u32 = 10;

pub struct Consumer<'a, O, C> {
    pub store: &'a DynamoReservationStore,
    pub offers: &'a O,
    pub clock: &'a C,
}

pub async fn handle<O: Offers, C: Clock>(consumer: &Consumer<'_, O, C>, event: SqsEvent) -> SqsBatchResponse {
    process_batch(event, |message| consumer.process(message)).await
}

fn retry(err: impl std::fmt::Display) -> MessageFailure {
    MessageFailure::Retry(err.to_string())
}

impl<O: Offers, C: Clock> Consumer<'_, O, C> {
    async fn process(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let correlation = correlation_id(&message).unwrap_or("waiting-list").to_owned();
        let body = message.body.as_deref().unwrap_or_default();
        let WaitingListMessage::SeatsFreed(freed) = decode(body).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        let made = self.offer(&freed, &correlation).await?;
        if made > 0 {
            tracing::info!(event_id = %freed.event_id, tier_id = %freed.tier_id, offers = made, "seats offered to the waiting list");
        }
        Ok(())
    }

    /// Offers to the line's first until the seats run out; how many offers were made.
    async fn offer(&self, freed: &SeatsFreed, correlation: &str) -> Result<u32, MessageFailure> {
        let mut made = 0;
        loop {
            let head = self.store.waiting_list_head(&freed.event_id, &freed.tier_id, PAGE).await.map_err(retry)?;
            if head.is_empty() {
                tracing::debug!(event_id = %freed.event_id, tier_id = %freed.tier_id, "nobody waits");
                return Ok(made);
            }
            let Some(offer) = self.offers.offer(&freed.event_id, &freed.tier_id).await.map_err(retry)? else {
                tracing::info!(event_id = %freed.event_id, tier_id = %freed.tier_id, "no such tier: no offers");
                return Ok(made);
            };
            let mut moved_on = false;
            for waiter in &head {
                let now = self.clock.now();
                let hold = match offer_hold(waiter, &offer, correlation, now) {
                    Ok(hold) => hold,
                    Err(NoOffer::SalesClosed) => {
                        tracing::info!("sales are closed: no offers");
                        return Ok(made);
                    }
                    Err(NoOffer::NoLongerFits) => {
                        // Their order can no longer be sold as asked: out of line, next one.
                        self.store.leave_waiting_list(waiter).await.map_err(retry)?;
                        tracing::info!(user_id = %waiter.user_id, "a waiter's order no longer fits the tier: taken out of line");
                        moved_on = true;
                        continue;
                    }
                };
                match self.store.hold(&hold, offer.shards, now).await {
                    Ok(held) => {
                        made += 1;
                        moved_on = true;
                        shared::metrics::count("reservations", shared::metrics::Metric::HoldsMade, 1);
                        tracing::info!(reservation_id = %held.id, user_id = %held.user_id, quantity = held.quantity, "offer made");
                    }
                    // Offered by an earlier try or a concurrent run, or they left: the next one.
                    Err(err @ (StoreError::AlreadyHeld | StoreError::NoLongerWaiting)) => {
                        tracing::info!(user_id = %waiter.user_id, reason = %err, "offered meanwhile, or left: the next in line");
                        moved_on = true;
                    }
                    // Fewer seats back than this waiter asked for: they keep their place
                    // (first for the next seats) and the next in line may fit.
                    Err(StoreError::SoldOut { remaining }) if remaining > 0 => {
                        tracing::info!(user_id = %waiter.user_id, remaining, quantity = waiter.quantity, "too few seats for this order: the next in line");
                    }
                    Err(err @ (StoreError::SoldOut { .. } | StoreError::SalesClosed | StoreError::TooMany { .. })) => {
                        tracing::info!(user_id = %waiter.user_id, reason = %err, "no more offers now");
                        return Ok(made);
                    }
                    Err(err) => return Err(retry(err)),
                }
            }
            if !moved_on || head.len() < PAGE as usize {
                return Ok(made);
            }
        }
    }
}
