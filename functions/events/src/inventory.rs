//! Seat inventory: the contract through which other domains hold and return seats.
//!
//! The events domain owns every tier's seats. They sit in `K` shard items per tier
//! (`domain::shards` says why and how they are chosen), each with its share of the
//! unsold seats and a copy of what a hold must check: the event's status, its
//! sales window and the tier's `maxPerOrder`. So a hold touches one shard item and
//! its own reservation, and nothing every hold of the event touches.
//!
//! The reservations domain changes the shards only through the transaction actions
//! built here, inside its own `TransactWriteItems` together with its reservation
//! item, so a seat is held or returned exactly when the reservation's state changes.
//! Nothing outside this module spells these keys.
//!
//! | action | item | effect | condition |
//! |---|---|---|---|
//! | [`hold`] | shard `SHARDS#<eventId>` / `<tierId>#<nn>` | `available -= n` | `available >= n`, `maxPerOrder >= n`; for a sale also published and `salesOpensAt <= now < salesClosesAt` |
//! | [`release`] | shard | `available += n` | the shard exists |
//! | [`not_cancelled`] | shard | — | its event is not cancelled |
//! | [`rebalance`] | some shards → one | seats move | each donor has them |
//!
//! A failed `hold` condition returns the shard as it was ([`ShardSnapshot`]), so the
//! caller knows whether the window closed or the shard ran short. [`snapshot`]
//! reads every shard of a tier at one instant: the only basis for `sold out`.
//! Every write to a shard bumps its `version` (that is what makes the snapshot
//! possible without a transaction).
//! [`offer`] reads what a buyer is offered (event, sales window, the tier's price,
//! limits and shard count) to check and price an order first.

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use chrono::{DateTime, SecondsFormat, Utc};
use shared::dynamo::{self, Failure, Item, number, string};
use std::collections::HashMap;

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

/// Partition key of an event's shard items (apart from the event, so that reading
/// the event never reads its shards).
pub fn shards_pk(event_id: &str) -> String {
    format!("SHARDS#{event_id}")
}

/// Sort key of a tier's shard `shard`; a tier's shards share the prefix `<tierId>#`.
pub fn shard_sk(tier_id: &str, shard: usize) -> String {
    format!("{tier_id}#{shard:02}")
}

/// Sort key of the event's own item.
pub const META: &str = "META";

pub fn event_key(event_id: &str) -> Item {
    dynamo::key(event_pk(event_id), META)
}

pub fn tier_key(event_id: &str, tier_id: &str) -> Item {
    dynamo::key(event_pk(event_id), tier_sk(tier_id))
}

pub fn shard_key(event_id: &str, tier_id: &str, shard: usize) -> Item {
    dynamo::key(shards_pk(event_id), shard_sk(tier_id, shard))
}

/// The event and tier a shard item's key names (for the stream's summary refresh).
pub fn shard_of_key(pk: &str, sk: &str) -> Option<(String, String)> {
    let event_id = pk.strip_prefix("SHARDS#")?;
    let (tier_id, _) = sk.rsplit_once('#')?;
    Some((event_id.to_owned(), tier_id.to_owned()))
}

/// Instants as the events table stores them (they compare as text).
pub fn stored_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Checks, inside the caller's transaction, that the event is not cancelled (a
/// booking confirmed after its event's cancellation must not happen), on the shard
/// the reservation's seats came from (cancelling writes every shard with the event).
pub fn not_cancelled(table: &str, event_id: &str, tier_id: &str, shard: usize) -> Result<TransactWriteItem, Failure> {
    let check = ConditionCheck::builder()
        .table_name(table)
        .set_key(Some(shard_key(event_id, tier_id, shard)))
        .condition_expression("#status <> :cancelled")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":cancelled", string("cancelled"))
        .build()
        .map_err(dynamo::failure)?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

/// Takes `quantity` seats from one shard of the tier, if it has that many and one
/// order may take them; with `sale_at`, only while the event sells at that instant.
pub fn hold(
    table: &str,
    event_id: &str,
    tier_id: &str,
    shard: usize,
    quantity: u32,
    sale_at: Option<DateTime<Utc>>,
) -> Result<TransactWriteItem, Failure> {
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(shard_key(event_id, tier_id, shard)))
        .update_expression("SET available = available - :n ADD #v :one")
        .expression_attribute_names("#v", "version")
        .expression_attribute_values(":one", number(1))
        .expression_attribute_values(":n", number(quantity))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    update = match sale_at {
        Some(now) => update
            .condition_expression(
                "available >= :n AND maxPerOrder >= :n AND #status = :published \
                 AND salesOpensAt <= :now AND salesClosesAt > :now",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":published", string("published"))
            .expression_attribute_values(":now", string(stored_instant(now))),
        None => update.condition_expression("available >= :n AND maxPerOrder >= :n"),
    };
    Ok(TransactWriteItem::builder().update(update.build().map_err(dynamo::failure)?).build())
}

/// Gives `quantity` seats back to a shard of the tier.
pub fn release(
    table: &str,
    event_id: &str,
    tier_id: &str,
    shard: usize,
    quantity: u32,
) -> Result<TransactWriteItem, Failure> {
    shard_count(
        table,
        event_id,
        tier_id,
        shard,
        "SET available = available + :n ADD #v :one",
        "attribute_exists(pk)",
        quantity,
    )
}

/// `n` of a shard's counted seats withheld from sale (an organizer blocks seats):
/// a hold without an order's limit or the sales window, as blocking is not a sale.
pub fn withhold(
    table: &str,
    event_id: &str,
    tier_id: &str,
    shard: usize,
    n: u32,
) -> Result<TransactWriteItem, Failure> {
    shard_count(table, event_id, tier_id, shard, "SET available = available - :n ADD #v :one", "available >= :n", n)
}

/// A change of `n` to a shard's count (`:n`), bumping its version (`#v`, `:one`).
fn shard_count(
    table: &str,
    event_id: &str,
    tier_id: &str,
    shard: usize,
    set: &str,
    condition: &str,
    n: u32,
) -> Result<TransactWriteItem, Failure> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(shard_key(event_id, tier_id, shard)))
        .update_expression(set)
        .condition_expression(condition)
        .expression_attribute_names("#v", "version")
        .expression_attribute_values(":one", number(1))
        .expression_attribute_values(":n", number(n))
        .build()
        .map_err(dynamo::failure)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Every shard's seats at one instant, or `None` if they kept changing.
///
/// A double collect: all the tier's shards are read (one consistent `Query`), then
/// read again; every write to a shard bumps its `version`, so if no version moved
/// between the two reads, each shard held its value from the end of the first read
/// to the start of the second, and the counts are the tier's at any instant in
/// between. Unlike `TransactGetItems`, this never conflicts with the holds.
pub async fn snapshot(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    tier_id: &str,
    shards: usize,
) -> Result<Option<Vec<u32>>, Failure> {
    let mut previous = collect(client, table, event_id, tier_id, shards).await?;
    for _ in 0..SNAPSHOT_COLLECTS {
        let next = collect(client, table, event_id, tier_id, shards).await?;
        if next == previous {
            return Ok(Some(next.into_iter().map(|(available, _)| available).collect()));
        }
        previous = next;
    }
    Ok(None)
}

/// Second reads a snapshot makes before it gives up on a tier that keeps changing.
const SNAPSHOT_COLLECTS: usize = 2;

/// Each shard's (available, version), in shard order (a missing shard: zeros).
async fn collect(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    tier_id: &str,
    shards: usize,
) -> Result<Vec<(u32, u64)>, Failure> {
    let mut seen = vec![(0, 0); shards];
    let mut start = None;
    loop {
        let out = client
            .query()
            .table_name(table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :tier)")
            .expression_attribute_values(":pk", string(shards_pk(event_id)))
            .expression_attribute_values(":tier", string(format!("{tier_id}#")))
            .projection_expression("sk, available, #v")
            .expression_attribute_names("#v", "version")
            .consistent_read(true)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        for item in out.items.unwrap_or_default() {
            let n = |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<u64>().ok());
            let index = item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .and_then(|sk| sk.rsplit_once('#'))
                .and_then(|(_, i)| i.parse::<usize>().ok());
            if let Some(index) = index.filter(|&i| i < shards) {
                seen[index] = (n("available").unwrap_or(0) as u32, n("version").unwrap_or(0));
            }
        }
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(seen);
        }
    }
}

/// Moves seats between a tier's shards in one transaction: each donor gives its
/// share only if it has it, so no seat is made or lost.
pub async fn rebalance(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    tier_id: &str,
    plan: &crate::domain::shards::Rebalance,
) -> Result<(), Failure> {
    let mut actions = Vec::new();
    for &(shard, seats) in &plan.from {
        let update = Update::builder()
            .table_name(table)
            .set_key(Some(shard_key(event_id, tier_id, shard)))
            .update_expression("SET available = available - :n ADD #v :one")
            .condition_expression("available >= :n")
            .expression_attribute_names("#v", "version")
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":n", number(seats))
            .build()
            .map_err(dynamo::failure)?;
        actions.push(TransactWriteItem::builder().update(update).build());
    }
    actions.push(release(table, event_id, tier_id, plan.to, plan.seats())?);
    client
        .transact_write_items()
        .set_transact_items(Some(actions))
        .send()
        .await
        .map_err(dynamo::transaction_failure)?;
    Ok(())
}

/// What is on sale: the event and one of its tiers, as a buyer's order needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub event_id: String,
    pub organizer_id: String,
    pub title: String,
    pub published: bool,
    /// Not published yet: to a buyer, no such event (cancelled and completed ones are
    /// public, their sales closed).
    pub draft: bool,
    /// "Venue name, City", for emails.
    pub venue: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub timezone: chrono_tz::Tz,
    pub sales_opens_at: Option<DateTime<Utc>>,
    pub sales_closes_at: Option<DateTime<Utc>>,
    pub currency: String,
    pub tier_id: String,
    pub tier_name: String,
    pub price_minor: i64,
    pub max_per_order: u32,
    /// Seats left as last summarised (informs; the shards decide).
    pub available: u32,
    /// The tier's shard count.
    pub shards: u32,
    /// Buyers admitted per minute, when the sale has a waiting room (a hold then
    /// needs an admission token).
    pub waiting_room: Option<u32>,
    /// Sold seat by seat from the seat map (`seats`).
    pub seated: bool,
    /// The version of the event's seat map in force, if it has one.
    pub seat_map_version: Option<u32>,
    /// Whether holders may hand their tickets on.
    pub ticket_transfers: crate::domain::event::TicketTransfers,
    /// Sold only with an access code naming the tier.
    pub hidden: bool,
    /// How long an offer from the tier's waiting list holds its seats.
    pub waiting_list_offer_minutes: u32,
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

/// An event with its tiers' summarised seats (one Query), for the contracts here.
async fn published_view(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
) -> Result<Option<crate::domain::event::Event>, Failure> {
    use crate::store::{EventStore, StoreError};
    let store = crate::store::dynamodb::DynamoEventStore::new(client.clone(), table);
    match store.get(event_id).await {
        Ok(event) => Ok(event),
        Err(StoreError::Storage(failure)) => Err(failure),
        Err(other) => Err(Failure::Other(other.to_string())),
    }
}

/// The event and tier a buyer asks for, or `None` if either does not exist.
pub async fn offer(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    tier_id: &str,
) -> Result<Option<Offer>, Failure> {
    let Some(event) = published_view(client, table, event_id).await? else { return Ok(None) };
    Ok(offer_of(&event, tier_id))
}

/// Every tier of the event as an offer (one read), or `None` if it does not exist.
pub async fn offers(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
) -> Result<Option<Vec<Offer>>, Failure> {
    let Some(event) = published_view(client, table, event_id).await? else { return Ok(None) };
    Ok(Some(event.tiers.iter().filter_map(|tier| offer_of(&event, &tier.id)).collect()))
}

fn offer_of(event: &crate::domain::event::Event, tier_id: &str) -> Option<Offer> {
    let tier = event.tiers.iter().find(|t| t.id == tier_id)?;
    let d = &event.details;
    Some(Offer {
        event_id: event.id.clone(),
        organizer_id: event.organizer_id.clone(),
        title: d.title.clone(),
        published: event.status == crate::domain::event::Status::Published,
        draft: event.status == crate::domain::event::Status::Draft,
        venue: d.venue.as_ref().map(|v| format!("{}, {}", v.name, v.city)),
        starts_at: d.starts_at,
        ends_at: d.ends_at,
        timezone: d.timezone,
        sales_opens_at: d.sales_opens_at,
        sales_closes_at: d.sales_closes_at,
        currency: d.currency.clone(),
        tier_id: tier.id.clone(),
        tier_name: tier.name.clone(),
        price_minor: tier.price_minor,
        max_per_order: tier.max_per_order,
        available: tier.available,
        shards: tier.shards.max(1),
        waiting_room: d.waiting_room.map(|room| room.admit_per_minute),
        seated: tier.seated,
        hidden: tier.hidden,
        seat_map_version: event.seat_map.as_ref().map(|m| m.version),
        ticket_transfers: d.ticket_transfers.unwrap_or(crate::domain::event::TicketTransfers::Allowed),
        waiting_list_offer_minutes: d.waiting_list_offer_minutes.unwrap_or(crate::domain::event::OFFER_DEFAULT_MINUTES),
    })
}

/// What seats picked on an event's map are offered as.
#[derive(Debug, Clone, PartialEq)]
pub enum SeatOffer {
    /// No such event (or not a public one).
    NoEvent,
    /// The seats, all of one tier, and that tier's offer.
    Seats { offer: Offer, seats: Vec<crate::seats::PickedSeat> },
    /// Ids the map does not have.
    Unknown(Vec<seating::map::SeatId>),
    /// Seats of more than one tier: an order is of one tier.
    MixedTiers,
}

/// The seats `ids` of the event's map in force, with their tier's offer.
pub async fn seat_offer(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    ids: &[seating::map::SeatId],
) -> Result<SeatOffer, Failure> {
    let Some(event) = published_view(client, table, event_id).await? else { return Ok(SeatOffer::NoEvent) };
    let Some(map) = event.seat_map else { return Ok(SeatOffer::Unknown(ids.to_vec())) };
    let (seats, missing) = crate::seats::read_seats(client, table, event_id, map.version, ids).await?;
    if !missing.is_empty() {
        return Ok(SeatOffer::Unknown(missing));
    }
    let tier_id = seats.first().map(|s| s.tier_id.clone()).unwrap_or_default();
    if seats.iter().any(|s| s.tier_id != tier_id) {
        return Ok(SeatOffer::MixedTiers);
    }
    match offer_of(&event, &tier_id) {
        Some(offer) => Ok(SeatOffer::Seats { offer, seats }),
        None => Ok(SeatOffer::Unknown(ids.to_vec())),
    }
}

/// What best-available found for an order of a seated tier.
#[derive(Debug, Clone, PartialEq)]
pub enum BestSeats {
    /// The seats to hold, best first as the map ranks them.
    Seats(Vec<crate::seats::PickedSeat>),
    /// The tier has only `free` seats left that are not taken or avoided.
    NotEnough { free: u32 },
}

/// Best available: `k` seats of the offer's tier on `map`, none of them `taken`
/// (as the rows' states last showed) nor `avoid` (seats this request lost a race
/// for), drawn among the `spread` best placements (`seating::best::spread`). Pure:
/// the caller reads (and may cache) the map and the taken seats.
pub fn best_seats(
    map: &seating::map::SeatMap,
    offer: &Offer,
    taken: &HashMap<seating::map::SeatId, crate::seats::SeatState>,
    avoid: &[seating::map::SeatId],
    k: usize,
    spread: usize,
    rng: &mut impl rand::Rng,
) -> BestSeats {
    let not_free = |id| taken.contains_key(&id) || avoid.contains(&id);
    match seating::best::for_tier(map, &offer.tier_id, k, not_free, spread, rng) {
        Ok(pick) => BestSeats::Seats(
            pick.ids()
                .into_iter()
                .filter_map(|id| map.find(id))
                .map(|place| crate::seats::PickedSeat {
                    id: place.id,
                    tier_id: offer.tier_id.clone(),
                    name: place.describe(),
                })
                .collect(),
        ),
        Err(free) => BestSeats::NotEnough { free: free as u32 },
    }
}

/// What the waiting room needs of an event: whether it sells, when, and at what pace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSettings {
    pub published: bool,
    pub sales_opens_at: Option<DateTime<Utc>>,
    pub sales_closes_at: Option<DateTime<Utc>>,
    /// `None`: the sale has no waiting room.
    pub admit_per_minute: Option<u32>,
    /// Seats left over all tiers, as last summarised (informs; the shards decide).
    pub seats_left: u64,
}

/// The event's waiting-room settings, or `None` if there is no such event.
pub async fn room_settings(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
) -> Result<Option<RoomSettings>, Failure> {
    let event = published_view(client, table, event_id).await?;
    Ok(event.map(|event| RoomSettings {
        published: event.status == crate::domain::event::Status::Published,
        sales_opens_at: event.details.sales_opens_at,
        sales_closes_at: event.details.sales_closes_at,
        admit_per_minute: event.details.waiting_room.map(|room| room.admit_per_minute),
        seats_left: event.tiers.iter().map(|t| u64::from(t.available)).sum(),
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

/// A shard as a failed [`hold`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardSnapshot {
    pub available: u32,
    pub max_per_order: u32,
    status: Option<String>,
    sales_opens_at: Option<String>,
    sales_closes_at: Option<String>,
}

impl ShardSnapshot {
    /// Reads the item a cancellation reason carried; `None` if it is not a shard.
    pub fn from_item(item: &Item) -> Option<Self> {
        let n = |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok());
        let s = |name: &str| item.get(name).and_then(|v: &AttributeValue| v.as_s().ok()).cloned();
        s("pk").is_some_and(|pk| pk.starts_with("SHARDS#")).then_some(())?;
        Some(Self {
            available: n("available")?,
            max_per_order: n("maxPerOrder")?,
            status: s("status"),
            sales_opens_at: s("salesOpensAt"),
            sales_closes_at: s("salesClosesAt"),
        })
    }

    /// Whether the event sold at `now` by this shard's copy of its status and window.
    pub fn sells_at(&self, now: DateTime<Utc>) -> bool {
        let now = stored_instant(now);
        self.status.as_deref() == Some("published")
            && self.sales_opens_at.as_deref().is_some_and(|opens| opens <= now.as_str())
            && self.sales_closes_at.as_deref().is_some_and(|closes| now.as_str() < closes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_available_names_its_seats_and_steers_clear_of_taken_and_lost_ones() {
        use crate::seats::SeatState;
        use seating::map::{Row, Seat, SeatId, SeatMap, Section};
        let seat = |n: u32| Seat {
            number: n,
            label: (100 + n).to_string(),
            x: f64::from(n),
            y: 0.0,
            accessible: false,
            restricted_view: false,
        };
        let row = Row { number: 1, label: "C".into(), seats: (1..=4).map(seat).collect() };
        let map = SeatMap {
            sections: vec![Section { number: 7, name: "Nord".into(), tier_id: "t1".into(), rows: vec![row] }],
        };
        let offer = Offer {
            event_id: "e1".into(),
            organizer_id: "o1".into(),
            title: "Final".into(),
            published: true,
            draft: false,
            venue: None,
            starts_at: None,
            ends_at: None,
            timezone: chrono_tz::UTC,
            sales_opens_at: None,
            sales_closes_at: None,
            currency: "EUR".into(),
            tier_id: "t1".into(),
            tier_name: "Standard".into(),
            price_minor: 3000,
            max_per_order: 10,
            available: 4,
            shards: 1,
            waiting_room: None,
            seated: true,
            seat_map_version: Some(1),
            ticket_transfers: crate::domain::event::TicketTransfers::Allowed,
            hidden: false,
            waiting_list_offer_minutes: 30,
        };
        let id = |seat| SeatId { section: 7, row: 1, seat };
        let taken = HashMap::from([(id(1), SeatState::Sold)]);
        let mut rng = rand::thread_rng();
        let BestSeats::Seats(seats) = best_seats(&map, &offer, &taken, &[id(4)], 2, 1, &mut rng) else { panic!() };
        assert_eq!(seats.iter().map(|s| s.id).collect::<Vec<_>>(), vec![id(2), id(3)]);
        assert_eq!(seats[0].name, "Nord, row C, seat 102");
        assert_eq!(seats[0].tier_id, "t1");
        assert_eq!(best_seats(&map, &offer, &taken, &[id(4)], 3, 1, &mut rng), BestSeats::NotEnough { free: 2 });
    }

    #[test]
    fn keys_are_the_events_tables() {
        assert_eq!(event_key("e1")["pk"], string("EVENT#e1"));
        assert_eq!(event_key("e1")["sk"], string("META"));
        assert_eq!(tier_key("e1", "t1")["sk"], string("TIER#t1"));
        assert_eq!(shard_key("e1", "t1", 3)["pk"], string("SHARDS#e1"));
        assert_eq!(shard_key("e1", "t1", 3)["sk"], string("t1#03"));
        assert_eq!(shard_of_key("SHARDS#e1", "t1#03"), Some(("e1".into(), "t1".into())));
        assert_eq!(shard_of_key("EVENT#e1", "META"), None);
    }

    #[test]
    fn hold_and_release_are_guarded_counter_updates() {
        let hold = hold("events", "e1", "t1", 2, 3, None).unwrap();
        let update = hold.update().unwrap();
        assert_eq!(update.update_expression(), "SET available = available - :n ADD #v :one");
        assert_eq!(update.condition_expression(), Some("available >= :n AND maxPerOrder >= :n"));
        assert_eq!(update.expression_attribute_values().unwrap()[":n"], number(3));
        assert_eq!(update.key()["sk"], string("t1#02"));
        let release = release("events", "e1", "t1", 2, 3).unwrap();
        assert_eq!(release.update().unwrap().update_expression(), "SET available = available + :n ADD #v :one");
    }

    #[test]
    fn a_sale_checks_the_window_against_stored_text() {
        let now = DateTime::parse_from_rfc3339("2030-01-01T10:00:00.123+02:00").unwrap().with_timezone(&Utc);
        let hold = hold("events", "e1", "t1", 0, 1, Some(now)).unwrap();
        let update = hold.update().unwrap();
        assert!(update.condition_expression().unwrap().contains("salesOpensAt <= :now"));
        assert_eq!(update.expression_attribute_values().unwrap()[":now"], string("2030-01-01T08:00:00Z"));
    }

    #[test]
    fn a_failed_hold_says_what_the_shard_had() {
        let mut item = shard_key("e1", "t1", 0);
        item.insert("available".into(), number(2));
        item.insert("maxPerOrder".into(), number(4));
        item.insert("status".into(), string("published"));
        item.insert("salesOpensAt".into(), string("2030-01-01T00:00:00Z"));
        item.insert("salesClosesAt".into(), string("2030-02-01T00:00:00Z"));
        let shard = ShardSnapshot::from_item(&item).unwrap();
        assert_eq!(shard.available, 2);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(shard.sells_at(at("2030-01-15T00:00:00Z")));
        assert!(!shard.sells_at(at("2030-02-01T00:00:00Z")));
        assert_eq!(ShardSnapshot::from_item(&event_key("e1")), None);
    }
}
