//! Sales figures in the reservations table: per event, hour and tier, spread over
//! [`SALES_SHARDS`] items so that an on-sale's confirmations do not all write one
//! item (`SALES#<eventId>#<n>` / `<hour>#<tierId>`). Each counted change leaves a
//! marker (`SALESMARK#<reservationId>` / `<mark>`, expiring after 30 days) written
//! in the same transaction: a change delivered twice is counted once.

use super::StoreResult;
use super::dynamodb::DynamoReservationStore;
use crate::domain::sales::SalesDelta;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use shared::dynamo::{self, Failure, Item, number, string as s};

/// Items one event's figures are spread over.
pub const SALES_SHARDS: u32 = 8;

/// How long a change's marker is kept (the stream keeps a record 24 hours).
const MARK_DAYS: i64 = 30;

/// One hour of one tier, summed over the shards.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HourFigures {
    pub hour: String,
    pub tier_id: String,
    pub sold: i64,
    pub revenue_minor: i64,
    pub refunded: i64,
    pub refunded_minor: i64,
}

fn shard_of(reservation_id: &str) -> u32 {
    super::dynamodb::spread(reservation_id, SALES_SHARDS)
}

fn hour_text(hour: DateTime<Utc>) -> String {
    hour.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl DynamoReservationStore {
    /// Adds `delta` to its hour's figures unless this change of `reservation_id` was counted already.
    pub async fn record_sales(&self, reservation_id: &str, delta: &SalesDelta, now: DateTime<Utc>) -> StoreResult<()> {
        let mut mark = dynamo::key(format!("SALESMARK#{reservation_id}"), delta.mark.clone());
        mark.insert("expiresAt".into(), number(now.timestamp() + MARK_DAYS * 86_400));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(mark))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(dynamo::failure)?;
        let key = dynamo::key(
            format!("SALES#{}#{}", delta.event_id, shard_of(reservation_id)),
            format!("{}#{}", hour_text(delta.hour), delta.tier_id),
        );
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(
                "SET eventId = :event, tierId = :tier, #hour = :hour \
                 ADD sold :sold, revenueMinor :revenue, refunded :refunded, refundedMinor :refundedMinor",
            )
            .expression_attribute_names("#hour", "hour")
            .expression_attribute_values(":event", s(&delta.event_id))
            .expression_attribute_values(":tier", s(&delta.tier_id))
            .expression_attribute_values(":hour", s(hour_text(delta.hour)))
            .expression_attribute_values(":sold", number(delta.sold))
            .expression_attribute_values(":revenue", number(delta.revenue_minor))
            .expression_attribute_values(":refunded", number(delta.refunded))
            .expression_attribute_values(":refundedMinor", number(delta.refunded_minor))
            .build()
            .map_err(dynamo::failure)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(update).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(()),
            // Counted already (the stream handed the change over again).
            Err(failure) if failure.condition_failed_at(0) => Ok(()),
            Err(failure) => Err(failure.into()),
        }
    }

    /// The event's figures per hour and tier, oldest first.
    pub async fn sales_figures(&self, event_id: &str) -> StoreResult<Vec<HourFigures>> {
        let reads = (0..SALES_SHARDS).map(|n| self.sales_shard(format!("SALES#{event_id}#{n}")));
        let mut sums: std::collections::BTreeMap<(String, String), HourFigures> = Default::default();
        for items in futures::future::try_join_all(reads).await? {
            for item in items {
                let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                let int = |name: &str| {
                    item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<i64>().ok()).unwrap_or(0)
                };
                let (hour, tier_id) = (text("hour"), text("tierId"));
                let sum = sums.entry((hour.clone(), tier_id.clone())).or_insert_with(|| HourFigures {
                    hour,
                    tier_id,
                    ..HourFigures::default()
                });
                sum.sold += int("sold");
                sum.revenue_minor += int("revenueMinor");
                sum.refunded += int("refunded");
                sum.refunded_minor += int("refundedMinor");
            }
        }
        Ok(sums.into_values().collect())
    }

    async fn sales_shard(&self, partition: String) -> Result<Vec<Item>, Failure> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(partition));
        dynamo::query_all(query).await
    }
}
