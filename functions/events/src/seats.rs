//! Seat inventory, the seated half of the inventory contract (`inventory` is the
//! counted half): where an event's seat map lives, and (for the reservations
//! domain) how it is read. Nothing outside this module spells these keys.
//!
//! | item | key | what |
//! |---|---|---|
//! | a row of a map version | `SEATMAP#<eventId>` / `v<version>#<section>-<row>` | the row's section, tier, label, seats (labels, places, flags) and place in the map |
//! | a seat someone holds, bought or blocked | `SEAT#<eventId>#<section>-<row>` / `<seat>` | `status` (`held`, `sold`, `blocked`, or `available` again), `reservationId` |
//! | a row's taken seats (from the stream) | `SEATSTATE#<eventId>` / `<section>-<row>` | `taken`: `<seat>:<h|s|b>` for each seat not available |
//!
//! A seat without an item is available. The reservations domain holds, sells and
//! releases seats only through the actions here ([`hold_seat`], [`sell_seat`],
//! [`release_seat`]), inside its own transaction with the reservation and the
//! tier's counted seats (`inventory::hold`): a seated tier's shards count its free
//! seats, so `sold out` and the sales window are decided exactly as for a tier
//! without seats, and each seat's own condition decides who gets it. A row's items
//! share a partition: a rush spreads over the venue's rows.
//!
//! A new version's rows are written first, under their own version; the event's
//! item then names the version in force, in the same transaction that changes the
//! tiers' capacities. A reader reads the version the event names, so a map is never
//! seen half-written, and a failed write leaves only rows nobody reads (the next
//! write of that version clears them first).

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use seating::map::{Row, Seat, SeatId, SeatMap, Section};
use serde::{Deserialize, Serialize};
use shared::dynamo::{self, Failure, Item, string};
use std::collections::HashMap;

/// Partition of an event's seat-map rows (every version's).
pub fn seat_map_pk(event_id: &str) -> String {
    format!("SEATMAP#{event_id}")
}

/// What every row of a version's sort key starts with.
pub fn version_prefix(version: u32) -> String {
    format!("v{version:06}#")
}

/// A row's sort key: its version, then its section's and its own number.
pub fn row_sk(version: u32, section: u32, row: u32) -> String {
    format!("{}{section}-{row}", version_prefix(version))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RowItem {
    pk: String,
    sk: String,
    section: u32,
    section_name: String,
    tier_id: String,
    row: u32,
    label: String,
    /// The row's seats as JSON (one attribute: compact, and read whole).
    seats: String,
    /// Its place in the map (sections and rows in the organizer's order).
    position: u32,
}

/// The items of a map version, one per row.
pub fn row_items(event_id: &str, version: u32, map: &SeatMap) -> Result<Vec<Item>, Failure> {
    let mut items = Vec::new();
    for section in &map.sections {
        for row in &section.rows {
            let item = RowItem {
                pk: seat_map_pk(event_id),
                sk: row_sk(version, section.number, row.number),
                position: items.len() as u32,
                section: section.number,
                section_name: section.name.clone(),
                tier_id: section.tier_id.clone(),
                row: row.number,
                label: row.label.clone(),
                seats: serde_json::to_string(&row.seats).map_err(dynamo::failure)?,
            };
            items.push(serde_dynamo::to_item(item).map_err(dynamo::failure)?);
        }
    }
    Ok(items)
}

/// The keys of a version's rows (to clear what a failed write left, or an old version).
pub async fn row_keys(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    version: u32,
) -> Result<Vec<Item>, Failure> {
    let query = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk AND begins_with(sk, :v)")
        .expression_attribute_values(":pk", string(seat_map_pk(event_id)))
        .expression_attribute_values(":v", string(version_prefix(version)))
        .projection_expression("pk, sk")
        .consistent_read(true);
    dynamo::query_all(query).await
}

/// A version of an event's map, rows in map order (`None`: no such rows).
pub async fn read_map(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    version: u32,
) -> Result<Option<SeatMap>, Failure> {
    let query = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk AND begins_with(sk, :v)")
        .expression_attribute_values(":pk", string(seat_map_pk(event_id)))
        .expression_attribute_values(":v", string(version_prefix(version)))
        .consistent_read(true);
    let mut rows: Vec<RowItem> = dynamo::query_all(query)
        .await?
        .into_iter()
        .map(|item| serde_dynamo::from_item(item).map_err(dynamo::failure))
        .collect::<Result<_, _>>()?;
    rows.sort_by_key(|r| r.position);
    let mut sections: Vec<Section> = Vec::new();
    for row in rows {
        let (number, name, tier_id) = (row.section, row.section_name.clone(), row.tier_id.clone());
        let row = decode_row(row)?;
        match sections.last_mut() {
            Some(section) if section.number == number => section.rows.push(row),
            _ => sections.push(Section { number, name, tier_id, rows: vec![row] }),
        }
    }
    Ok((!sections.is_empty()).then_some(SeatMap { sections }))
}

fn decode_row(row: RowItem) -> Result<Row, Failure> {
    let seats: Vec<Seat> = serde_json::from_str(&row.seats).map_err(dynamo::failure)?;
    Ok(Row { number: row.row, label: row.label, seats })
}

/// Seats a buyer picked, as a map version has them.
#[derive(Debug, Clone, PartialEq)]
pub struct PickedSeat {
    pub id: SeatId,
    pub tier_id: String,
    /// "Nord, row C, seat 12".
    pub name: String,
}

/// The picked seats of a map version, in the order asked; the ids it lacks are
/// returned apart.
pub async fn read_seats(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    version: u32,
    ids: &[SeatId],
) -> Result<(Vec<PickedSeat>, Vec<SeatId>), Failure> {
    let mut rows: Vec<(u32, u32)> = ids.iter().map(|id| (id.section, id.row)).collect();
    rows.sort_unstable();
    rows.dedup();
    let keys =
        rows.iter().map(|(section, row)| dynamo::key(seat_map_pk(event_id), row_sk(version, *section, *row))).collect();
    let mut found = Vec::new();
    for item in dynamo::batch_get(client, table, keys, false, None).await? {
        let row: RowItem = serde_dynamo::from_item(item).map_err(dynamo::failure)?;
        let (section, name, tier) = (row.section, row.section_name.clone(), row.tier_id.clone());
        found.push((section, name, tier, decode_row(row)?));
    }
    let mut picked = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        let seat = found.iter().filter(|(s, _, _, row)| *s == id.section && row.number == id.row).find_map(
            |(_, name, tier, row)| {
                row.seats.iter().find(|seat| seat.number == id.seat).map(|seat| PickedSeat {
                    id: *id,
                    tier_id: tier.clone(),
                    name: format!("{name}, row {}, seat {}", row.label, seat.label),
                })
            },
        );
        match seat {
            Some(seat) => picked.push(seat),
            None => missing.push(*id),
        }
    }
    Ok((picked, missing))
}

/// Partition of a row's seat items.
pub fn seat_pk(event_id: &str, id: SeatId) -> String {
    format!("SEAT#{event_id}#{}", id.row_key())
}

pub fn seat_key(event_id: &str, id: SeatId) -> Item {
    dynamo::key(seat_pk(event_id, id), id.seat.to_string())
}

/// The event and row a seat item's key names (for the stream's refresh).
pub fn row_of_seat_key(pk: &str) -> Option<(String, u32, u32)> {
    let rest = pk.strip_prefix("SEAT#")?;
    let (event_id, row) = rest.rsplit_once('#')?;
    let (section, row) = row.split_once('-')?;
    Some((event_id.to_owned(), section.parse().ok()?, row.parse().ok()?))
}

/// A seat's state on its item.
pub const HELD: &str = "held";
pub const SOLD: &str = "sold";
pub const BLOCKED: &str = "blocked";
pub const AVAILABLE: &str = "available";

/// Holds a seat for `reservation_id`, if nobody has it.
pub fn hold_seat(table: &str, event_id: &str, id: SeatId, reservation_id: &str) -> Result<TransactWriteItem, Failure> {
    seat_update(
        table,
        event_id,
        id,
        "SET #status = :held, reservationId = :r, eventId = :e",
        "attribute_not_exists(pk) OR #status = :available",
        &[(":held", HELD), (":available", AVAILABLE), (":r", reservation_id), (":e", event_id)],
    )
}

/// A free seat blocked by its organizer (no reservation holds it).
pub fn block_seat(table: &str, event_id: &str, id: SeatId) -> Result<TransactWriteItem, Failure> {
    seat_update(
        table,
        event_id,
        id,
        "SET #status = :blocked, eventId = :e REMOVE reservationId",
        "attribute_not_exists(pk) OR #status = :available",
        &[(":blocked", BLOCKED), (":available", AVAILABLE), (":e", event_id)],
    )
}

/// A blocked seat, on sale again.
pub fn unblock_seat(table: &str, event_id: &str, id: SeatId) -> Result<TransactWriteItem, Failure> {
    seat_update(
        table,
        event_id,
        id,
        "SET #status = :available",
        "#status = :blocked",
        &[(":blocked", BLOCKED), (":available", AVAILABLE)],
    )
}

/// A held seat, sold to its reservation.
pub fn sell_seat(table: &str, event_id: &str, id: SeatId, reservation_id: &str) -> Result<TransactWriteItem, Failure> {
    seat_update(
        table,
        event_id,
        id,
        "SET #status = :status",
        "reservationId = :r",
        &[(":status", SOLD), (":r", reservation_id)],
    )
}

/// A seat of `reservation_id` (held or sold), available again. A freed seat keeps
/// no reservation: the next hold's condition and the map read only `status`, but a
/// stale id would mislead whoever reads the item.
pub fn release_seat(
    table: &str,
    event_id: &str,
    id: SeatId,
    reservation_id: &str,
) -> Result<TransactWriteItem, Failure> {
    seat_update(
        table,
        event_id,
        id,
        "SET #status = :status REMOVE reservationId",
        "reservationId = :r",
        &[(":status", AVAILABLE), (":r", reservation_id)],
    )
}

/// One conditional update of a seat item (`#status` names its status), as an
/// action of a transaction.
fn seat_update(
    table: &str,
    event_id: &str,
    id: SeatId,
    set: &str,
    condition: &str,
    values: &[(&str, &str)],
) -> Result<TransactWriteItem, Failure> {
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(seat_key(event_id, id)))
        .update_expression(set)
        .condition_expression(condition)
        .expression_attribute_names("#status", "status");
    for (name, value) in values {
        update = update.expression_attribute_values(*name, string(*value));
    }
    Ok(TransactWriteItem::builder().update(update.build().map_err(dynamo::failure)?).build())
}

/// Partition of an event's rows' taken seats.
pub fn state_pk(event_id: &str) -> String {
    format!("SEATSTATE#{event_id}")
}

/// What a seat is, as the map shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatState {
    Held,
    Sold,
    Blocked,
}

impl SeatState {
    fn letter(self) -> char {
        match self {
            Self::Held => 'h',
            Self::Sold => 's',
            Self::Blocked => 'b',
        }
    }

    fn from_status(status: &str) -> Option<Self> {
        match status {
            HELD => Some(Self::Held),
            SOLD => Some(Self::Sold),
            BLOCKED => Some(Self::Blocked),
            _ => None,
        }
    }
}

/// A row's taken seats as the state item spells them: `3:h,4:s`.
pub fn spell_taken(taken: &[(u32, SeatState)]) -> String {
    taken.iter().map(|(seat, state)| format!("{seat}:{}", state.letter())).collect::<Vec<_>>().join(",")
}

pub fn read_taken(text: &str) -> Vec<(u32, SeatState)> {
    text.split(',')
        .filter_map(|part| {
            let (seat, letter) = part.split_once(':')?;
            let state = match letter {
                "h" => SeatState::Held,
                "s" => SeatState::Sold,
                "b" => SeatState::Blocked,
                _ => return None,
            };
            Some((seat.parse().ok()?, state))
        })
        .collect()
}

/// Every seat of the event not available, as last refreshed from the stream.
pub async fn taken_seats(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
) -> Result<HashMap<SeatId, SeatState>, Failure> {
    let query = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", string(state_pk(event_id)));
    let mut taken = HashMap::new();
    for item in dynamo::query_all(query).await? {
        let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        let Some((section, row)) =
            text("sk").split_once('-').and_then(|(s, r)| Some((s.parse().ok()?, r.parse().ok()?)))
        else {
            continue;
        };
        for (seat, state) in read_taken(&text("taken")) {
            taken.insert(SeatId { section, row, seat }, state);
        }
    }
    Ok(taken)
}

/// A row's taken seats, read from its seat items (consistently).
async fn row_taken(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    section: u32,
    row: u32,
) -> Result<String, Failure> {
    let pk = seat_pk(event_id, SeatId { section, row, seat: 1 });
    let query = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", string(&pk))
        .projection_expression("sk, #status")
        .expression_attribute_names("#status", "status")
        .consistent_read(true);
    let mut taken = Vec::new();
    for item in dynamo::query_all(query).await? {
        let seat = item.get("sk").and_then(|v| v.as_s().ok()).and_then(|s| s.parse::<u32>().ok());
        let state = item.get("status").and_then(|v| v.as_s().ok()).and_then(|s| SeatState::from_status(s));
        if let (Some(seat), Some(state)) = (seat, state) {
            taken.push((seat, state));
        }
    }
    taken.sort_by_key(|(seat, _)| *seat);
    Ok(spell_taken(&taken))
}

/// A row's state item, from its seats. Like the tiers' summaries, refreshes of one
/// row may run at once: each reads the seats again after its write and writes
/// again until they agree, so the state cannot stay behind.
pub async fn refresh_row(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    section: u32,
    row: u32,
) -> Result<(), Failure> {
    const ROUNDS: usize = 8;
    let mut taken = row_taken(client, table, event_id, section, row).await?;
    for _ in 0..ROUNDS {
        client
            .put_item()
            .table_name(table)
            .item("pk", string(state_pk(event_id)))
            .item("sk", string(format!("{section}-{row}")))
            .item("taken", string(&taken))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let now = row_taken(client, table, event_id, section, row).await?;
        if now == taken {
            return Ok(());
        }
        taken = now;
    }
    Err(dynamo::failure(format!("row {section}-{row} kept changing over {ROUNDS} refreshes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_sort_by_version_then_place() {
        assert_eq!(row_sk(3, 2, 12), "v000003#2-12");
        assert!(row_sk(3, 500, 300) < version_prefix(4));
        let map = SeatMap {
            sections: vec![Section {
                number: 2,
                name: "Nord".into(),
                tier_id: "t1".into(),
                rows: vec![Row {
                    number: 1,
                    label: "A".into(),
                    seats: vec![Seat {
                        number: 1,
                        label: "1".into(),
                        x: 1.5,
                        y: 2.0,
                        accessible: true,
                        restricted_view: false,
                    }],
                }],
            }],
        };
        let items = row_items("e1", 3, &map).unwrap();
        assert_eq!(items[0]["pk"], string("SEATMAP#e1"));
        assert_eq!(items[0]["sk"], string("v000003#2-1"));
        let row: RowItem = serde_dynamo::from_item(items[0].clone()).unwrap();
        assert_eq!(row.seats, r#"[{"number":1,"label":"1","x":1.5,"y":2.0,"accessible":true}]"#);
    }

    #[test]
    fn a_seat_is_sold_and_freed_only_by_its_own_reservation_and_freed_clean() {
        let id = SeatId { section: 3, row: 12, seat: 7 };
        let sold = sell_seat("events", "e1", id, "r1").unwrap();
        let sold = sold.update().unwrap();
        assert_eq!(
            (sold.update_expression(), sold.condition_expression()),
            ("SET #status = :status", Some("reservationId = :r"))
        );
        let freed = release_seat("events", "e1", id, "r1").unwrap();
        let freed = freed.update().unwrap();
        assert_eq!(freed.update_expression(), "SET #status = :status REMOVE reservationId");
        assert_eq!(freed.condition_expression(), Some("reservationId = :r"));
        assert_eq!(freed.expression_attribute_values().unwrap()[":r"], string("r1"));
    }

    #[test]
    fn seat_items_live_in_their_rows_partition_and_states_round_trip() {
        let id = SeatId { section: 3, row: 12, seat: 7 };
        assert_eq!(seat_key("e1", id)["pk"], string("SEAT#e1#3-12"));
        assert_eq!(seat_key("e1", id)["sk"], string("7"));
        assert_eq!(row_of_seat_key("SEAT#e1#3-12"), Some(("e1".into(), 3, 12)));
        assert_eq!(row_of_seat_key("SHARDS#e1"), None);
        let taken = vec![(3, SeatState::Held), (4, SeatState::Sold), (9, SeatState::Blocked)];
        assert_eq!(spell_taken(&taken), "3:h,4:s,9:b");
        assert_eq!(read_taken("3:h,4:s,9:b"), taken);
        assert_eq!(read_taken(""), vec![]);
    }
}
