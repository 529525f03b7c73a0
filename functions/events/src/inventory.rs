//! Seat inventory: the contract through which other domains hold and return seats.
//!
//! The events domain owns every tier's `available` counter (one item per tier in
//! the events table). The reservations domain changes it only through the
//! transaction actions built here, inside its own `TransactWriteItems` together
//! with its reservation item, so a seat is held or returned exactly when the
//! reservation's state changes. Nothing outside this module spells these keys.
//!
//! | action | item | effect | condition |
//! |---|---|---|---|
//! | [`sales_open`] | event `EVENT#<id>` / `META` | — | published, `salesOpensAt <= now < salesClosesAt` |
//! | [`hold`] | tier `EVENT#<id>` / `TIER#<tierId>` | `available -= n` | `available >= n`, `maxPerOrder >= n` |
//! | [`release`] | tier | `available += n` | the tier exists |
//!
//! A failed `hold` condition returns the tier as it was ([`TierSnapshot`]), so the
//! caller can say what remains. [`offer`] reads what a buyer is offered (event,
//! sales window, the tier's price and limits) to check and price an order first.

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use chrono::{DateTime, SecondsFormat, Utc};
use shared::dynamo::{self, Failure, Item, number, string};

/// Time zones of events (IANA names).
pub use chrono_tz::Tz;

/// Partition key of an event and all its tiers.
pub fn event_pk(event_id: &str) -> String {
    format!("EVENT#{event_id}")
}

/// Sort key of a tier's item.
pub fn tier_sk(tier_id: &str) -> String {
    format!("TIER#{tier_id}")
}

/// Sort key of the event's own item.
pub const META: &str = "META";

pub fn event_key(event_id: &str) -> Item {
    dynamo::key(event_pk(event_id), META)
}

pub fn tier_key(event_id: &str, tier_id: &str) -> Item {
    dynamo::key(event_pk(event_id), tier_sk(tier_id))
}

/// Instants as the events table stores them (they compare as text).
pub fn stored_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Checks, inside the caller's transaction, that the event sells now.
pub fn sales_open(table: &str, event_id: &str, now: DateTime<Utc>) -> Result<TransactWriteItem, Failure> {
    let check = ConditionCheck::builder()
        .table_name(table)
        .set_key(Some(event_key(event_id)))
        .condition_expression("#status = :published AND salesOpensAt <= :now AND salesClosesAt > :now")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":published", string("published"))
        .expression_attribute_values(":now", string(stored_instant(now)))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(dynamo::failure)?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

/// Checks, inside the caller's transaction, that the event is not cancelled (a
/// booking confirmed after its event's cancellation must not happen).
pub fn not_cancelled(table: &str, event_id: &str) -> Result<TransactWriteItem, Failure> {
    let check = ConditionCheck::builder()
        .table_name(table)
        .set_key(Some(event_key(event_id)))
        .condition_expression("#status <> :cancelled")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":cancelled", string("cancelled"))
        .build()
        .map_err(dynamo::failure)?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

/// Takes `quantity` seats of the tier, if that many remain and one order may take them.
pub fn hold(table: &str, event_id: &str, tier_id: &str, quantity: u32) -> Result<TransactWriteItem, Failure> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(tier_key(event_id, tier_id)))
        .update_expression("SET available = available - :n")
        .condition_expression("available >= :n AND maxPerOrder >= :n")
        .expression_attribute_values(":n", number(quantity))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(dynamo::failure)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Gives `quantity` seats of the tier back.
pub fn release(table: &str, event_id: &str, tier_id: &str, quantity: u32) -> Result<TransactWriteItem, Failure> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(tier_key(event_id, tier_id)))
        .update_expression("SET available = available + :n")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_values(":n", number(quantity))
        .build()
        .map_err(dynamo::failure)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// What is on sale: the event and one of its tiers, as a buyer's order needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub event_id: String,
    pub organizer_id: String,
    pub title: String,
    pub published: bool,
    /// "Venue name, City", for emails.
    pub venue: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub timezone: chrono_tz::Tz,
    pub sales_opens_at: Option<DateTime<Utc>>,
    pub sales_closes_at: Option<DateTime<Utc>>,
    pub currency: String,
    pub tier_id: String,
    pub tier_name: String,
    pub price_minor: i64,
    pub max_per_order: u32,
    pub available: u32,
}

impl Offer {
    /// Whether sales are open at `now` (the same rule [`sales_open`] checks in the transaction).
    pub fn on_sale(&self, now: DateTime<Utc>) -> bool {
        self.published
            && self.sales_opens_at.is_some_and(|opens| opens <= now)
            && self.sales_closes_at.is_some_and(|closes| now < closes)
    }

    /// The event's start in its own time zone, RFC 3339 with offset.
    pub fn starts_at_local(&self) -> Option<String> {
        self.starts_at.map(|t| t.with_timezone(&self.timezone).to_rfc3339())
    }
}

/// The event and tier a buyer asks for, or `None` if either does not exist.
pub async fn offer(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    tier_id: &str,
) -> Result<Option<Offer>, Failure> {
    use crate::store::{EventStore, StoreError};
    let store = crate::store::dynamodb::DynamoEventStore::new(client.clone(), table);
    let event = match store.get(event_id).await {
        Ok(event) => event,
        Err(StoreError::Storage(failure)) => return Err(failure),
        Err(other) => return Err(Failure::Other(other.to_string())),
    };
    let Some(event) = event else { return Ok(None) };
    let Some(tier) = event.tiers.iter().find(|t| t.id == tier_id) else { return Ok(None) };
    let d = &event.details;
    Ok(Some(Offer {
        event_id: event.id.clone(),
        organizer_id: event.organizer_id.clone(),
        title: d.title.clone(),
        published: event.status == crate::domain::event::Status::Published,
        venue: d.venue.as_ref().map(|v| format!("{}, {}", v.name, v.city)),
        starts_at: d.starts_at,
        timezone: d.timezone,
        sales_opens_at: d.sales_opens_at,
        sales_closes_at: d.sales_closes_at,
        currency: d.currency.clone(),
        tier_id: tier.id.clone(),
        tier_name: tier.name.clone(),
        price_minor: tier.price_minor,
        max_per_order: tier.max_per_order,
        available: tier.available,
    }))
}

/// Whether the event exists and was cancelled (for consumers acting on a
/// cancellation message, which must not act on an event that is not).
pub async fn is_cancelled(client: &aws_sdk_dynamodb::Client, table: &str, event_id: &str) -> Result<bool, Failure> {
    let out = client
        .get_item()
        .table_name(table)
        .set_key(Some(event_key(event_id)))
        .projection_expression("#status")
        .expression_attribute_names("#status", "status")
        .consistent_read(true)
        .send()
        .await
        .map_err(dynamo::sdk_failure)?;
    Ok(out.item.and_then(|item| item.get("status").and_then(|s| s.as_s().ok()).cloned()).as_deref()
        == Some("cancelled"))
}

/// A tier's counter as a failed [`hold`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierSnapshot {
    pub available: u32,
    pub capacity: u32,
    pub max_per_order: u32,
}

impl TierSnapshot {
    /// Reads the item a cancellation reason carried; `None` if it is not a tier.
    pub fn from_item(item: &Item) -> Option<Self> {
        let n = |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok());
        let is_tier =
            item.get("sk").and_then(|v: &AttributeValue| v.as_s().ok()).is_some_and(|sk| sk.starts_with("TIER#"));
        is_tier.then_some(())?;
        Some(Self { available: n("available")?, capacity: n("capacity")?, max_per_order: n("maxPerOrder")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_events_tables() {
        assert_eq!(event_key("e1")["pk"], string("EVENT#e1"));
        assert_eq!(event_key("e1")["sk"], string("META"));
        assert_eq!(tier_key("e1", "t1")["sk"], string("TIER#t1"));
    }

    #[test]
    fn hold_and_release_are_guarded_counter_updates() {
        let hold = hold("events", "e1", "t1", 3).unwrap();
        let update = hold.update().unwrap();
        assert_eq!(update.update_expression(), "SET available = available - :n");
        assert_eq!(update.condition_expression(), Some("available >= :n AND maxPerOrder >= :n"));
        assert_eq!(update.expression_attribute_values().unwrap()[":n"], number(3));
        let release = release("events", "e1", "t1", 3).unwrap();
        assert_eq!(release.update().unwrap().update_expression(), "SET available = available + :n");
    }

    #[test]
    fn the_sales_window_is_checked_against_stored_text() {
        let now = DateTime::parse_from_rfc3339("2030-01-01T10:00:00.123+02:00").unwrap().with_timezone(&Utc);
        let check = sales_open("events", "e1", now).unwrap();
        let values = check.condition_check().unwrap().expression_attribute_values().unwrap().clone();
        assert_eq!(values[":now"], string("2030-01-01T08:00:00Z"));
    }

    #[test]
    fn a_failed_hold_says_what_remains() {
        let mut item = tier_key("e1", "t1");
        item.insert("available".into(), number(2));
        item.insert("capacity".into(), number(50));
        item.insert("maxPerOrder".into(), number(4));
        assert_eq!(TierSnapshot::from_item(&item), Some(TierSnapshot { available: 2, capacity: 50, max_per_order: 4 }));
        assert_eq!(TierSnapshot::from_item(&event_key("e1")), None);
    }
}
