//! SQS event source mappings, locally: poll the queue, hand batches to the
//! function, delete what it processed.
//!
//! As in Lambda: a function error leaves the whole batch on the queue; with
//! `ReportBatchItemFailures` only the reported messages stay; messages that stay
//! become visible again after the visibility timeout, and moto's redrive moves
//! them to the dead-letter queue after `maxReceiveCount` receives.

use crate::lambda::FunctionPool;
use crate::output;
use crate::stack::Stack;
use crate::template::SqsSource;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use axum::body::Bytes;
use serde_json::{Map, Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Mapping {
    pub function: Arc<FunctionPool>,
    pub queue_url: String,
    pub queue_arn: String,
    pub region: String,
    pub batch_size: usize,
    pub batching_window: Duration,
    pub report_batch_item_failures: bool,
    pub max_concurrency: usize,
}

/// A function's SQS event source as a mapping to poll; `None` when it is disabled.
pub fn mapping(stack: &Stack, source: &SqsSource, function: &Arc<FunctionPool>) -> anyhow::Result<Option<Mapping>> {
    let (_, queue_url, queue_arn) = stack.queue_of(&source.queue)?;
    if !source.enabled {
        return Ok(None);
    }
    Ok(Some(Mapping {
        function: function.clone(),
        queue_url,
        queue_arn,
        region: stack.options.region.clone(),
        batch_size: source.batch_size.clamp(1, 10_000),
        batching_window: source.batching_window,
        report_batch_item_failures: source.report_batch_item_failures,
        max_concurrency: source.max_concurrency.unwrap_or(function.config.max_instances),
    }))
}

/// Runs the mapping until the task is dropped: as many pollers as batches may be in
/// flight (Lambda's SQS pollers work the same way), each receiving a batch and
/// invoking the function with it, so a backlog drains at the mapping's concurrency
/// even when receiving is slow.
pub async fn poll(client: aws_sdk_sqs::Client, mapping: Mapping) {
    let pollers = (0..mapping.max_concurrency.max(1)).map(|_| poller(client.clone(), mapping.clone()));
    futures::future::join_all(pollers).await;
}

async fn poller(client: aws_sdk_sqs::Client, mapping: Mapping) {
    loop {
        let batch = match receive_batch(&client, &mapping).await {
            Ok(batch) => batch,
            Err(err) => {
                tracing::warn!(queue = %mapping.queue_url, error = %err, "receiving from the queue failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if !batch.is_empty() {
            deliver(&client, &mapping, batch).await;
        }
    }
}

async fn receive_batch(client: &aws_sdk_sqs::Client, mapping: &Mapping) -> Result<Vec<Message>, String> {
    let started = Instant::now();
    let mut batch = Vec::new();
    loop {
        let wanted = (mapping.batch_size - batch.len()).min(10) as i32;
        // Long polling, 20 s as Lambda's pollers do: the call returns as soon as
        // messages arrive, and idle queues cost one call per poller every 20 s.
        let wait = if batch.is_empty() { 20 } else { 0 };
        let received = client
            .receive_message()
            .queue_url(&mapping.queue_url)
            .max_number_of_messages(wanted)
            .wait_time_seconds(wait)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
        let got = received.messages.unwrap_or_default();
        let empty = got.is_empty();
        batch.extend(got);
        if batch.len() >= mapping.batch_size
            || started.elapsed() >= mapping.batching_window
            || (empty && !batch.is_empty())
        {
            return Ok(batch);
        }
        if batch.is_empty() {
            return Ok(batch);
        }
    }
}

/// The SQS event Lambda sends, one record per message.
pub fn event(mapping: &Mapping, batch: &[Message]) -> Value {
    let records: Vec<Value> = batch
        .iter()
        .map(|m| {
            let attributes: Map<String, Value> =
                m.attributes().into_iter().flatten().map(|(k, v)| (k.as_str().to_owned(), json!(v))).collect();
            let message_attributes: Map<String, Value> = m
                .message_attributes()
                .into_iter()
                .flatten()
                .map(|(name, a)| {
                    let mut value = json!({
                        "dataType": a.data_type(),
                        "stringListValues": [],
                        "binaryListValues": [],
                    });
                    if let Some(s) = a.string_value() {
                        value["stringValue"] = json!(s);
                    }
                    if let Some(b) = a.binary_value() {
                        use base64::Engine;
                        value["binaryValue"] = json!(base64::engine::general_purpose::STANDARD.encode(b.as_ref()));
                    }
                    (name.clone(), value)
                })
                .collect();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body().unwrap_or_default(),
                "attributes": attributes,
                "messageAttributes": message_attributes,
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": mapping.queue_arn,
                "awsRegion": mapping.region,
            })
        })
        .collect();
    json!({ "Records": records })
}

/// Which messages to delete after an invocation. `None` means the whole batch stays.
pub fn processed(mapping: &Mapping, batch: &[Message], result: Option<&[u8]>) -> Vec<String> {
    let all: Vec<String> = batch.iter().filter_map(|m| m.message_id().map(str::to_owned)).collect();
    let Some(payload) = result else { return Vec::new() };
    if !mapping.report_batch_item_failures {
        return all;
    }
    let Ok(response) = serde_json::from_slice::<Value>(payload) else { return all };
    let failures = match response.get("batchItemFailures") {
        None | Some(Value::Null) => return all,
        Some(Value::Array(items)) => items,
        // Lambda treats a malformed response as a failure of the whole batch.
        Some(_) => return Vec::new(),
    };
    let mut failed = HashSet::new();
    for item in failures {
        match item.get("itemIdentifier").and_then(Value::as_str) {
            Some(id) if all.iter().any(|m| m == id) => {
                failed.insert(id.to_owned());
            }
            // An empty, null or unknown identifier fails the whole batch.
            _ => return Vec::new(),
        }
    }
    all.into_iter().filter(|id| !failed.contains(id)).collect()
}

async fn deliver(client: &aws_sdk_sqs::Client, mapping: &Mapping, batch: Vec<Message>) {
    let payload = Bytes::from(event(mapping, &batch).to_string());
    let function = &mapping.function.config.logical_id;
    let result = mapping.function.invoke(payload).await;
    let done = match &result {
        Ok(body) => processed(mapping, &batch, Some(body)),
        Err(err) => {
            output::platform(
                function,
                &format!("SQS batch of {} failed: {err}; messages return after the visibility timeout", batch.len()),
            );
            Vec::new()
        }
    };
    if result.is_ok() && done.len() < batch.len() {
        output::platform(
            function,
            &format!("{} of {} messages reported as failed", batch.len() - done.len(), batch.len()),
        );
    }
    let entries: Vec<_> = batch
        .iter()
        .filter(|m| m.message_id().is_some_and(|id| done.iter().any(|d| d == id)))
        .enumerate()
        .filter_map(|(i, m)| {
            aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .build()
                .ok()
        })
        .collect();
    if entries.is_empty() {
        return;
    }
    if let Err(err) =
        client.delete_message_batch().queue_url(&mapping.queue_url).set_entries(Some(entries)).send().await
    {
        tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), "deleting processed messages failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(report: bool) -> Mapping {
        Mapping {
            function: crate::lambda::unstarted_pool("F"),
            queue_url: "http://q".into(),
            queue_arn: "arn:aws:sqs:us-east-1:123456789012:q".into(),
            region: "us-east-1".into(),
            batch_size: 10,
            batching_window: Duration::ZERO,
            report_batch_item_failures: report,
            max_concurrency: 1,
        }
    }

    fn batch() -> Vec<Message> {
        ["a", "b", "c"]
            .iter()
            .map(|id| Message::builder().message_id(*id).receipt_handle(format!("rh-{id}")).body("x").build())
            .collect()
    }

    #[test]
    fn partial_failures_keep_only_the_reported_messages() {
        let done = processed(&mapping(true), &batch(), Some(br#"{"batchItemFailures":[{"itemIdentifier":"b"}]}"#));
        assert_eq!(done, vec!["a", "c"]);
        let all = processed(&mapping(true), &batch(), Some(br#"{"batchItemFailures":[]}"#));
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn unknown_or_empty_identifiers_fail_the_whole_batch() {
        assert!(
            processed(&mapping(true), &batch(), Some(br#"{"batchItemFailures":[{"itemIdentifier":"zz"}]}"#)).is_empty()
        );
        assert!(
            processed(&mapping(true), &batch(), Some(br#"{"batchItemFailures":[{"itemIdentifier":""}]}"#)).is_empty()
        );
        assert!(processed(&mapping(true), &batch(), Some(br#"{"batchItemFailures":"oops"}"#)).is_empty());
    }

    #[test]
    fn without_report_batch_item_failures_success_deletes_everything() {
        let done = processed(&mapping(false), &batch(), Some(br#"{"batchItemFailures":[{"itemIdentifier":"b"}]}"#));
        assert_eq!(done.len(), 3, "Lambda ignores the list unless the mapping asks for it");
        assert!(processed(&mapping(false), &batch(), None).is_empty(), "an error keeps the whole batch");
    }

    #[test]
    fn event_parses_as_an_sqs_event() {
        let value = event(&mapping(true), &batch());
        let parsed: aws_lambda_events::sqs::SqsEvent = serde_json::from_value(value).unwrap();
        assert_eq!(parsed.records.len(), 3);
        assert_eq!(parsed.records[1].message_id.as_deref(), Some("b"));
        assert_eq!(parsed.records[1].event_source_arn.as_deref(), Some("arn:aws:sqs:us-east-1:123456789012:q"));
    }
}
