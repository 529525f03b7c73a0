//! The reservations table's stream consumer: turns each committed change of a
//! reservation into the chain's next messages (a charge, a refund, a notice, seats back to the waiting list; see
//! `domain::changes`) and the organizer's webhook events (`domain::webhooks`). It
//! runs after the commit, from the table's own record of it, so a handler that dies right after its write loses nothing: the stream
//! hands the change over until this succeeds. Sending twice is harmless (payments
//! charge and refund once, notifications email once); never sending is what this
//! prevents.

use crate::domain::changes::{FollowUp, door_change, follow_ups};
use crate::domain::reservation::Reservation;
use crate::domain::webhooks::webhook_events;
use crate::store::dynamodb::from_image;
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use shared::messages::{
    ChargeRequest, DoorMessage, PartialRefundRequest, PaymentMessage, RefundRequest, RetryRequest, SeatsFreed,
    WaitingListMessage, WebhookMessage, encode,
};
use shared::sqs::{MessageFailure, Queue};
use shared::streams::process_batch;

pub struct Forwarder<'a, Q> {
    pub payments: &'a Q,
    pub notifications: &'a Q,
    /// The door domain's ticket feed.
    pub door: &'a Q,
    /// What organizers' webhook endpoints hear of (the notifications domain delivers it).
    pub webhooks: &'a Q,
    /// Seats that came back, for the tier's waiting list.
    pub waiting_lists: &'a Q,
}

pub async fn handle<Q: Queue>(forwarder: &Forwarder<'_, Q>, event: Event) -> DynamoDbEventResponse {
    process_batch(event, |record| forwarder.forward(record)).await
}

impl<Q: Queue> Forwarder<'_, Q> {
    async fn forward(&self, record: EventRecord) -> Result<(), MessageFailure> {
        let Some(after) = from_image(&record.change.new_image)? else { return Ok(()) };
        let before = from_image(&record.change.old_image)?;
        for step in follow_ups(before.as_ref(), &after) {
            let (queue, body) = match step {
                FollowUp::Charge => (self.payments, encode(&charge(&after))),
                FollowUp::RetryCharge => {
                    let retry = RetryRequest {
                        reservation_id: after.id.clone(),
                        payment_method: after.payment_method.clone(),
                        attempt: after.payment_attempt,
                    };
                    (self.payments, encode(&PaymentMessage::Retry(retry)))
                }
                FollowUp::Refund(reason) => {
                    let refund = RefundRequest {
                        reservation_id: after.id.clone(),
                        reason,
                        amount_minor: after.rest_after_partial_refunds(),
                    };
                    (self.payments, encode(&PaymentMessage::Refund(refund)))
                }
                FollowUp::PartialRefund(i) => {
                    let Some(part) = after.refunds.get(i) else { continue };
                    let refund = PartialRefundRequest {
                        reservation_id: after.id.clone(),
                        refund_id: part.id.clone(),
                        amount_minor: part.amount_minor,
                    };
                    (self.payments, encode(&PaymentMessage::PartialRefund(refund)))
                }
                FollowUp::NotifyPartialRefund(i) => {
                    let Some(part) = after.refunds.get(i) else { continue };
                    (self.notifications, encode(&after.partial_refund_notification(part)))
                }
                FollowUp::Notify(kind) => (self.notifications, encode(&after.notification(kind))),
                FollowUp::NotifyOrganizer(kind) => (self.notifications, encode(&after.organizer_notification(kind))),
                FollowUp::OfferFreedSeats => {
                    let freed = SeatsFreed { event_id: after.event_id.clone(), tier_id: after.tier_id.clone() };
                    (self.waiting_lists, encode(&WaitingListMessage::SeatsFreed(freed)))
                }
                FollowUp::NotifyFormerHolder(kind) => {
                    let former = before.as_ref().map_or(&after.user_id, |b| &b.user_id);
                    (self.notifications, encode(&after.notification_to(kind, former)))
                }
            };
            queue.send(body, &after.correlation_id).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
            tracing::info!(reservation_id = %after.id, correlation_id = %after.correlation_id, ?step, "follow-up queued");
        }
        let sequence = record.change.sequence_number.as_deref().unwrap_or_default();
        if let Some(change) = door_change(before.as_ref(), &after, sequence) {
            let body = encode(&DoorMessage::TicketsChanged(change));
            self.door.send(body, &after.correlation_id).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
            tracing::info!(reservation_id = %after.id, "ticket change sent to the door");
        }
        for event in webhook_events(before.as_ref(), &after) {
            let (id, event_type) = (event.id.clone(), event.event_type.clone());
            let body = encode(&WebhookMessage::Event(event));
            self.webhooks.send(body, &after.correlation_id).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
            tracing::info!(reservation_id = %after.id, webhook_message_id = %id, %event_type, "webhook event queued");
        }
        Ok(())
    }
}

fn charge(r: &Reservation) -> PaymentMessage {
    PaymentMessage::Charge(ChargeRequest {
        reservation_id: r.id.clone(),
        user_id: r.user_id.clone(),
        event_id: r.event_id.clone(),
        amount_minor: r.amount_minor,
        currency: r.currency.clone(),
        payment_method: r.payment_method.clone(),
        hold_expires_at: shared::clock::stored(r.hold_expires_at),
    })
}
