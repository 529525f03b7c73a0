//! The events table's stream, shard items only: each tier whose shards changed gets
//! its public `available` figure summed again from them. The figure only informs
//! (listings, the event page); a hold's transaction decides on the shards. A batch
//! of a thousand holds on one tier costs one read of its shards and one write.

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use shared::dynamo::Failure;
use std::collections::BTreeMap;
use std::future::Future;

/// Sums a tier's shards onto its item.
pub trait Summaries: Send + Sync {
    fn refresh(&self, event_id: &str, tier_id: &str) -> impl Future<Output = Result<(), Failure>> + Send;
}

pub async fn handle<S: Summaries>(summaries: &S, event: Event) -> DynamoDbEventResponse {
    // Each tier once, with the first record that named it (where a retry starts).
    let mut tiers: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    for (position, record) in event.records.iter().enumerate() {
        let key = |name: &str| record.change.keys.get(name).and_then(attribute_text);
        let (Some(pk), Some(sk)) = (key("pk"), key("sk")) else { continue };
        let Some(tier) = crate::inventory::shard_of_key(&pk, &sk) else { continue };
        let sequence = record.change.sequence_number.clone().unwrap_or_default();
        tiers.entry(tier).or_insert((position, sequence));
    }
    let refreshes = tiers.into_iter().map(|((event_id, tier_id), first)| async move {
        match summaries.refresh(&event_id, &tier_id).await {
            Ok(()) => None,
            Err(err) => {
                tracing::warn!(%event_id, %tier_id, %err, "tier summary not refreshed; the batch is retried from it");
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
