//! The door table's stream consumer: a ticket admitted for the first time is
//! `ticket.checked_in` news for its organizer's webhooks (WebhookEventsQueue). It
//! runs from the committed admission, so a check-in answered just before its
//! process died is still told; told twice, it keeps its message id.
//!
//! Only a first admission counts: re-entries and exits change `inside`, not
//! `admittedAt`, and a transfer's new code carrying the old one's admission is a
//! new item (an INSERT), which the template's filter leaves out.

use crate::domain::news::{AdmittedTicket, checked_in_news};
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use shared::messages::{WebhookMessage, encode};
use shared::sqs::{MessageFailure, Queue};
use shared::streams::process_batch;

pub async fn handle<Q: Queue>(webhooks: &Q, event: Event) -> DynamoDbEventResponse {
    process_batch(event, |record| forward(webhooks, record)).await
}

async fn forward<Q: Queue>(webhooks: &Q, record: EventRecord) -> Result<(), MessageFailure> {
    let Some(after) = shared::streams::image::<AdmittedTicket>(&record.change.new_image)? else { return Ok(()) };
    let before = shared::streams::image::<AdmittedTicket>(&record.change.old_image)?;
    let Some(news) = checked_in_news(before.as_ref(), &after) else { return Ok(()) };
    let (id, event_id) = (news.id.clone(), after.event_id.clone());
    webhooks
        .send(encode(&WebhookMessage::Event(news)), &event_id)
        .await
        .map_err(|e| MessageFailure::Retry(e.to_string()))?;
    tracing::info!(%event_id, webhook_message_id = %id, "check-in news queued");
    Ok(())
}
