//! The events table's stream, shard and seat items only: each tier whose shards
//! changed gets its public `available` figure summed again from them, and each row
//! whose seats changed gets its state item (the map's taken seats) read again from
//! them. Both only inform (listings, the event page, the seat map); a hold's
//! transaction decides on the shards and seats. A batch of a thousand holds on one
//! tier costs one read of its shards and one write.

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use shared::dynamo::Failure;
use std::collections::BTreeMap;
use std::future::Future;

/// What a changed item's summary is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Summary {
    /// A tier's seats, summed from its shards onto its item.
    Tier { event_id: String, tier_id: String },
    /// A row's taken seats, from its seat items onto its state item.
    Row { event_id: String, section: u32, row: u32 },
}

pub trait Summaries: Send + Sync {
    fn refresh(&self, summary: &Summary) -> impl Future<Output = Result<(), Failure>> + Send;
}

pub async fn handle<S: Summaries>(summaries: &S, event: Event) -> DynamoDbEventResponse {
    // Each summary once, with the first record that named it (where a retry starts).
    let mut summaries_due: BTreeMap<Summary, (usize, String)> = BTreeMap::new();
    for (position, record) in event.records.iter().enumerate() {
        let key = |name: &str| record.change.keys.get(name).and_then(attribute_text);
        let (Some(pk), Some(sk)) = (key("pk"), key("sk")) else { continue };
        let summary = match crate::inventory::shard_of_key(&pk, &sk) {
            Some((event_id, tier_id)) => Summary::Tier { event_id, tier_id },
            None => match crate::seats::row_of_seat_key(&pk) {
                Some((event_id, section, row)) => Summary::Row { event_id, section, row },
                None => continue,
            },
        };
        let sequence = record.change.sequence_number.clone().unwrap_or_default();
        summaries_due.entry(summary).or_insert((position, sequence));
    }
    let refreshes = summaries_due.into_iter().map(|(summary, first)| async move {
        match summaries.refresh(&summary).await {
            Ok(()) => None,
            Err(err) => {
                tracing::warn!(?summary, %err, "summary not refreshed; the batch is retried from it");
                Some(first)
            }
        }
    });
    let failed = futures::future::join_all(refreshes).await.into_iter().flatten().min_by_key(|(position, _)| *position);
    let mut response = DynamoDbEventResponse::default();
    if let Some((_, sequence)) = failed {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = Some(sequence);
        response.batch_item_failures.push(failure);
    }
    response
}

fn attribute_text(value: &serde_dynamo::AttributeValue) -> Option<String> {
    match value {
        serde_dynamo::AttributeValue::S(s) => Some(s.clone()),
        _ => None,
    }
}
