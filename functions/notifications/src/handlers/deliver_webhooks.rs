//! `WebhookDeliveriesQueue` consumer: attempts each delivery when it is due, signed
//! per Standard Webhooks, under a lease so two copies of a message never post it
//! at once. A failure queues the next attempt (exponential, `WebhookRetrySchedule`)
//! before the attempt is recorded, so a process dying in between loses nothing: the
//! copy that outlives it finds the record and goes on from there. An endpoint
//! failing for `WebhookDisableAfterSeconds` is switched off.

use crate::webhooks::sender::Sender;
use crate::webhooks::store::Endpoint;
use crate::webhooks::store::WebhookStore;
use crate::webhooks::{
    AfterAttempt, Attempt, DeliveryMessage, DeliveryStatus, RetrySchedule, Turn, acknowledged, after_attempt,
    should_disable, signature, signing_secrets, turn,
};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Duration};
use shared::Clock;
use shared::messages::{NotificationMessage, WebhookDisabledNotice, decode, encode};
use shared::sqs::{MessageFailure, Queue, process_batch};

pub struct Deliverer<'a, Q> {
    pub store: &'a WebhookStore,
    pub deliveries: &'a Q,
    /// Where the organizer's email goes when an endpoint is switched off.
    pub notifications: &'a Q,
    pub sender: &'a Sender,
    pub clock: &'a dyn Clock,
    pub schedule: &'a RetrySchedule,
    /// A delivery failing this long since its retries began is given up.
    pub give_up_after: Duration,
    /// An endpoint failing this long is switched off.
    pub disable_after: Duration,
}

pub async fn handle<Q: Queue>(deliverer: &Deliverer<'_, Q>, event: SqsEvent) -> SqsBatchResponse {
    process_batch(event, |message| deliverer.one(message)).await
}

fn retry(e: impl std::fmt::Display) -> MessageFailure {
    MessageFailure::Retry(e.to_string())
}

impl<Q: Queue> Deliverer<'_, Q> {
    /// Asks for the organizer's email about a switch-off (deduplicated by the
    /// endpoint and the switch-off's instant). Not sent now, it is asked again by
    /// the next delivery the switch-off stops.
    async fn tell_switched_off(&self, endpoint: &Endpoint) {
        let Some(disabled_at) = endpoint.disabled_at else { return };
        let notice = WebhookDisabledNotice {
            organizer_id: endpoint.organizer_id.clone(),
            endpoint_id: endpoint.id.clone(),
            url: endpoint.url.clone(),
            reason: endpoint.disabled_reason.clone().unwrap_or_default(),
            disabled_at: shared::clock::stored(disabled_at),
        };
        let message = encode(&NotificationMessage::WebhookDisabled(notice));
        if let Err(e) = self.notifications.send(message, &endpoint.id).await {
            tracing::warn!(endpoint_id = %endpoint.id, error = %e, "the switch-off email was not queued; the next stopped delivery asks again");
        }
    }

    /// How long an attempt holds its delivery: longer than an attempt can take (the
    /// name lookup and the post, each bounded by the sender's timeout, and a few
    /// store and queue calls), so it lapses only if the process holding it died.
    fn lease_millis(&self) -> i64 {
        2 * i64::try_from(self.sender.timeout.as_millis()).unwrap_or(i64::MAX / 4) + 10_000
    }

    async fn one(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let body = message.body.as_deref().unwrap_or_default();
        let DeliveryMessage::Attempt { endpoint_id, message_id, due } =
            decode(body).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        let Some(delivery) = self.store.delivery(&endpoint_id, &message_id).await.map_err(retry)? else {
            return Ok(());
        };
        let now = self.clock.now();
        match turn(delivery.status, delivery.next_attempt_at, due, now) {
            Turn::Drop => return Ok(()),
            Turn::Wait(seconds) => {
                return self.deliveries.send_delayed(body.to_owned(), &message_id, seconds).await.map_err(retry);
            }
            Turn::Attempt => {}
        }
        let lease = now.timestamp_millis() + self.lease_millis();
        if !self.store.take_lease(&endpoint_id, &message_id, due, now, lease).await.map_err(retry)? {
            // Another copy is at it, or this message is the next attempt, queued by an
            // attempt not yet recorded: asked again once that lease has surely ended
            // (then it is dropped if the record moved past it).
            let wait = u32::try_from(self.lease_millis() / 1000 + 1).unwrap_or(900);
            return self.deliveries.send_delayed(body.to_owned(), &message_id, wait).await.map_err(retry);
        }
        let endpoint = self.store.endpoint(&delivery.organizer_id, &endpoint_id).await.map_err(retry)?;
        let (succeeded, attempt, endpoint) = match endpoint {
            Some(endpoint) if endpoint.enabled => {
                let timestamp = now.timestamp();
                let previous = endpoint.previous_secret.as_deref().zip(endpoint.previous_secret_until);
                let secrets = signing_secrets(&endpoint.secret, previous, now);
                let signed = signature(&secrets, &message_id, timestamp, &delivery.payload)
                    .map_err(|e| MessageFailure::Poison(format!("the endpoint's secret does not sign: {e}")))?;
                let headers = [
                    (standardwebhooks::HEADER_WEBHOOK_ID, message_id.clone()),
                    (standardwebhooks::HEADER_WEBHOOK_TIMESTAMP, timestamp.to_string()),
                    (standardwebhooks::HEADER_WEBHOOK_SIGNATURE, signed),
                ];
                let (posted, attempt) = self.sender.post(&endpoint.url, &headers, delivery.payload.clone()).await;
                (posted.status_code.is_some_and(acknowledged), attempt, Some(endpoint))
            }
            other => {
                // A switch-off's email is asked again by every delivery it stops
                // (told once: the notice is deduplicated), so a lost one is sent later.
                if let Some(switched_off) = other.as_ref().filter(|e| e.disabled_automatically) {
                    self.tell_switched_off(switched_off).await;
                }
                let why = if other.is_some() { "the endpoint is switched off" } else { "the endpoint was deleted" };
                let attempt = Attempt {
                    at: shared::clock::stored(now),
                    status_code: None,
                    error: Some(why.into()),
                    duration_ms: 0,
                };
                let at = now.timestamp_millis();
                self.store
                    .record_attempt(&endpoint_id, &message_id, lease, &attempt, DeliveryStatus::Failed, at, now)
                    .await
                    .map_err(retry)?;
                return Ok(());
            }
        };
        let after = self.clock.now();
        let started = DateTime::from_timestamp_millis(delivery.retry_started_at).unwrap_or(after);
        let decision =
            after_attempt(succeeded, delivery.run_attempts + 1, started, after, self.schedule, self.give_up_after);
        let (status, next) = match decision {
            AfterAttempt::Delivered => (DeliveryStatus::Delivered, after.timestamp_millis()),
            AfterAttempt::GiveUp => (DeliveryStatus::Failed, after.timestamp_millis()),
            AfterAttempt::RetryAt(at) => {
                // Queued first: if this process dies before the record below, the
                // next attempt still comes (and finds the record where it was).
                let next = DeliveryMessage::Attempt {
                    endpoint_id: endpoint_id.clone(),
                    message_id: message_id.clone(),
                    due: at.timestamp_millis(),
                };
                let wait = u32::try_from((at - after).num_seconds().clamp(0, 900)).unwrap_or(900);
                self.deliveries.send_delayed(encode(&next), &message_id, wait).await.map_err(retry)?;
                (DeliveryStatus::Pending, at.timestamp_millis())
            }
        };
        let recorded = self
            .store
            .record_attempt(&endpoint_id, &message_id, lease, &attempt, status, next, after)
            .await
            .map_err(retry)?;
        if !recorded {
            // The lease ran out (its holder was thought dead), or the store's answer
            // to this very update was lost and its retry found the lease released.
            tracing::warn!(%endpoint_id, %message_id, "the attempt's record found its lease gone");
        }
        tracing::info!(%endpoint_id, %message_id, ?status, status_code = ?attempt.status_code, error = ?attempt.error, "webhook attempt");
        let Some(endpoint) = endpoint else { return Ok(()) };
        let failing_since =
            self.store.record_health(&endpoint.organizer_id, &endpoint.id, succeeded, after).await.map_err(retry)?;
        if let Some(since) = failing_since
            && should_disable(since, after, self.disable_after)
        {
            let reason = format!("every delivery failed since {}", shared::clock::stored(since));
            if self.store.disable(&endpoint.organizer_id, &endpoint.id, &reason, after).await.map_err(retry)? {
                tracing::warn!(endpoint_id = %endpoint.id, organizer_id = %endpoint.organizer_id, %reason, "webhook endpoint switched off");
                let switched_off = Endpoint {
                    enabled: false,
                    disabled_at: Some(after),
                    disabled_reason: Some(reason),
                    disabled_automatically: true,
                    ..endpoint
                };
                self.tell_switched_off(&switched_off).await;
            }
        }
        Ok(())
    }
}
