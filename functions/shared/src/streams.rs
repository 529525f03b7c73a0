//! Running a DynamoDB stream batch: how a domain publishes what it committed.
//!
//! A table's stream carries every committed change (old and new image); a
//! consumer turns the changes it cares about into the chain's next messages. The
//! write and the message can no longer part: if the consumer dies, the event
//! source mapping hands the same records over again.
//!
//! Records of one item are handled in order, one after the other; records of
//! different items at once. The response names the first record (in the batch's
//! order) that failed, so the mapping retries from there: the records before it
//! are done, it and every later one come again (consumers are idempotent).

use crate::sqs::MessageFailure;
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use serde::de::DeserializeOwned;
use std::future::Future;

/// One committed change of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Insert,
    Modify,
    Remove,
}

pub fn kind(record: &EventRecord) -> Option<ChangeKind> {
    match record.event_name.as_str() {
        "INSERT" => Some(ChangeKind::Insert),
        "MODIFY" => Some(ChangeKind::Modify),
        "REMOVE" => Some(ChangeKind::Remove),
        _ => None,
    }
}

/// An image of the item (before or after the change) read as `T`; `None` when the
/// record has no such image (an insert has no old one).
pub fn image<T: DeserializeOwned>(item: &serde_dynamo::Item) -> Result<Option<T>, MessageFailure> {
    if item.is_empty() {
        return Ok(None);
    }
    serde_dynamo::from_item(item.clone())
        .map(Some)
        .map_err(|e| MessageFailure::Poison(format!("stream image does not decode: {e}")))
}

/// Runs `handle` on every record, in order per item, and names the first failure.
pub async fn process_batch<F, Fut>(event: Event, handle: F) -> DynamoDbEventResponse
where
    F: Fn(EventRecord) -> Fut,
    Fut: Future<Output = Result<(), MessageFailure>>,
{
    let records = event.records;
    // Each item's records, in stream order, by the item's key.
    let mut groups: Vec<(String, Vec<(usize, EventRecord)>)> = Vec::new();
    for (position, record) in records.into_iter().enumerate() {
        let key = serde_json::to_string(&record.change.keys).unwrap_or_default();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push((position, record)),
            None => groups.push((key, vec![(position, record)])),
        }
    }
    let handle = &handle;
    let runs = groups.into_iter().map(|(_, list)| async move {
        for (position, record) in list {
            let sequence = record.change.sequence_number.clone().unwrap_or_default();
            let event_id = record.event_id.clone();
            match handle(record).await {
                Ok(()) => {}
                Err(failure) => {
                    match &failure {
                        MessageFailure::Retry(why) => {
                            tracing::warn!(%event_id, %sequence, %why, "stream record will be retried")
                        }
                        MessageFailure::Poison(why) => tracing::error!(
                            %event_id, %sequence, %why,
                            "stream record cannot be processed; after its retries it goes to the failure destination"
                        ),
                    }
                    // The item's later records wait for this one.
                    return Some((position, sequence));
                }
            }
        }
        None
    });
    let first_failure = futures::future::join_all(runs).await.into_iter().flatten().min_by_key(|(p, _)| *p);
    let mut response = DynamoDbEventResponse::default();
    if let Some((_, sequence)) = first_failure {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = Some(sequence);
        response.batch_item_failures.push(failure);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Mutex;

    fn event(records: &[(&str, &str, &str)]) -> Event {
        let records: Vec<_> = records
            .iter()
            .map(|(key, sequence, body)| {
                json!({
                    "eventID": sequence, "eventName": "INSERT", "awsRegion": "eu-west-1", "eventSource": "aws:dynamodb",
                    "dynamodb": {
                        "Keys": {"pk": {"S": key}},
                        "NewImage": {"pk": {"S": key}, "body": {"S": body}},
                        "SequenceNumber": sequence, "SizeBytes": 10, "StreamViewType": "NEW_AND_OLD_IMAGES",
                    },
                })
            })
            .collect();
        serde_json::from_value(json!({ "Records": records })).unwrap()
    }

    #[derive(serde::Deserialize)]
    struct Body {
        body: String,
    }

    #[tokio::test]
    async fn the_first_failure_in_batch_order_is_reported_and_an_items_later_records_wait() {
        let seen = Mutex::new(Vec::new());
        let batch =
            event(&[("a", "1", "ok"), ("b", "2", "fail"), ("a", "3", "ok"), ("b", "4", "ok"), ("c", "5", "fail")]);
        let response = process_batch(batch, |record| {
            let body: Body = image(&record.change.new_image).unwrap().unwrap();
            seen.lock().unwrap().push(record.event_id.clone());
            async move { if body.body == "fail" { Err(MessageFailure::Retry("no".into())) } else { Ok(()) } }
        })
        .await;
        assert_eq!(response.batch_item_failures.len(), 1);
        assert_eq!(response.batch_item_failures[0].item_identifier.as_deref(), Some("2"));
        let seen = seen.into_inner().unwrap();
        assert!(seen.contains(&"3".to_owned()), "other items go on");
        assert!(!seen.contains(&"4".to_owned()), "b's later record waits for the failed one");
    }

    #[tokio::test]
    async fn a_clean_batch_reports_nothing_and_missing_images_are_none() {
        let response = process_batch(event(&[("a", "1", "ok")]), |_| async { Ok(()) }).await;
        assert!(response.batch_item_failures.is_empty());
        assert!(
            image::<Body>(&serde_dynamo::Item::from(
                std::collections::HashMap::<String, serde_dynamo::AttributeValue>::new()
            ))
            .unwrap()
            .is_none()
        );
        let bad = event(&[("a", "1", "ok")]);
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Other {
            missing: u32,
        }
        assert!(matches!(image::<Other>(&bad.records[0].change.new_image), Err(MessageFailure::Poison(_))));
    }
}
