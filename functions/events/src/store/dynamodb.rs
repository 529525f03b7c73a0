//! The events table in DynamoDB:
//!
//! | item | pk | sk | indexes |
//! |---|---|---|---|
//! | event | `EVENT#<id>` | `META` | gsi1 `PUBLISHED` / `<startsAt>#<id>` (published, by start); gsi2 `ORGANIZER#<orgId>` / `<createdAt>#<id>`; gsi3 `PUBLISHED` / `<publishedAt>#<id>` (published, newest first); gsi4 `REMINDERS` / `<startsAt - reminder lead>#<id>` (published, by when reminders are due: `crate::reminders`) |
//! | tier | `EVENT#<id>` | `TIER#<tierId>` | — (its `available` counter: `crate::inventory` is the contract reservations change it through) |
//!
//! One `Query` on `EVENT#<id>` reads an event with all its tiers. Drafts and
//! cancelled events carry no `PUBLISHED` or `REMINDERS` index keys, so public
//! listings and reminders never see them. Every write recomputes the keys, so
//! moving the start or changing the reminder lead moves the event in gsi4.

const REMINDERS: &str = "REMINDERS";

use super::{EventPage, EventStore, PublicQuery, Sort, StoreError, StoreResult};
use crate::domain::event::{Category, Details, Event, Status, Tier, TierPlan, Venue};
use crate::inventory::{self, META, event_pk, tier_sk};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::dynamo::{self, Failure, number as n, string as s};
use std::collections::HashMap;

const PUBLISHED: &str = "PUBLISHED";
/// A listing reads at most this many index pages to fill one page of results.
const MAX_READS_PER_PAGE: usize = 8;

/// An event's id and status as a stream record's image shows them; `None` for the
/// table's other items (tiers change with every hold) and a missing image.
pub fn status_from_image(image: &serde_dynamo::Item) -> Result<Option<(String, Status)>, shared::sqs::MessageFailure> {
    #[derive(Deserialize)]
    struct Meta {
        sk: String,
        #[serde(default)]
        id: String,
        status: Option<Status>,
    }
    Ok(match shared::streams::image::<Meta>(image)? {
        Some(Meta { sk, id, status: Some(status) }) if sk == META => Some((id, status)),
        _ => None,
    })
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventItem {
    pk: String,
    sk: String,
    id: String,
    organizer_id: String,
    status: Status,
    title: String,
    /// Lower-cased title, for the free-text filter.
    title_search: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    category: Category,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    venue: Option<Venue>,
    /// Lower-cased city, for the city filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    city_search: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ends_at: Option<String>,
    timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sales_opens_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sales_closes_at: Option<String>,
    currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reminder_lead_minutes: Option<u32>,
    created_at: String,
    updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    published_at: Option<String>,
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    gsi2pk: String,
    gsi2sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi3pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi3sk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi4pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi4sk: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TierItem {
    pk: String,
    sk: String,
    id: String,
    name: String,
    price_minor: i64,
    capacity: u32,
    max_per_order: u32,
    available: u32,
    position: u32,
}

fn text(t: DateTime<Utc>) -> String {
    inventory::stored_instant(t)
}

fn instant(s: &Option<String>) -> StoreResult<Option<DateTime<Utc>>> {
    s.as_deref()
        .map(|s| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| dynamo::failure(e).into()))
        .transpose()
}

impl EventItem {
    fn from_event(event: &Event) -> Self {
        let d = &event.details;
        let published = event.status == Status::Published;
        let starts = d.starts_at.map(text);
        let reminders = event.reminders_due_at().map(|due| format!("{}#{}", text(due), event.id));
        Self {
            pk: event_pk(&event.id),
            sk: META.into(),
            id: event.id.clone(),
            organizer_id: event.organizer_id.clone(),
            status: event.status,
            title: d.title.clone(),
            title_search: d.title.to_lowercase(),
            description: d.description.clone(),
            category: d.category,
            venue: d.venue.clone(),
            city_search: d.venue.as_ref().map(|v| v.city.to_lowercase()),
            starts_at: starts.clone(),
            ends_at: d.ends_at.map(text),
            timezone: d.timezone.name().to_owned(),
            sales_opens_at: d.sales_opens_at.map(text),
            sales_closes_at: d.sales_closes_at.map(text),
            currency: d.currency.clone(),
            reminder_lead_minutes: d.reminder_lead_minutes,
            created_at: text(event.created_at),
            updated_at: text(event.updated_at),
            published_at: event.published_at.map(text),
            version: event.version,
            gsi1pk: published.then(|| PUBLISHED.to_owned()),
            gsi1sk: published.then(|| format!("{}#{}", starts.clone().unwrap_or_default(), event.id)),
            gsi2pk: format!("ORGANIZER#{}", event.organizer_id),
            gsi2sk: format!("{}#{}", text(event.created_at), event.id),
            gsi3pk: published.then(|| PUBLISHED.to_owned()),
            gsi3sk: published.then(|| format!("{}#{}", event.published_at.map(text).unwrap_or_default(), event.id)),
            gsi4pk: reminders.is_some().then(|| REMINDERS.to_owned()),
            gsi4sk: reminders,
        }
    }

    fn into_event(self, tiers: Vec<Tier>) -> StoreResult<Event> {
        Ok(Event {
            details: Details {
                title: self.title,
                description: self.description,
                category: self.category,
                venue: self.venue,
                starts_at: instant(&self.starts_at)?,
                ends_at: instant(&self.ends_at)?,
                timezone: self.timezone.parse().map_err(|_| dynamo::failure("stored time zone is unknown"))?,
                sales_opens_at: instant(&self.sales_opens_at)?,
                sales_closes_at: instant(&self.sales_closes_at)?,
                currency: self.currency,
                reminder_lead_minutes: self.reminder_lead_minutes,
            },
            id: self.id,
            organizer_id: self.organizer_id,
            status: self.status,
            tiers,
            created_at: instant(&Some(self.created_at))?.unwrap_or_default(),
            updated_at: instant(&Some(self.updated_at))?.unwrap_or_default(),
            published_at: instant(&self.published_at)?,
            version: self.version,
        })
    }
}

fn tier_item(event_id: &str, tier: &Tier, position: usize) -> TierItem {
    TierItem {
        pk: event_pk(event_id),
        sk: tier_sk(&tier.id),
        id: tier.id.clone(),
        name: tier.name.clone(),
        price_minor: tier.price_minor,
        capacity: tier.capacity,
        max_per_order: tier.max_per_order,
        available: tier.available,
        position: position as u32,
    }
}

pub struct DynamoEventStore {
    client: Client,
    table: String,
}

impl DynamoEventStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    fn put(&self, item: HashMap<String, AttributeValue>, condition: &str) -> StoreResult<TransactWriteItem> {
        let put = Put::builder().table_name(&self.table).set_item(Some(item)).condition_expression(condition);
        Ok(TransactWriteItem::builder().put(put.build().map_err(dynamo::failure)?).build())
    }

    /// Reads index pages until `limit` events are found or the index ends. Each read
    /// asks for no more than is still missing, so the cursor never skips a match.
    async fn page(
        &self,
        index: &str,
        partition: &str,
        forward: bool,
        range: Option<(String, String)>,
        filter: Option<(String, HashMap<String, AttributeValue>)>,
        limit: usize,
        cursor: Option<&str>,
    ) -> StoreResult<EventPage> {
        let mut start = match cursor {
            Some(c) => Some(dynamo::decode_cursor(c, index, partition, &event_pk("")).ok_or(StoreError::BadCursor)?),
            None => None,
        };
        let mut metas = Vec::new();
        for _ in 0..MAX_READS_PER_PAGE {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .scan_index_forward(forward)
                .limit((limit - metas.len()) as i32)
                .expression_attribute_values(":pk", s(partition))
                .set_exclusive_start_key(start.take());
            query = match &range {
                Some((from, to)) => query
                    .key_condition_expression(format!("{index}pk = :pk AND {index}sk BETWEEN :from AND :to"))
                    .expression_attribute_values(":from", s(from))
                    .expression_attribute_values(":to", s(to)),
                None => query.key_condition_expression(format!("{index}pk = :pk")),
            };
            if let Some((expression, values)) = &filter {
                query = query.filter_expression(expression);
                for (k, v) in values {
                    query = query.expression_attribute_values(k, v.clone());
                }
            }
            let out = query.send().await.map_err(dynamo::sdk_failure)?;
            for item in out.items.unwrap_or_default() {
                metas.push(serde_dynamo::from_item::<_, EventItem>(item).map_err(dynamo::failure)?);
            }
            start = out.last_evaluated_key;
            if start.is_none() || metas.len() >= limit {
                break;
            }
        }
        let mut events = Vec::new();
        for meta in metas {
            let tiers = self.tiers(&meta.id).await?;
            events.push(meta.into_event(tiers)?);
        }
        Ok(EventPage { events, next_cursor: start.as_ref().map(dynamo::encode_cursor) })
    }

    async fn tiers(&self, event_id: &str) -> StoreResult<Vec<Tier>> {
        Ok(self.read_event(event_id).await?.map(|(_, tiers)| tiers).unwrap_or_default())
    }

    async fn read_event(&self, id: &str) -> StoreResult<Option<(EventItem, Vec<Tier>)>> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(event_pk(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let mut meta = None;
        let mut tiers: Vec<TierItem> = Vec::new();
        for item in out.items.unwrap_or_default() {
            match item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str) {
                Some(META) => meta = Some(serde_dynamo::from_item::<_, EventItem>(item).map_err(dynamo::failure)?),
                Some(sk) if sk.starts_with(&tier_sk("")) => {
                    tiers.push(serde_dynamo::from_item(item).map_err(dynamo::failure)?)
                }
                _ => {}
            }
        }
        tiers.sort_by_key(|t| t.position);
        let tiers = tiers
            .into_iter()
            .map(|t| Tier {
                id: t.id,
                name: t.name,
                price_minor: t.price_minor,
                capacity: t.capacity,
                max_per_order: t.max_per_order,
                available: t.available,
            })
            .collect();
        Ok(meta.map(|m| (m, tiers)))
    }
}

impl DynamoEventStore {
    /// Published events whose reminders are due at `now` and that have not started,
    /// without their tiers. A key condition on gsi4, never a scan: keys from `now`
    /// minus the longest lead (no event still to start can be due earlier) to `now`.
    pub async fn reminders_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<Event>> {
        use crate::domain::reminder;
        let from = text(now - reminder::lead(Some(reminder::LEAD_MAX_MINUTES)));
        let mut start = None;
        let mut events = Vec::new();
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("gsi4")
                .key_condition_expression("gsi4pk = :pk AND gsi4sk BETWEEN :from AND :to")
                .filter_expression("startsAt > :now AND #status = :published")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":pk", s(REMINDERS))
                .expression_attribute_values(":from", s(from.clone()))
                // '~' sorts after '#': every key due by `now`, whatever its id.
                .expression_attribute_values(":to", s(format!("{}~", text(now))))
                .expression_attribute_values(":now", s(text(now)))
                .expression_attribute_values(":published", s("published"))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(dynamo::sdk_failure)?;
            for item in out.items.unwrap_or_default() {
                let pk = item.get("pk").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                // One unreadable item must not stop every other event's reminders.
                let event = serde_dynamo::from_item::<_, EventItem>(item)
                    .map_err(|e| StoreError::from(dynamo::failure(e)))
                    .and_then(|meta| meta.into_event(Vec::new()));
                match event {
                    Ok(event) => events.push(event),
                    Err(err) => tracing::error!(%pk, %err, "an event on the reminder index does not decode; skipped"),
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(events);
            }
        }
    }
}

impl EventStore for DynamoEventStore {
    async fn create(&self, event: &Event) -> StoreResult<()> {
        let mut request = self.client.transact_write_items();
        let meta = serde_dynamo::to_item(EventItem::from_event(event)).map_err(dynamo::failure)?;
        request = request.transact_items(self.put(meta, "attribute_not_exists(pk)")?);
        for (position, tier) in event.tiers.iter().enumerate() {
            let item = serde_dynamo::to_item(tier_item(&event.id, tier, position)).map_err(dynamo::failure)?;
            request = request.transact_items(self.put(item, "attribute_not_exists(pk)")?);
        }
        request.send().await.map_err(dynamo::transaction_failure)?;
        Ok(())
    }

    async fn delete(&self, before: &Event) -> StoreResult<()> {
        let meta = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(inventory::event_key(&before.id)))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(before.version))
            .build()
            .map_err(dynamo::failure)?;
        let mut request =
            self.client.transact_write_items().transact_items(TransactWriteItem::builder().delete(meta).build());
        for tier in &before.tiers {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(inventory::tier_key(&before.id, &tier.id)))
                .build()
                .map_err(dynamo::failure)?;
            request = request.transact_items(TransactWriteItem::builder().delete(delete).build());
        }
        match request.send().await.map_err(dynamo::transaction_failure) {
            Ok(_) => Ok(()),
            Err(failure) if failure.condition_failed_at(0) => Err(StoreError::Conflict),
            Err(failure) => Err(failure.into()),
        }
    }

    async fn get(&self, id: &str) -> StoreResult<Option<Event>> {
        match self.read_event(id).await? {
            Some((meta, tiers)) => Ok(Some(meta.into_event(tiers)?)),
            None => Ok(None),
        }
    }

    async fn update(&self, before: &Event, after: &Event, plan: &TierPlan) -> StoreResult<()> {
        let currency_changed = before.details.currency != after.details.currency;
        let meta = serde_dynamo::to_item(EventItem::from_event(after)).map_err(dynamo::failure)?;
        let put_meta = Put::builder()
            .table_name(&self.table)
            .set_item(Some(meta))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(before.version))
            .build()
            .map_err(dynamo::failure)?;
        let mut request =
            self.client.transact_write_items().transact_items(TransactWriteItem::builder().put(put_meta).build());
        let position = |id: &str| after.tiers.iter().position(|t| t.id == id).unwrap_or(0);
        for tier in &plan.added {
            let item =
                serde_dynamo::to_item(tier_item(&after.id, tier, position(&tier.id))).map_err(dynamo::failure)?;
            request = request.transact_items(self.put(item, "attribute_not_exists(pk)")?);
        }
        for tier in &plan.removed {
            // Only a tier with nothing sold or held goes; a sale racing this update cancels it.
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(inventory::tier_key(&after.id, &tier.id)))
                .condition_expression("available = #capacity")
                .expression_attribute_names("#capacity", "capacity")
                .build()
                .map_err(dynamo::failure)?;
            request = request.transact_items(TransactWriteItem::builder().delete(delete).build());
        }
        let mut touched = Vec::new();
        for (old, new) in &plan.changed {
            touched.push(old.id.clone());
            let delta = i64::from(new.capacity) - i64::from(old.capacity);
            let mut condition = "#capacity = :oldcap AND available >= :need".to_owned();
            if currency_changed {
                condition.push_str(" AND available = #capacity");
            }
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(inventory::tier_key(&after.id, &old.id)))
                .update_expression(
                    "SET #name = :name, priceMinor = :price, maxPerOrder = :mpo, #capacity = :cap, \
                     available = available + :delta, #position = :position",
                )
                .condition_expression(condition)
                .expression_attribute_names("#name", "name")
                .expression_attribute_names("#position", "position")
                .expression_attribute_names("#capacity", "capacity")
                .expression_attribute_values(":name", s(&new.name))
                .expression_attribute_values(":price", n(new.price_minor))
                .expression_attribute_values(":mpo", n(new.max_per_order))
                .expression_attribute_values(":cap", n(new.capacity))
                .expression_attribute_values(":delta", n(delta))
                .expression_attribute_values(":oldcap", n(old.capacity))
                .expression_attribute_values(":need", n((-delta).max(0)))
                .expression_attribute_values(":position", n(position(&old.id)))
                .build()
                .map_err(dynamo::failure)?;
            request = request.transact_items(TransactWriteItem::builder().update(update).build());
        }
        if currency_changed {
            // The currency may change only while nothing is sold or held, checked in the same transaction.
            for tier in
                before.tiers.iter().filter(|t| !touched.contains(&t.id) && !plan.removed.iter().any(|r| r.id == t.id))
            {
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(inventory::tier_key(&after.id, &tier.id)))
                    .condition_expression("available = #capacity")
                    .expression_attribute_names("#capacity", "capacity")
                    .build()
                    .map_err(dynamo::failure)?;
                request = request.transact_items(TransactWriteItem::builder().condition_check(check).build());
            }
        }
        match request.send().await.map_err(dynamo::transaction_failure) {
            Ok(_) => Ok(()),
            // The version or a tier guard failed, or another write was on the same items:
            // someone changed the event or sold seats meanwhile.
            Err(Failure::Cancelled(_)) => Err(StoreError::Conflict),
            Err(other) => Err(other.into()),
        }
    }

    async fn list_published(&self, query: &PublicQuery, cursor: Option<&str>) -> StoreResult<EventPage> {
        // Only published events carry the PUBLISHED index keys; these filters narrow further.
        let mut filters: Vec<String> = Vec::new();
        let mut values: HashMap<String, AttributeValue> = HashMap::new();
        if let Some(category) = query.category {
            filters.push("category = :category".into());
            values.insert(":category".into(), s(category.as_str()));
        }
        if let Some(city) = &query.city {
            filters.push("citySearch = :city".into());
            values.insert(":city".into(), s(city.to_lowercase()));
        }
        if let Some(q) = &query.text {
            filters.push("contains(titleSearch, :q)".into());
            values.insert(":q".into(), s(q.to_lowercase()));
        }
        let from = query.from.map(text).unwrap_or_default();
        // '~' sorts after every character of an instant, so `to` includes its whole second.
        let to = query.to.map(|t| format!("{}~", text(t))).unwrap_or_else(|| "~".to_owned());
        let (index, forward, range) = match query.sort {
            Sort::Soonest => ("gsi1", true, Some((from, to))),
            Sort::Newest => {
                if query.from.is_some() {
                    filters.push("startsAt >= :from".into());
                    values.insert(":from".into(), s(from));
                }
                if query.to.is_some() {
                    filters.push("startsAt <= :to".into());
                    values.insert(":to".into(), s(to));
                }
                ("gsi3", false, None)
            }
        };
        let filter = (!filters.is_empty()).then(|| (filters.join(" AND "), values));
        self.page(index, PUBLISHED, forward, range, filter, query.limit, cursor).await
    }

    async fn list_by_organizer(
        &self,
        organizer_id: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> StoreResult<EventPage> {
        self.page("gsi2", &format!("ORGANIZER#{organizer_id}"), false, None, None, limit, cursor).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::tests::{event, tier};

    #[test]
    fn only_published_events_are_on_the_reminder_index_by_when_reminders_are_due() {
        let draft = event(vec![tier("std", 10, 10)]);
        let item = EventItem::from_event(&draft);
        assert_eq!((item.gsi4pk, item.gsi4sk), (None, None), "a draft is never reminded");
        let published = Event { status: Status::Published, ..draft.clone() };
        let item = EventItem::from_event(&published);
        assert_eq!(item.gsi4pk.as_deref(), Some(REMINDERS));
        // Starts 2030-05-01T19:00:00Z, default lead 24 h.
        assert_eq!(item.gsi4sk.as_deref(), Some("2030-04-30T19:00:00Z#e1"));
        let mut moved = published.clone();
        moved.details.starts_at = Some(crate::domain::event::tests::at("2030-05-02T19:00:00Z"));
        moved.details.reminder_lead_minutes = Some(60);
        assert_eq!(EventItem::from_event(&moved).gsi4sk.as_deref(), Some("2030-05-02T18:00:00Z#e1"));
        let cancelled = Event { status: Status::Cancelled, ..published };
        assert_eq!(EventItem::from_event(&cancelled).gsi4pk, None, "cancelling takes it off the index");
        let back = EventItem::from_event(&moved).into_event(vec![]).unwrap();
        assert_eq!(back.details.reminder_lead_minutes, Some(60));
    }
}
