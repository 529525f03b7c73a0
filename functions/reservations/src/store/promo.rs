//! Promo codes in the reservations table: one item per code, `PROMO#<eventId>` /
//! `CODE#<CODE>`. A limited code keeps `usesLeft`, which a hold takes from in its
//! own transaction (`usesLeft >= quantity`) and an unsold hold's end gives back;
//! a code without a limit is never written by a hold (no hot item to contend on).

use super::dynamodb::DynamoReservationStore;
use super::{StoreError, StoreResult};
use crate::domain::promo::{self, Discount, PromoCode};
use crate::domain::reservation::Reservation;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::dynamo::{self, Item, number};

fn promo_pk(event_id: &str) -> String {
    format!("PROMO#{event_id}")
}

fn promo_key(event_id: &str, code: &str) -> Item {
    dynamo::key(promo_pk(event_id), format!("CODE#{}", promo::key(code)))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromoItem {
    pk: String,
    sk: String,
    event_id: String,
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    percent_off: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount_off_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_uses: Option<u32>,
    /// Present exactly when `max_uses` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uses_left: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tier_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl PromoItem {
    fn new(p: &PromoCode) -> Self {
        let (percent_off, amount_off_minor) = match p.discount {
            Discount::None => (None, None),
            Discount::PercentOff(n) => (Some(n), None),
            Discount::AmountOffMinor(n) => (None, Some(n)),
        };
        Self {
            pk: promo_pk(&p.event_id),
            sk: format!("CODE#{}", promo::key(&p.code)),
            event_id: p.event_id.clone(),
            code: p.code.clone(),
            percent_off,
            amount_off_minor,
            max_uses: p.max_uses,
            uses_left: p.max_uses.map(|max| i64::from(max) - i64::from(p.uses)),
            tier_ids: p.tier_ids.clone(),
            valid_from: p.valid_from,
            valid_until: p.valid_until,
            created_at: p.created_at,
        }
    }

    fn into_code(self) -> PromoCode {
        let discount = match (self.percent_off, self.amount_off_minor) {
            (Some(n), _) => Discount::PercentOff(n),
            (None, Some(n)) => Discount::AmountOffMinor(n),
            (None, None) => Discount::None,
        };
        let uses = match (self.max_uses, self.uses_left) {
            (Some(max), Some(left)) => (i64::from(max) - left).clamp(0, i64::from(u32::MAX)) as u32,
            _ => 0,
        };
        PromoCode {
            event_id: self.event_id,
            code: self.code,
            discount,
            max_uses: self.max_uses,
            uses,
            tier_ids: self.tier_ids,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            created_at: self.created_at,
        }
    }
}

fn decode(item: Item) -> StoreResult<PromoCode> {
    let item: PromoItem = serde_dynamo::from_item(item).map_err(dynamo::failure)?;
    Ok(item.into_code())
}

/// The hold's action on its code: `quantity` uses taken if that many are left.
pub(super) fn take_uses(table: &str, r: &Reservation) -> StoreResult<Option<TransactWriteItem>> {
    let Some(applied) = r.promo.as_ref().filter(|p| p.counted > 0) else { return Ok(None) };
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(promo_key(&r.event_id, &applied.code)))
        .update_expression("ADD usesLeft :minus")
        .condition_expression("usesLeft >= :n")
        .expression_attribute_values(":minus", number(-i64::from(applied.counted)))
        .expression_attribute_values(":n", number(applied.counted))
        .build()
        .map_err(dynamo::failure)?;
    Ok(Some(TransactWriteItem::builder().update(update).build()))
}

/// An unsold hold's end: its uses back to its code.
pub(super) fn give_back_uses(table: &str, r: &Reservation) -> StoreResult<Option<TransactWriteItem>> {
    let Some(applied) = r.promo.as_ref().filter(|p| p.counted > 0) else { return Ok(None) };
    // Unconditional: codes are never deleted, and nothing may stop seats going back.
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(promo_key(&r.event_id, &applied.code)))
        .update_expression("ADD usesLeft :n")
        .expression_attribute_values(":n", number(applied.counted))
        .build()
        .map_err(dynamo::failure)?;
    Ok(Some(TransactWriteItem::builder().update(update).build()))
}

impl DynamoReservationStore {
    /// The event's code matching `code` (any case), if there is one.
    pub async fn find_promo_code(&self, event_id: &str, code: &str) -> StoreResult<Option<PromoCode>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(promo_key(event_id, code)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        out.item.map(decode).transpose()
    }

    /// Records a new code; `PromoExists` if the event has one by that name (any case).
    pub async fn create_promo_code(&self, promo: &PromoCode) -> StoreResult<()> {
        let item = serde_dynamo::to_item(PromoItem::new(promo)).map_err(dynamo::failure)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        if dynamo::condition_held(result)? { Ok(()) } else { Err(StoreError::PromoExists) }
    }

    /// Every code of the event, by name.
    pub async fn promo_codes(&self, event_id: &str) -> StoreResult<Vec<PromoCode>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(promo_pk(event_id)))
            .consistent_read(true);
        dynamo::query_all(query).await?.into_iter().map(decode).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reservation::tests::at;

    #[test]
    fn a_code_is_stored_with_the_uses_it_has_left() {
        let code = PromoCode {
            event_id: "e1".into(),
            code: "FanClub".into(),
            discount: Discount::AmountOffMinor(500),
            max_uses: Some(10),
            uses: 3,
            tier_ids: vec!["t1".into()],
            valid_from: None,
            valid_until: Some(at("2030-01-01T00:00:00Z")),
            created_at: at("2029-01-01T00:00:00Z"),
        };
        let item = PromoItem::new(&code);
        assert_eq!((item.sk.as_str(), item.uses_left), ("CODE#FANCLUB", Some(7)));
        let stored = serde_dynamo::to_item(item).unwrap();
        assert_eq!(decode(stored).unwrap(), code);
        let unlimited = PromoItem::new(&PromoCode { max_uses: None, ..code });
        assert_eq!(unlimited.uses_left, None);
    }
}
