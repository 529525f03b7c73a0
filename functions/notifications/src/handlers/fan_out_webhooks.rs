//! `WebhookEventsQueue` consumer: each event the domains report becomes one
//! delivery per endpoint of its organizer that is on and subscribed to its type,
//! recorded before its first attempt is queued (`WebhookDeliveriesQueue`). A
//! repeat of the event finds its deliveries recorded and queues only the ones
//! still pending, so nothing is delivered twice because it was reported twice.

use crate::webhooks::store::{Delivery, WebhookStore};
use crate::webhooks::{DeliveryMessage, DeliveryStatus, payload};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::Clock;
use shared::messages::{WebhookMessage, decode, encode};
use shared::sqs::{MessageFailure, Queue, process_batch};

pub struct FanOut<'a, Q> {
    pub store: &'a WebhookStore,
    pub deliveries: &'a Q,
    pub clock: &'a dyn Clock,
}

pub async fn handle<Q: Queue>(fan_out: &FanOut<'_, Q>, event: SqsEvent) -> SqsBatchResponse {
    process_batch(event, |message| fan_out.one(message)).await
}

impl<Q: Queue> FanOut<'_, Q> {
    async fn one(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let body = message.body.as_deref().unwrap_or_default();
        let WebhookMessage::Event(event) = decode(body).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        let retry = |e: shared::dynamo::Failure| MessageFailure::Retry(e.to_string());
        let endpoints = self.store.endpoints(&event.organizer_id).await.map_err(retry)?;
        let now = self.clock.now();
        let body = payload(&event.event_type, &event.timestamp, &event.data);
        for endpoint in endpoints.iter().filter(|e| e.enabled && e.events.contains(&event.event_type)) {
            let delivery = Delivery {
                endpoint_id: endpoint.id.clone(),
                message_id: event.id.clone(),
                organizer_id: event.organizer_id.clone(),
                event_type: event.event_type.clone(),
                payload: body.clone(),
                status: DeliveryStatus::Pending,
                attempts: 0,
                run_attempts: 0,
                next_attempt_at: now.timestamp_millis(),
                retry_started_at: now.timestamp_millis(),
                created_at: now,
                delivered_at: None,
                log: vec![],
            };
            let stored = self.store.open_delivery(&delivery).await.map_err(retry)?;
            if stored.status != DeliveryStatus::Pending {
                continue;
            }
            let attempt = DeliveryMessage::Attempt {
                endpoint_id: endpoint.id.clone(),
                message_id: event.id.clone(),
                due: stored.next_attempt_at,
            };
            self.deliveries
                .send(encode(&attempt), &event.id)
                .await
                .map_err(|e| MessageFailure::Retry(e.to_string()))?;
            tracing::info!(endpoint_id = %endpoint.id, message_id = %event.id, event_type = %event.event_type, "webhook delivery queued");
        }
        Ok(())
    }
}
