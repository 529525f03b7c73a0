//! The waiting-room table in DynamoDB (only this domain writes it):
//!
//! | item | pk | sk | what |
//! |---|---|---|---|
//! | room | `ROOM#<eventId>` | `ROOM` | written once at the opening: the seed the pre-queue's order is drawn with, and the pre-queue's size |
//! | counter | `ROOM#<eventId>` | `PRE#<n>` / `ARRIVALS#<n>` | pre-queue joins, and arrival numbers after the opening, over several items so that no one item takes every join |
//! | place | `PLACE#<eventId>#<userId>` | `PLACE` | one per account: when it joined, its number (arrivals), when it was last seen and admitted; `expiresAt` (TTL) |

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use shared::dynamo::{self, Failure, Item, number as n, string as s};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub seed: Vec<u8>,
    pub pre_queue: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceRecord {
    pub pre_queue: bool,
    /// Arrivals after the opening: their number.
    pub position: Option<u64>,
    pub joined_at: i64,
    pub last_seen: i64,
    pub admitted_at: Option<i64>,
}

pub struct RoomStore {
    client: Client,
    table: String,
}

fn room_pk(event_id: &str) -> String {
    format!("ROOM#{event_id}")
}

fn place_key(event_id: &str, user_id: &str) -> Item {
    dynamo::key(format!("PLACE#{event_id}#{user_id}"), "PLACE")
}

fn number(item: &Item, name: &str) -> Option<i64> {
    item.get(name)?.as_n().ok()?.parse().ok()
}

impl RoomStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub async fn from_env() -> Result<Self, shared::ConfigError> {
        let table = shared::env_required("WAITING_ROOM_TABLE")?;
        let config = shared::aws_sdk_config().await;
        Ok(Self::new(Client::new(&config), table))
    }

    pub async fn place(&self, event_id: &str, user_id: &str) -> Result<Option<PlaceRecord>, Failure> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(place_key(event_id, user_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.item.map(|item| PlaceRecord {
            pre_queue: item.get("preQueue").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
            position: number(&item, "position").map(|p| p as u64),
            joined_at: number(&item, "joinedAt").unwrap_or(0),
            last_seen: number(&item, "lastSeen").unwrap_or(0),
            admitted_at: number(&item, "admittedAt"),
        }))
    }

    /// Writes a new place; `false` if the account has one already (unless it
    /// replaces the abandoned one last seen at `replacing`).
    pub async fn put_place(
        &self,
        event_id: &str,
        user_id: &str,
        place: &PlaceRecord,
        expires_at: i64,
        replacing: Option<i64>,
    ) -> Result<bool, Failure> {
        let mut item = place_key(event_id, user_id);
        item.insert("eventId".into(), s(event_id));
        item.insert("userId".into(), s(user_id));
        item.insert("preQueue".into(), AttributeValue::Bool(place.pre_queue));
        if let Some(position) = place.position {
            item.insert("position".into(), n(position));
        }
        item.insert("joinedAt".into(), n(place.joined_at));
        item.insert("lastSeen".into(), n(place.last_seen));
        item.insert("expiresAt".into(), n(expires_at));
        let mut put = self.client.put_item().table_name(&self.table).set_item(Some(item));
        put = match replacing {
            Some(seen) => put.condition_expression("lastSeen = :seen").expression_attribute_values(":seen", n(seen)),
            None => put.condition_expression("attribute_not_exists(pk)"),
        };
        dynamo::condition_held(put.send().await.map_err(dynamo::sdk_failure))
    }

    /// The next count of one of the room's counters (`PRE` or `ARRIVALS`, number `counter`).
    pub async fn count(&self, event_id: &str, kind: &str, counter: u64) -> Result<u64, Failure> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(room_pk(event_id), format!("{kind}#{counter}"))))
            .update_expression("ADD #count :one")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.attributes.as_ref().and_then(|a| number(a, "count")).unwrap_or(1) as u64)
    }

    /// The room as opened, if it was.
    pub async fn room(&self, event_id: &str) -> Result<Option<Room>, Failure> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(room_pk(event_id), "ROOM")))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.item.and_then(|item| {
            let seed = item.get("seed")?.as_b().ok()?.as_ref().to_vec();
            Some(Room { seed, pre_queue: number(&item, "preQueue")? as u64 })
        }))
    }

    /// The pre-queue's size: its counters summed.
    pub async fn pre_queue_size(&self, event_id: &str) -> Result<u64, Failure> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :pre)")
            .expression_attribute_values(":pk", s(room_pk(event_id)))
            .expression_attribute_values(":pre", s("PRE#"))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.items.unwrap_or_default().iter().filter_map(|item| number(item, "count")).sum::<i64>() as u64)
    }

    /// Opens the room once: the first writer's seed and size stand.
    pub async fn open(&self, event_id: &str, room: &Room, now: i64) -> Result<(), Failure> {
        let mut item = dynamo::key(room_pk(event_id), "ROOM");
        item.insert("seed".into(), AttributeValue::B(room.seed.clone().into()));
        item.insert("preQueue".into(), n(room.pre_queue));
        item.insert("openedAt".into(), n(now));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(put).map(|_| ())
    }

    /// Records that the place was seen at `now`, and admitted at `admitted` if it
    /// was not already.
    pub async fn seen(&self, event_id: &str, user_id: &str, now: i64, admitted: bool) -> Result<(), Failure> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(place_key(event_id, user_id)))
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":now", n(now));
        update = if admitted {
            update.update_expression("SET lastSeen = :now, admittedAt = if_not_exists(admittedAt, :now)")
        } else {
            update.update_expression("SET lastSeen = :now")
        };
        dynamo::condition_held(update.send().await.map_err(dynamo::sdk_failure)).map(|_| ())
    }
}

/// Which of `counters` a join uses (spread at random).
pub fn any_counter(counters: u64) -> u64 {
    rand::random::<u64>() % counters.max(1)
}
