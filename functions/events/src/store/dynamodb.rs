//! The events table in DynamoDB:
//!
//! | item | pk | sk | indexes |
//! |---|---|---|---|
//! | event | `EVENT#<id>` | `META` | gsi1 `PUBLISHED` / `<startsAt>#<id>` (published, by start); gsi2 `ORGANIZER#<orgId>` / `<createdAt>#<id>`; gsi3 `PUBLISHED` / `<publishedAt>#<id>` (published, newest first); gsi4 `REMINDERS` / `<startsAt - reminder lead>#<id>` (published, by when reminders are due: `crate::reminders`) |
//! | tier | `EVENT#<id>` | `TIER#<tierId>` | — (`available` is a summary of its shards, refreshed from the stream) |
//! | shard | `SHARDS#<id>` | `<tierId>#<nn>` | — (a share of the tier's seats with a copy of the event's status and sales window: `crate::inventory` is the contract reservations change it through) |
//!
//! One `Query` on `EVENT#<id>` reads an event with all its tiers; one on
//! `SHARDS#<id>` reads its shards. Every write of the event rewrites, in the same
//! transaction, each shard's copy of what a hold checks (an event has at most
//! `MAX_SHARDS_PER_EVENT` shards, so that fits in one transaction). Drafts and
//! cancelled events carry no `PUBLISHED` or `REMINDERS` index keys, so public
//! listings and reminders never see them. Every write recomputes the keys, so
//! moving the start or changing the reminder lead moves the event in gsi4.

const REMINDERS: &str = "REMINDERS";

use super::{EventPage, EventStore, PublicQuery, Sort, StoreError, StoreResult};
use crate::domain::event::{
    Category, Details, Event, SeatMapRef, Status, TicketTransfers, Tier, TierPlan, Venue, WaitingRoom,
};
use crate::domain::seat_blocks::{self, BlockRequest};
use crate::domain::seat_map::Seating;
use crate::domain::shards;
use crate::inventory::{self, META, event_pk, tier_sk};
use crate::seats;
use crate::seats::SeatState;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Get, Put, TransactGetItem, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use seating::map::{SeatId, SeatMap};
use serde::{Deserialize, Serialize};
use shared::dynamo::Item;
use shared::dynamo::{self, Failure, number as n, string as s};
use std::collections::HashMap;

const PUBLISHED: &str = "PUBLISHED";
/// Reads of an event being edited at that very moment before giving up (409).
const EXACT_READ_TRIES: usize = 5;
/// A listing reads at most this many index pages to fill one page of results.
const MAX_READS_PER_PAGE: usize = 8;

/// An event's id and status as a stream record's image shows them; `None` for the
/// table's other items (tiers change with every hold) and a missing image.
pub fn status_from_image(image: &serde_dynamo::Item) -> Result<Option<EventImage>, shared::sqs::MessageFailure> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Meta {
        sk: String,
        #[serde(default)]
        id: String,
        status: Option<Status>,
        #[serde(default)]
        organizer_id: String,
        #[serde(default)]
        title: String,
        starts_at: Option<String>,
        #[serde(default)]
        updated_at: String,
    }
    Ok(match shared::streams::image::<Meta>(image)? {
        Some(Meta { sk, id, status: Some(status), organizer_id, title, starts_at, updated_at }) if sk == META => {
            Some(EventImage { id, status, organizer_id, title, starts_at, updated_at })
        }
        _ => None,
    })
}

/// A tier's capacity as a stream record's image shows it; `None` for other items.
pub fn tier_capacity_from_image(
    image: &serde_dynamo::Item,
) -> Result<Option<TierCapacity>, shared::sqs::MessageFailure> {
    #[derive(Deserialize)]
    struct Tier {
        pk: String,
        sk: String,
        capacity: Option<u32>,
    }
    Ok(match shared::streams::image::<Tier>(image)? {
        Some(Tier { pk, sk, capacity: Some(capacity) }) => {
            match (pk.strip_prefix("EVENT#"), sk.strip_prefix("TIER#")) {
                (Some(event_id), Some(tier_id)) => {
                    Some(TierCapacity { event_id: event_id.to_owned(), tier_id: tier_id.to_owned(), capacity })
                }
                _ => None,
            }
        }
        _ => None,
    })
}

/// A tier's id and capacity, from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierCapacity {
    pub event_id: String,
    pub tier_id: String,
    pub capacity: u32,
}

/// What the stream's consumer reads of an event's image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventImage {
    pub id: String,
    pub status: Status,
    pub organizer_id: String,
    pub title: String,
    pub starts_at: Option<String>,
    pub updated_at: String,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waiting_room: Option<WaitingRoom>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ticket_transfers: Option<TicketTransfers>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waiting_list_offer_minutes: Option<u32>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seat_map: Option<SeatMapRef>,
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
    #[serde(default = "one")]
    shards: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    seated: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    hidden: bool,
}

fn one() -> u32 {
    1
}

/// One shard of a tier's seats, with what a hold checks.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShardItem {
    pk: String,
    sk: String,
    event_id: String,
    tier_id: String,
    shard: u32,
    available: u32,
    max_per_order: u32,
    status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sales_opens_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sales_closes_at: Option<String>,
}

fn shard_item(event: &Event, tier: &Tier, shard: usize, available: u32) -> ShardItem {
    ShardItem {
        pk: inventory::shards_pk(&event.id),
        sk: inventory::shard_sk(&tier.id, shard),
        event_id: event.id.clone(),
        tier_id: tier.id.clone(),
        shard: shard as u32,
        available,
        max_per_order: tier.max_per_order,
        status: event.status,
        sales_opens_at: event.details.sales_opens_at.map(text),
        sales_closes_at: event.details.sales_closes_at.map(text),
    }
}

/// Each tier's shards' seats as read, by tier id, in shard order.
type ShardSeats = HashMap<String, Vec<u32>>;

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
            waiting_room: d.waiting_room,
            ticket_transfers: d.ticket_transfers,
            waiting_list_offer_minutes: d.waiting_list_offer_minutes,
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
            seat_map: event.seat_map,
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
                waiting_room: self.waiting_room,
                ticket_transfers: self.ticket_transfers,
                waiting_list_offer_minutes: self.waiting_list_offer_minutes,
            },
            id: self.id,
            organizer_id: self.organizer_id,
            status: self.status,
            tiers,
            created_at: instant(&Some(self.created_at))?.unwrap_or_default(),
            updated_at: instant(&Some(self.updated_at))?.unwrap_or_default(),
            published_at: instant(&self.published_at)?,
            version: self.version,
            seat_map: self.seat_map,
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
        shards: tier.shards,
        seated: tier.seated,
        hidden: tier.hidden,
    }
}

pub struct DynamoEventStore {
    client: Client,
    table: String,
    /// Where the team contract is read (`USERS_TABLE`); without it nobody acts
    /// through a team here.
    users_table: Option<String>,
}

impl DynamoEventStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into(), users_table: None }
    }

    /// This store, reading the team contract from `users_table`.
    pub fn with_users_table(self, users_table: Option<String>) -> Self {
        Self { users_table, ..self }
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
                shards: t.shards,
                seated: t.seated,
                hidden: t.hidden,
            })
            .collect();
        Ok(meta.map(|m| (m, tiers)))
    }

    /// Every shard of the event, read consistently (not at one instant: for edits,
    /// whose transaction then checks what it relies on).
    async fn read_shards(&self, id: &str) -> StoreResult<ShardSeats> {
        let mut seats: ShardSeats = HashMap::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(inventory::shards_pk(id)))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(dynamo::sdk_failure)?;
            for item in out.items.unwrap_or_default() {
                let shard: ShardItem = serde_dynamo::from_item(item).map_err(dynamo::failure)?;
                let list = seats.entry(shard.tier_id).or_default();
                let index = shard.shard as usize;
                if list.len() <= index {
                    list.resize(index + 1, 0);
                }
                list[index] = shard.available;
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(seats);
            }
        }
    }

    /// A tier's seats summed from its shards, onto its item (the public figure).
    /// Nothing if the tier is gone.
    ///
    /// Refreshes of one tier can run at once (a table's stream has several shards),
    /// and one that read earlier may write later. So each writer reads the shards
    /// again after its write and goes on until the figure it wrote still holds: the
    /// last write to the figure is then always followed by a read that agrees with
    /// it, and any later change to a shard brings another refresh.
    pub async fn refresh_summary(&self, event_id: &str, tier_id: &str) -> StoreResult<u32> {
        const ROUNDS: usize = 8;
        let mut sum = self.shards_sum(event_id, tier_id).await?;
        for _ in 0..ROUNDS {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(inventory::tier_key(event_id, tier_id)))
                .update_expression("SET available = :sum")
                .condition_expression("attribute_exists(pk) AND available <> :sum")
                .expression_attribute_values(":sum", n(sum))
                .send()
                .await
                .map_err(dynamo::sdk_failure);
            dynamo::condition_held(result)?;
            let now = self.shards_sum(event_id, tier_id).await?;
            if now == sum {
                return Ok(sum);
            }
            sum = now;
        }
        Err(StoreError::Storage(dynamo::failure(format!(
            "the shards of tier {tier_id} kept changing over {ROUNDS} refreshes; retried with the batch"
        ))))
    }

    /// A row's state item (its taken seats), from its seat items.
    pub async fn refresh_row(&self, event_id: &str, section: u32, row: u32) -> Result<(), Failure> {
        seats::refresh_row(&self.client, &self.table, event_id, section, row).await
    }

    /// The seats of a tier's shards, read consistently.
    async fn shards_sum(&self, event_id: &str, tier_id: &str) -> StoreResult<u32> {
        let mut sum = 0u32;
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :tier)")
                .expression_attribute_values(":pk", s(inventory::shards_pk(event_id)))
                .expression_attribute_values(":tier", s(format!("{tier_id}#")))
                .projection_expression("available")
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(dynamo::sdk_failure)?;
            sum += out
                .items
                .unwrap_or_default()
                .iter()
                .filter_map(|item| {
                    item.get("available").and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<u32>().ok())
                })
                .sum::<u32>();
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(sum);
            }
        }
    }

    fn shard_put(&self, event: &Event, tier: &Tier, shard: usize, available: u32) -> StoreResult<TransactWriteItem> {
        let item = serde_dynamo::to_item(shard_item(event, tier, shard, available)).map_err(dynamo::failure)?;
        self.put(item, "attribute_not_exists(pk)")
    }

    /// A shard's update in an event's write: its copy of the event's status, sales
    /// window and the tier's limit, `change` seats (a take only if it has them),
    /// and, when `exactly` is given, only if it still has exactly that many.
    fn shard_update(
        &self,
        event: &Event,
        tier: &Tier,
        shard: usize,
        change: i64,
        exactly: Option<u32>,
    ) -> StoreResult<TransactWriteItem> {
        let d = &event.details;
        let mut sets = vec!["#status = :status", "maxPerOrder = :mpo", "available = available + :change"];
        // Every write to a shard bumps its version (what the holds' snapshot relies on).
        let mut removes = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(inventory::shard_key(&event.id, &tier.id, shard)))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(event.status.as_str()))
            .expression_attribute_values(":mpo", n(tier.max_per_order))
            .expression_attribute_values(":change", n(change));
        match d.sales_opens_at {
            Some(t) => {
                sets.push("salesOpensAt = :opens");
                update = update.expression_attribute_values(":opens", s(text(t)));
            }
            None => removes.push("salesOpensAt"),
        }
        match d.sales_closes_at {
            Some(t) => {
                sets.push("salesClosesAt = :closes");
                update = update.expression_attribute_values(":closes", s(text(t)));
            }
            None => removes.push("salesClosesAt"),
        }
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        expression.push_str(" ADD #v :one");
        update = update.expression_attribute_names("#v", "version").expression_attribute_values(":one", n(1));
        let condition = match exactly {
            Some(seats) => {
                update = update.expression_attribute_values(":exactly", n(seats));
                "available = :exactly".to_owned()
            }
            None if change < 0 => {
                update = update.expression_attribute_values(":need", n(-change));
                "available >= :need".to_owned()
            }
            None => "attribute_exists(pk)".to_owned(),
        };
        let update =
            update.update_expression(expression).condition_expression(condition).build().map_err(dynamo::failure)?;
        Ok(TransactWriteItem::builder().update(update).build())
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
    async fn current_team(&self, user_id: &str) -> StoreResult<Option<shared::auth::Membership>> {
        match &self.users_table {
            Some(users_table) => Ok(users::team::current(&self.client, users_table, user_id).await?),
            None => Ok(None),
        }
    }

    async fn create(&self, event: &Event) -> StoreResult<()> {
        let mut request = self.client.transact_write_items();
        let meta = serde_dynamo::to_item(EventItem::from_event(event)).map_err(dynamo::failure)?;
        request = request.transact_items(self.put(meta, "attribute_not_exists(pk)")?);
        for (position, tier) in event.tiers.iter().enumerate() {
            let item = serde_dynamo::to_item(tier_item(&event.id, tier, position)).map_err(dynamo::failure)?;
            request = request.transact_items(self.put(item, "attribute_not_exists(pk)")?);
            for (shard, seats) in shards::split(tier.available, tier.shards).into_iter().enumerate() {
                request = request.transact_items(self.shard_put(event, tier, shard, seats)?);
            }
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
            for shard in 0..tier.shards as usize {
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(inventory::shard_key(&before.id, &tier.id, shard)))
                    .build()
                    .map_err(dynamo::failure)?;
                request = request.transact_items(TransactWriteItem::builder().delete(delete).build());
            }
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

    async fn get_exact(&self, id: &str) -> StoreResult<Option<Event>> {
        // The event and its tiers, then its version and every shard in one
        // transactional read: if the version moved in between, read again.
        for _ in 0..EXACT_READ_TRIES {
            let Some((meta, mut tiers)) = self.read_event(id).await? else { return Ok(None) };
            let mut gets = vec![inventory::event_key(id)];
            for tier in &tiers {
                gets.extend((0..tier.shards as usize).map(|shard| inventory::shard_key(id, &tier.id, shard)));
            }
            let gets = gets
                .into_iter()
                .map(|key| {
                    Get::builder()
                        .table_name(&self.table)
                        .set_key(Some(key))
                        .projection_expression("version, available")
                        .build()
                        .map(|get| TransactGetItem::builder().get(get).build())
                        .map_err(dynamo::failure)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = match self.client.transact_get_items().set_transact_items(Some(gets)).send().await {
                Ok(out) => out,
                // A write on the same items at that moment: read again.
                Err(err) if err.code() == Some("TransactionCanceledException") => continue,
                Err(err) => return Err(dynamo::sdk_failure(err).into()),
            };
            let items: Vec<Option<Item>> = out.responses.unwrap_or_default().into_iter().map(|r| r.item).collect();
            let number = |item: &Option<Item>, name: &str| -> Option<u64> {
                item.as_ref()?.get(name)?.as_n().ok()?.parse().ok()
            };
            if number(&items[0], "version") != Some(meta.version) || items.iter().any(Option::is_none) {
                continue;
            }
            let mut next = 1;
            for tier in &mut tiers {
                let k = tier.shards as usize;
                tier.available =
                    items[next..next + k].iter().filter_map(|i| number(i, "available")).sum::<u64>() as u32;
                next += k;
            }
            return Ok(Some(meta.into_event(tiers)?));
        }
        Err(StoreError::Conflict)
    }

    async fn update(&self, before: &Event, after: &Event, plan: &TierPlan) -> StoreResult<()> {
        let currency_changed = before.details.currency != after.details.currency;
        // Where the seats are now: the plan was checked against exact sums; the
        // transaction checks each shard again, so a sale meanwhile cancels it.
        let seats = self.read_shards(&before.id).await?;
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
        let observed = |tier: &Tier| -> Vec<u32> {
            let mut list = seats.get(&tier.id).cloned().unwrap_or_default();
            list.resize(tier.shards as usize, 0);
            list
        };
        for tier in &plan.added {
            let item =
                serde_dynamo::to_item(tier_item(&after.id, tier, position(&tier.id))).map_err(dynamo::failure)?;
            request = request.transact_items(self.put(item, "attribute_not_exists(pk)")?);
            for (shard, count) in shards::split(tier.available, tier.shards).into_iter().enumerate() {
                request = request.transact_items(self.shard_put(after, tier, shard, count)?);
            }
        }
        for tier in &plan.removed {
            // Only a tier with nothing sold or held goes: each shard exactly as read,
            // and those add up to the capacity; a sale racing this update cancels it.
            let now = observed(tier);
            if now.iter().sum::<u32>() != tier.capacity {
                return Err(StoreError::Conflict);
            }
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(inventory::tier_key(&after.id, &tier.id)))
                .build()
                .map_err(dynamo::failure)?;
            request = request.transact_items(TransactWriteItem::builder().delete(delete).build());
            for (shard, count) in now.into_iter().enumerate() {
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(inventory::shard_key(&after.id, &tier.id, shard)))
                    .condition_expression("available = :exactly")
                    .expression_attribute_values(":exactly", n(count))
                    .build()
                    .map_err(dynamo::failure)?;
                request = request.transact_items(TransactWriteItem::builder().delete(delete).build());
            }
        }
        for new in &after.tiers {
            if plan.added.iter().any(|t| t.id == new.id) {
                continue;
            }
            let old = before.tiers.iter().find(|t| t.id == new.id).unwrap_or(new);
            let now = observed(old);
            // The currency may change only while nothing is sold or held.
            let unsold = currency_changed.then(|| now.clone());
            if unsold.is_some() && now.iter().sum::<u32>() != old.capacity {
                return Err(StoreError::Conflict);
            }
            let changed = plan.changed.iter().any(|(o, _)| o.id == new.id);
            if changed {
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(inventory::tier_key(&after.id, &old.id)))
                    .update_expression(
                        "SET #name = :name, priceMinor = :price, maxPerOrder = :mpo, #capacity = :cap, \
                         available = :available, #position = :position, shards = :shards, seated = :seated, \
                         #hidden = :hidden",
                    )
                    .condition_expression("#capacity = :oldcap")
                    .expression_attribute_names("#name", "name")
                    .expression_attribute_names("#position", "position")
                    .expression_attribute_names("#capacity", "capacity")
                    .expression_attribute_names("#hidden", "hidden")
                    .expression_attribute_values(":name", s(&new.name))
                    .expression_attribute_values(":price", n(new.price_minor))
                    .expression_attribute_values(":mpo", n(new.max_per_order))
                    .expression_attribute_values(":cap", n(new.capacity))
                    .expression_attribute_values(":available", n(new.available))
                    .expression_attribute_values(":oldcap", n(old.capacity))
                    .expression_attribute_values(":position", n(position(&old.id)))
                    .expression_attribute_values(":shards", n(new.shards))
                    .expression_attribute_values(":seated", AttributeValue::Bool(new.seated))
                    .expression_attribute_values(":hidden", AttributeValue::Bool(new.hidden))
                    .build()
                    .map_err(dynamo::failure)?;
                request = request.transact_items(TransactWriteItem::builder().update(update).build());
            }
            // Seats change by the capacity's change, spread so that the shards (new
            // ones included) end even; every shard gets the event's new status and window.
            let delta = i64::from(new.capacity) - i64::from(old.capacity);
            let changes = reshard(&now, new.shards as usize, delta);
            for (shard, change) in changes.into_iter().enumerate() {
                if shard < now.len() {
                    let exactly = unsold.as_ref().map(|u| u[shard]);
                    request = request.transact_items(self.shard_update(after, new, shard, change, exactly)?);
                } else {
                    request = request.transact_items(self.shard_put(after, new, shard, change.max(0) as u32)?);
                }
            }
        }
        match request.send().await.map_err(dynamo::transaction_failure) {
            Ok(_) => Ok(()),
            // The version or a shard guard failed, or another write was on the same items:
            // someone changed the event or sold seats meanwhile.
            Err(Failure::Cancelled(_)) => Err(StoreError::Conflict),
            Err(other) => Err(other.into()),
        }
    }

    async fn seat_map(&self, event: &Event) -> StoreResult<Option<SeatMap>> {
        let Some(current) = event.seat_map else { return Ok(None) };
        Ok(seats::read_map(&self.client, &self.table, &event.id, current.version).await?)
    }

    async fn taken_seats(&self, event_id: &str) -> StoreResult<HashMap<SeatId, SeatState>> {
        Ok(seats::taken_seats(&self.client, &self.table, event_id).await?)
    }

    async fn put_seat_map(&self, before: &Event, seating: &Seating) -> StoreResult<()> {
        let version = seating.event.seat_map.map_or(1, |m| m.version);
        let id = &before.id;
        // Rows a failed write of this version left, then the version's own.
        let stale = seats::row_keys(&self.client, &self.table, id, version).await?;
        dynamo::batch_delete(&self.client, &self.table, stale).await?;
        let rows = seats::row_items(id, version, &seating.map)?;
        dynamo::batch_put(&self.client, &self.table, rows).await?;
        self.update(before, &seating.event, &seating.plan).await?;
        // The version before the previous one is read by nobody now (a reader that
        // read the event just before this switch reads the previous one: it stays
        // until the next switch).
        if let Some(old) = before.seat_map.map(|m| m.version - 1).filter(|&v| v > 0) {
            let cleared = match seats::row_keys(&self.client, &self.table, id, old).await {
                Ok(keys) => dynamo::batch_delete(&self.client, &self.table, keys).await,
                Err(err) => Err(err),
            };
            if let Err(err) = cleared {
                tracing::warn!(event_id = %id, version = old, %err, "an old seat-map version was not cleared");
            }
        }
        Ok(())
    }

    async fn block_seats(
        &self,
        event: &Event,
        request: &BlockRequest,
        change: &std::collections::BTreeMap<String, i64>,
    ) -> StoreResult<()> {
        // A sale moves the shards under us: read them again and retry a few times.
        const TRIES: usize = 4;
        let id = &event.id;
        for _ in 0..TRIES {
            let mut actions = Vec::new();
            for seat in &request.block {
                actions.push(seats::block_seat(&self.table, id, *seat)?);
            }
            for seat in &request.unblock {
                actions.push(seats::unblock_seat(&self.table, id, *seat)?);
            }
            let mut counted = true;
            for (tier_id, n) in change {
                let shards = event.tiers.iter().find(|t| &t.id == tier_id).map_or(1, |t| t.shards.max(1));
                if *n < 0 {
                    actions.push(inventory::release(&self.table, id, tier_id, 0, n.unsigned_abs() as u32)?);
                    continue;
                }
                let available = inventory::snapshot(&self.client, &self.table, id, tier_id, shards as usize).await?;
                match available.and_then(|a| seat_blocks::take_from_shards(&a, *n as u32)) {
                    Some(takes) => {
                        for (shard, take) in takes {
                            actions.push(inventory::withhold(&self.table, id, tier_id, shard, take)?);
                        }
                    }
                    None => counted = false,
                }
            }
            if !counted {
                continue;
            }
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(actions))
                .send()
                .await
                .map_err(dynamo::transaction_failure);
            let failure = match result {
                Ok(_) => return Ok(()),
                Err(failure) => failure,
            };
            let failed = |offset: usize, list: &[SeatId]| -> Vec<SeatId> {
                (0..list.len()).filter(|i| failure.condition_failed_at(offset + i)).map(|i| list[i]).collect()
            };
            let not_free = failed(0, &request.block);
            if !not_free.is_empty() {
                return Err(StoreError::SeatsNotFree(not_free));
            }
            let not_blocked = failed(request.block.len(), &request.unblock);
            if !not_blocked.is_empty() {
                return Err(StoreError::SeatsNotBlocked(not_blocked));
            }
            // A shard's count moved (or a transaction was in the way): again.
            if !matches!(failure, Failure::Cancelled(_)) && !failure.is_transient() {
                return Err(failure.into());
            }
        }
        Err(StoreError::Busy)
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

/// Per-shard seat changes that apply `delta` seats to shards holding `now` and
/// spread them over `shards` (new shards, past `now.len()`, start from zero), so
/// that they end as even as the seats allow.
fn reshard(now: &[u32], shards: usize, delta: i64) -> Vec<i64> {
    let mut current = now.to_vec();
    current.resize(shards.max(now.len()), 0);
    let total: i64 = current.iter().map(|&a| i64::from(a)).sum::<i64>() + delta;
    let target = shards::split(total.max(0) as u32, current.len() as u32);
    // Moves toward the even target only as far as the delta and the new shards
    // need: takes never exceed what a shard has.
    let wanted: Vec<i64> = current.iter().zip(&target).map(|(&a, &t)| i64::from(t) - i64::from(a)).collect();
    let grows = shards > now.len();
    if grows {
        return wanted;
    }
    if delta >= 0 {
        shards::add_evenly(&current, delta as u32).into_iter().map(i64::from).collect()
    } else {
        shards::take_evenly(&current, (-delta) as u32)
            .map(|take| take.into_iter().map(|t| -i64::from(t)).collect())
            .unwrap_or(wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::tests::{event, tier};

    #[test]
    fn reshard_keeps_every_seat_and_never_takes_what_a_shard_lacks() {
        for (now, shards, delta) in
            [(vec![5, 0, 3], 3, 4), (vec![5, 0, 3], 3, -6), (vec![10, 10], 4, 0), (vec![7], 3, 5), (vec![4, 4], 2, -8)]
        {
            let changes = reshard(&now, shards, delta);
            assert_eq!(changes.len(), shards);
            assert_eq!(changes.iter().sum::<i64>(), delta, "{now:?} {shards} {delta}");
            for (i, c) in changes.iter().enumerate() {
                let had = i64::from(now.get(i).copied().unwrap_or(0));
                assert!(had + c >= 0, "{now:?} {shards} {delta}: {changes:?}");
            }
        }
        assert_eq!(reshard(&[10, 10], 4, 0), vec![-5, -5, 5, 5]);
    }

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
