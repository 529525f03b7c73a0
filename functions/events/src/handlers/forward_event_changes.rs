//! The events table's stream consumer: an event that became cancelled starts the
//! cancellation of its reservations (the first page on the event-cancellation
//! queue). It runs from the committed change, so the organizer's request dying
//! right after its write loses nothing; a second start is harmless (every
//! reservation is cancelled at most once).

use crate::domain::lifecycle::starts_cancellation;
use crate::store::dynamodb::status_from_image;
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use shared::messages::{EventCancelled, EventMessage, encode};
use shared::sqs::{MessageFailure, Queue};
use shared::streams::process_batch;

pub async fn handle<Q: Queue>(cancellations: &Q, event: Event) -> DynamoDbEventResponse {
    process_batch(event, |record| forward(cancellations, record)).await
}

async fn forward<Q: Queue>(cancellations: &Q, record: EventRecord) -> Result<(), MessageFailure> {
    let Some((event_id, after)) = status_from_image(&record.change.new_image)? else { return Ok(()) };
    let before = status_from_image(&record.change.old_image)?.map(|(_, status)| status);
    if !starts_cancellation(before, after) {
        return Ok(());
    }
    let message = EventMessage::Cancelled(EventCancelled { event_id: event_id.clone(), cursor: None });
    // The chain's correlation id: the event's, since no request is at hand here.
    cancellations.send(encode(&message), &event_id).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
    tracing::info!(%event_id, "cancellation of the event's reservations started");
    Ok(())
}
