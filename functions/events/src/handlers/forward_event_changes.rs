//! The events table's stream consumer: an event that became cancelled starts the
//! cancellation of its reservations (the first page on the event-cancellation
//! queue) and is news to its organizer's webhooks (`event.cancelled`). It runs from the committed change, so the organizer's request dying
//! right after its write loses nothing; a second start is harmless (every
//! reservation is cancelled at most once). A tier whose capacity grew has its new
//! seats offered to its waiting list (`seats.freed.v1`).

use crate::domain::lifecycle::{seats_added, starts_cancellation};
use crate::store::dynamodb::{EventImage, status_from_image, tier_capacity_from_image};
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use shared::messages::{
    EventCancelled, EventMessage, SeatsFreed, WaitingListMessage, WebhookEvent, WebhookMessage, encode,
};
use shared::sqs::{MessageFailure, Queue};
use shared::streams::process_batch;

pub struct Queues<'a, Q> {
    pub cancellations: &'a Q,
    pub webhooks: &'a Q,
    /// Seats added to a tier, for its waiting list (the reservations domain).
    pub waiting_lists: &'a Q,
}

pub async fn handle<Q: Queue>(queues: &Queues<'_, Q>, event: Event) -> DynamoDbEventResponse {
    process_batch(event, |record| forward(queues, record)).await
}

async fn forward<Q: Queue>(queues: &Queues<'_, Q>, record: EventRecord) -> Result<(), MessageFailure> {
    if let Some(tier) = tier_capacity_from_image(&record.change.new_image)? {
        let before = tier_capacity_from_image(&record.change.old_image)?.map(|t| t.capacity);
        let added = seats_added(before, tier.capacity);
        if added > 0 {
            let freed = SeatsFreed { event_id: tier.event_id.clone(), tier_id: tier.tier_id.clone() };
            let body = encode(&WaitingListMessage::SeatsFreed(freed));
            queues.waiting_lists.send(body, &tier.event_id).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
            tracing::info!(event_id = %tier.event_id, tier_id = %tier.tier_id, added, "added seats sent to the waiting list");
        }
        return Ok(());
    }
    let (cancellations, webhooks) = (queues.cancellations, queues.webhooks);
    let Some(after) = status_from_image(&record.change.new_image)? else { return Ok(()) };
    let before = status_from_image(&record.change.old_image)?.map(|image| image.status);
    if !starts_cancellation(before, after.status) {
        return Ok(());
    }
    let event_id = after.id.clone();
    let message = EventMessage::Cancelled(EventCancelled { event_id: event_id.clone(), cursor: None });
    // The chain's correlation id: the event's, since no request is at hand here.
    cancellations.send(encode(&message), &event_id).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
    tracing::info!(%event_id, "cancellation of the event's reservations started");
    let news = WebhookMessage::Event(cancelled_news(&after));
    webhooks.send(encode(&news), &event_id).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
    Ok(())
}

/// `event.cancelled` for the organizer's webhooks: once per event (an event is cancelled once).
fn cancelled_news(event: &EventImage) -> WebhookEvent {
    let at = event.updated_at.parse().unwrap_or_default();
    WebhookEvent {
        id: WebhookEvent::message_id(at, &[&event.id, "event.cancelled"]),
        event_type: "event.cancelled".into(),
        organizer_id: event.organizer_id.clone(),
        timestamp: shared::clock::stored(at),
        data: serde_json::json!({"eventId": event.id, "title": event.title, "startsAt": event.starts_at}),
    }
}
