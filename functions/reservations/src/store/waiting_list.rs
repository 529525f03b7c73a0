//! Waiting lists in the reservations table, two items per waiter:
//!
//! | item | pk | sk |
//! |---|---|---|
//! | place in line | `WAITLIST#<eventId>#<tierId>` | `<joinedAt>#<userId>` (the list in order: a key range, no scan) |
//! | the waiter's claim | `WAITER#<eventId>#<tierId>#<userId>` | `WAITER` (one place per account: joining twice keeps it) |
//!
//! Both are written together and removed together: by leaving, or by the offer's
//! hold transaction (`take_place`), so a waiter is offered seats once per place.

use super::dynamodb::DynamoReservationStore;
use super::{StoreError, StoreResult};
use crate::domain::reservation::Reservation;
use crate::domain::waiting_list::Waiter;
use aws_sdk_dynamodb::types::{Delete, Put, Select, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::clock::stored;
use shared::dynamo::{self, Item, string as s};

fn list_pk(event_id: &str, tier_id: &str) -> String {
    format!("WAITLIST#{event_id}#{tier_id}")
}

fn place_sk(joined_at: DateTime<Utc>, user_id: &str) -> String {
    format!("{}#{user_id}", stored(joined_at))
}

fn claim_key(event_id: &str, tier_id: &str, user_id: &str) -> Item {
    dynamo::key(format!("WAITER#{event_id}#{tier_id}#{user_id}"), "WAITER")
}

fn place_key(w: &Waiter) -> Item {
    dynamo::key(list_pk(&w.event_id, &w.tier_id), place_sk(w.joined_at, &w.user_id))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WaiterItem {
    pk: String,
    sk: String,
    event_id: String,
    tier_id: String,
    user_id: String,
    quantity: u32,
    /// `shared::clock::stored` (milliseconds): the conditions compare it as text.
    joined_at: String,
}

impl WaiterItem {
    fn into_waiter(self) -> Result<Waiter, dynamo::Failure> {
        let joined_at = DateTime::parse_from_rfc3339(&self.joined_at)
            .map_err(|_| dynamo::failure("a stored waiting-list place has no valid joinedAt"))?
            .with_timezone(&Utc);
        Ok(Waiter {
            event_id: self.event_id,
            tier_id: self.tier_id,
            user_id: self.user_id,
            quantity: self.quantity,
            joined_at,
        })
    }
}

fn item(w: &Waiter, key: Item) -> Result<Item, dynamo::Failure> {
    let pk = key.get("pk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    let sk = key.get("sk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    serde_dynamo::to_item(WaiterItem {
        pk,
        sk,
        event_id: w.event_id.clone(),
        tier_id: w.tier_id.clone(),
        user_id: w.user_id.clone(),
        quantity: w.quantity,
        joined_at: stored(w.joined_at),
    })
    .map_err(dynamo::failure)
}

fn decode(item: Item) -> StoreResult<Waiter> {
    let item: WaiterItem = serde_dynamo::from_item(item).map_err(dynamo::failure)?;
    Ok(item.into_waiter()?)
}

/// The offer's actions in its hold transaction: the waiter's place and claim
/// removed, on the condition that this very place is still in line (left, or
/// offered by a concurrent run: the hold does not happen).
pub(super) fn take_place(table: &str, r: &Reservation) -> StoreResult<Vec<TransactWriteItem>> {
    let Some(joined_at) = r.waiting_list_joined_at else { return Ok(Vec::new()) };
    let place = Delete::builder()
        .table_name(table)
        .set_key(Some(dynamo::key(list_pk(&r.event_id, &r.tier_id), place_sk(joined_at, &r.user_id))))
        .condition_expression("attribute_exists(pk)")
        .build()
        .map_err(dynamo::failure)?;
    let claim = Delete::builder()
        .table_name(table)
        .set_key(Some(claim_key(&r.event_id, &r.tier_id, &r.user_id)))
        .condition_expression("joinedAt = :joined")
        .expression_attribute_values(":joined", s(stored(joined_at)))
        .build()
        .map_err(dynamo::failure)?;
    Ok(vec![TransactWriteItem::builder().delete(place).build(), TransactWriteItem::builder().delete(claim).build()])
}

/// How long an instance trusts what it read of whether a line has anyone: a hold
/// costs its transaction alone most of the time, and a line that just formed
/// protects its seats within this.
pub const LINE_CACHE: std::time::Duration = std::time::Duration::from_secs(1);

/// How a join ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    New(Waiter),
    /// Already in line: the place they had (joining twice keeps it).
    Already(Waiter),
}

impl DynamoReservationStore {
    /// Puts `waiter` in line, unless their account is there already.
    pub async fn join_waiting_list(&self, waiter: &Waiter) -> StoreResult<Joined> {
        let claim = claim_key(&waiter.event_id, &waiter.tier_id, &waiter.user_id);
        let claim_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item(waiter, claim.clone())?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(dynamo::failure)?;
        let place_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item(waiter, place_key(waiter))?))
            .build()
            .map_err(dynamo::failure)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(claim_put).build())
            .transact_items(TransactWriteItem::builder().put(place_put).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(Joined::New(waiter.clone())),
            Err(failure) if failure.condition_failed_at(0) => {
                match self.waiting_place(&waiter.event_id, &waiter.tier_id, &waiter.user_id).await? {
                    Some(place) => Ok(Joined::Already(place)),
                    // Offered or left just now: the caller may try again.
                    None => Err(StoreError::Changed),
                }
            }
            Err(failure) => Err(failure.into()),
        }
    }

    /// The caller's place in a tier's line, if they are in it.
    pub async fn waiting_place(&self, event_id: &str, tier_id: &str, user_id: &str) -> StoreResult<Option<Waiter>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(claim_key(event_id, tier_id, user_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        out.item.map(decode).transpose()
    }

    /// Takes `waiter` out of line; false if they were not in it.
    pub async fn leave_waiting_list(&self, waiter: &Waiter) -> StoreResult<bool> {
        let claim = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(claim_key(&waiter.event_id, &waiter.tier_id, &waiter.user_id)))
            .condition_expression("joinedAt = :joined")
            .expression_attribute_values(":joined", s(stored(waiter.joined_at)))
            .build()
            .map_err(dynamo::failure)?;
        let place = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(place_key(waiter)))
            .build()
            .map_err(dynamo::failure)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(claim).build())
            .transact_items(TransactWriteItem::builder().delete(place).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(true),
            Err(failure) if failure.condition_failed_at(0) => Ok(false),
            Err(failure) => Err(failure.into()),
        }
    }

    /// 1 for the first in line: how many wait ahead of `waiter`, plus one.
    pub async fn waiting_position(&self, waiter: &Waiter) -> StoreResult<u32> {
        let ahead = self
            .count(&list_pk(&waiter.event_id, &waiter.tier_id), Some(place_sk(waiter.joined_at, &waiter.user_id)))
            .await?;
        Ok(ahead + 1)
    }

    /// Whether anyone waits for the tier (the first place, if any).
    pub async fn line_has_anyone(&self, event_id: &str, tier_id: &str) -> StoreResult<bool> {
        Ok(!self.waiting_list_head(event_id, tier_id, 1).await?.is_empty())
    }

    /// How many wait for the tier.
    pub async fn waiting_list_length(&self, event_id: &str, tier_id: &str) -> StoreResult<u32> {
        self.count(&list_pk(event_id, tier_id), None).await
    }

    /// The first `limit` in line, in order.
    pub async fn waiting_list_head(&self, event_id: &str, tier_id: &str, limit: u32) -> StoreResult<Vec<Waiter>> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(list_pk(event_id, tier_id)))
            .consistent_read(true)
            .limit(limit as i32)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        out.items.unwrap_or_default().into_iter().map(decode).collect()
    }

    /// Items of a list's partition (before `before`, when given), page after page:
    /// small items, about 10,000 a page.
    async fn count(&self, pk: &str, before: Option<String>) -> StoreResult<u32> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .select(Select::Count)
            .consistent_read(true)
            .expression_attribute_values(":pk", s(pk));
        query = match before {
            Some(sk) => {
                query.key_condition_expression("pk = :pk AND sk < :sk").expression_attribute_values(":sk", s(sk))
            }
            None => query.key_condition_expression("pk = :pk"),
        };
        let mut total = 0u32;
        let mut start: Option<Item> = None;
        loop {
            let out = query.clone().set_exclusive_start_key(start.take()).send().await.map_err(dynamo::sdk_failure)?;
            total += out.count.max(0) as u32;
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reservation::tests::at;

    #[test]
    fn a_place_reads_back_as_written_and_its_keys_match_the_offers() {
        let waiter = Waiter {
            event_id: "e1".into(),
            tier_id: "t1".into(),
            user_id: "u1".into(),
            quantity: 2,
            joined_at: at("2030-02-01T10:00:00.120Z"),
        };
        let stored_item = item(&waiter, place_key(&waiter)).unwrap();
        assert_eq!(stored_item["sk"].as_s().unwrap(), "2030-02-01T10:00:00.120Z#u1");
        // The offer's condition compares joinedAt as text with the same rendering.
        assert_eq!(stored_item["joinedAt"].as_s().unwrap(), &stored(waiter.joined_at));
        assert_eq!(decode(stored_item).unwrap(), waiter);
        let on_the_second = Waiter { joined_at: at("2030-02-01T10:00:00Z"), ..waiter };
        let claim = item(&on_the_second, claim_key("e1", "t1", "u1")).unwrap();
        assert_eq!(claim["joinedAt"].as_s().unwrap(), "2030-02-01T10:00:00.000Z");
    }
}
