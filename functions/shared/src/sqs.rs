//! Running an SQS batch: each message through one function, failures reported by
//! message id (`SqsBatchResponse`), so SQS retries only those and, after the queue's
//! `maxReceiveCount`, moves them to the dead-letter queue. Lambda honours the list
//! only when the event source has `FunctionResponseTypes: [ReportBatchItemFailures]`.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use std::future::Future;

/// Why one message was not processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageFailure {
    /// A dependency failed (throttling, a timeout, the provider down): SQS delivers
    /// the message again after its visibility timeout.
    #[error("will retry: {0}")]
    Retry(String),
    /// The message itself is wrong (does not decode, unknown version, cannot be
    /// rendered): no retry will help. It is reported failed so it reaches the DLQ,
    /// where an operator sees it, without holding up the rest of its batch.
    #[error("poison message: {0}")]
    Poison(String),
}

/// Sending to a queue, behind a trait so handlers can be driven without SQS.
pub trait Queue: Send + Sync {
    /// Sends one message body with its correlation id as a message attribute.
    fn send(&self, body: String, correlation_id: &str) -> impl Future<Output = Result<(), QueueError>> + Send {
        self.send_delayed(body, correlation_id, 0)
    }

    /// Sends it to be delivered only after `delay_seconds` (at most 900).
    fn send_delayed(
        &self,
        body: String,
        correlation_id: &str,
        delay_seconds: u32,
    ) -> impl Future<Output = Result<(), QueueError>> + Send;
}

/// A send that failed (SQS unreachable, throttled, ...): the caller decides what
/// to undo or to retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("queue send failed: {0}")]
pub struct QueueError(pub String);

/// A queue of SQS, by URL (from template.yaml's `!Ref Queue`).
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl SqsQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into() }
    }

    /// The queue whose URL the environment variable `name` holds.
    pub async fn from_env(name: &str) -> Result<Self, crate::ConfigError> {
        let url = crate::env_required(name)?;
        Ok(Self::new(aws_sdk_sqs::Client::new(&crate::aws_sdk_config().await), url))
    }
}

impl Queue for SqsQueue {
    async fn send_delayed(&self, body: String, correlation_id: &str, delay_seconds: u32) -> Result<(), QueueError> {
        let attribute = aws_sdk_sqs::types::MessageAttributeValue::builder()
            .data_type("String")
            .string_value(if correlation_id.is_empty() { "none" } else { correlation_id })
            .build()
            .map_err(|e| QueueError(e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .delay_seconds(delay_seconds.min(900) as i32)
            .message_attributes(crate::messages::CORRELATION_ID_ATTRIBUTE, attribute)
            .send()
            .await
            .map_err(|e| QueueError(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
        Ok(())
    }
}

/// The correlation id a producer put on the message, for every log line about it.
pub fn correlation_id(message: &SqsMessage) -> Option<&str> {
    message.message_attributes.get(crate::messages::CORRELATION_ID_ATTRIBUTE).and_then(|a| a.string_value.as_deref())
}

/// Growing waits between retries: a failed message becomes visible again after
/// `base × 2^(receives - 1)` seconds, at most `max` (instead of the queue's fixed
/// visibility timeout), so a struggling dependency gets room and a passing fault
/// is retried soon.
pub struct Backoff {
    client: aws_sdk_sqs::Client,
    queue_url: String,
    pub base_seconds: u32,
    pub max_seconds: u32,
}

impl Backoff {
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>, base_seconds: u32, max_seconds: u32) -> Self {
        Self { client, queue_url: queue_url.into(), base_seconds, max_seconds }
    }

    /// The wait after the `receives`-th delivery failed.
    pub fn delay(&self, receives: u32) -> u32 {
        let doubling = 2u32.saturating_pow(receives.saturating_sub(1).min(16));
        self.base_seconds.saturating_mul(doubling).min(self.max_seconds)
    }

    async fn postpone(&self, message: &SqsMessage) {
        let receives = message.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse().ok()).unwrap_or(1);
        let Some(receipt) = message.receipt_handle.as_deref() else { return };
        let result = self
            .client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(self.delay(receives) as i32)
            .send()
            .await;
        if let Err(err) = result {
            // The queue's own visibility timeout applies instead: slower, not wrong.
            tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), "could not postpone the retry");
        }
    }
}

/// Runs `handle` on every message of the batch at once and lists the ones that failed.
pub async fn process_batch<F, Fut>(event: SqsEvent, handle: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), MessageFailure>>,
{
    process_batch_with(event, handle, None).await
}

/// [`process_batch`], with retries postponed by `backoff`.
pub async fn process_batch_with<F, Fut>(event: SqsEvent, handle: F, backoff: Option<&Backoff>) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), MessageFailure>>,
{
    use tracing::Instrument;
    let runs = event.records.into_iter().map(|message| {
        let id = message.message_id.clone().unwrap_or_default();
        let correlation = correlation_id(&message).unwrap_or_default().to_owned();
        // Every log line about this message carries its id and the chain's correlation id.
        let span = tracing::info_span!("message", message_id = %id, correlation_id = %correlation);
        let outcome = handle(message.clone()).instrument(span);
        async move { (id, correlation, message, outcome.await) }
    });
    let mut failures = Vec::new();
    for (id, correlation_id, message, outcome) in futures::future::join_all(runs).await {
        match outcome {
            Ok(()) => {}
            Err(failure) => {
                match &failure {
                    MessageFailure::Retry(why) => {
                        tracing::warn!(message_id = %id, %correlation_id, %why, "message will be retried");
                        if let Some(backoff) = backoff {
                            backoff.postpone(&message).await;
                        }
                    }
                    MessageFailure::Poison(why) => {
                        tracing::error!(message_id = %id, %correlation_id, %why, "poison message; it goes to the DLQ")
                    }
                }
                let mut item = BatchItemFailure::default();
                item.item_identifier = id;
                failures.push(item);
            }
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(bodies: &[&str]) -> SqsEvent {
        let records = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let mut message = SqsMessage::default();
                message.message_id = Some(format!("m{i}"));
                message.body = Some((*body).to_owned());
                message
            })
            .collect();
        let mut event = SqsEvent::default();
        event.records = records;
        event
    }

    #[tokio::test]
    async fn only_failed_messages_are_reported() {
        let response = process_batch(event(&["ok", "retry", "ok", "poison"]), |message| async move {
            match message.body.as_deref() {
                Some("retry") => Err(MessageFailure::Retry("provider down".into())),
                Some("poison") => Err(MessageFailure::Poison("not JSON".into())),
                _ => Ok(()),
            }
        })
        .await;
        let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        assert_eq!(failed, vec!["m1", "m3"]);
    }

    #[tokio::test]
    async fn retries_wait_longer_each_time_up_to_a_cap() {
        let config = aws_sdk_sqs::Config::builder().behavior_version_latest().build();
        let backoff = Backoff::new(aws_sdk_sqs::Client::from_conf(config), "q", 2, 60);
        let waits: Vec<u32> = (1..=7).map(|n| backoff.delay(n)).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff.delay(0), 2);
        assert_eq!(backoff.delay(1000), 60);
    }

    #[tokio::test]
    async fn an_all_good_batch_reports_nothing() {
        let response = process_batch(event(&["a", "b"]), |_| async { Ok(()) }).await;
        assert!(response.batch_item_failures.is_empty());
    }
}
