//! The event-cancellation queue's consumer: when an organizer cancels an event,
//! every live reservation of it is cancelled and its seats returned; the refund of
//! a confirmed one and the holder's notice follow from that committed change (the
//! table's stream, `forward_reservation_changes`). A page of reservations per
//! message; each page queues the next before it works, so an event of any size is
//! handled in bounded steps, never inside the organizer's HTTP request, and a page
//! that dies is redelivered. Every step is conditional on the reservation's state,
//! so a redelivered page changes nothing twice.

use crate::domain::reservation::{CancelReason, Ending, Status};
use crate::store::dynamodb::DynamoReservationStore;
use crate::store::{ReservationStore, StoreError};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::Clock;
use shared::messages::{EventCancelled, EventMessage, decode, encode};
use shared::sqs::{MessageFailure, Queue, correlation_id, process_batch};
use std::future::Future;

/// Reservations handled per message.
pub const PAGE: u32 = 25;

/// Whether the event was really cancelled (the events domain's inventory contract).
pub trait CancelledEvents: Send + Sync {
    fn is_cancelled(&self, event_id: &str) -> impl Future<Output = Result<bool, shared::dynamo::Failure>> + Send;
}

pub struct Consumer<'a, E, Q, C> {
    pub store: &'a DynamoReservationStore,
    pub events: &'a E,
    /// This consumer's own queue, for the next page.
    pub pages: &'a Q,
    pub clock: &'a C,
}

pub async fn handle<E: CancelledEvents, Q: Queue, C: Clock>(
    consumer: &Consumer<'_, E, Q, C>,
    event: SqsEvent,
) -> SqsBatchResponse {
    process_batch(event, |message| consumer.process(message)).await
}

fn retry(err: impl std::fmt::Display) -> MessageFailure {
    MessageFailure::Retry(err.to_string())
}

impl<E: CancelledEvents, Q: Queue, C: Clock> Consumer<'_, E, Q, C> {
    async fn process(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let correlation = correlation_id(&message).unwrap_or_default().to_owned();
        let EventMessage::Cancelled(page) =
            decode(message.body.as_deref().unwrap_or_default()).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        if !self.events.is_cancelled(&page.event_id).await.map_err(retry)? {
            return Err(MessageFailure::Poison(format!("event {} is not cancelled", page.event_id)));
        }
        let found = self.store.for_event(&page.event_id, PAGE, page.cursor.as_deref()).await.map_err(retry)?;
        // The next page first: a reservation that keeps failing retries this page (and
        // reaches the DLQ alone) without holding up the rest of the event.
        if let Some(cursor) = found.next_cursor {
            let next =
                EventMessage::Cancelled(EventCancelled { event_id: page.event_id.clone(), cursor: Some(cursor) });
            self.pages.send(encode(&next), &correlation).await.map_err(retry)?;
        } else {
            tracing::info!(event_id = %page.event_id, "last page of the cancelled event's reservations");
        }
        for reservation in found.reservations {
            self.cancel(&reservation.id).await?;
        }
        Ok(())
    }

    /// Cancels one reservation if it still holds seats; reads it afresh each try,
    /// since a payment may settle it meanwhile.
    async fn cancel(&self, id: &str) -> Result<(), MessageFailure> {
        for _ in 0..3 {
            let Some(reservation) = self.store.get(id).await.map_err(retry)? else { return Ok(()) };
            let now = self.clock.now();
            let was_paid = match reservation.status {
                Status::PendingPayment => false,
                Status::Confirmed => true,
                // Over already (by an earlier delivery of this page, its holder, the sweeper).
                _ => return Ok(()),
            };
            match self.store.release(&reservation, Ending::cancelled(CancelReason::Event, was_paid), now).await {
                Ok(()) => return Ok(()),
                Err(StoreError::Changed) => continue,
                Err(err) => return Err(retry(err)),
            }
        }
        Err(MessageFailure::Retry(format!("reservation {id} kept changing")))
    }
}
