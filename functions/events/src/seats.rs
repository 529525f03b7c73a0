//! Seat inventory, the seated half of the inventory contract (`inventory` is the
//! counted half): where an event's seat map lives, and (for the reservations
//! domain) how it is read. Nothing outside this module spells these keys.
//!
//! | item | key | what |
//! |---|---|---|
//! | a row of a map version | `SEATMAP#<eventId>` / `v<version>#<position>` | the row's section, tier, label and seats (labels, places, flags), in map order |
//!
//! A new version's rows are written first, under their own version; the event's
//! item then names the version in force, in the same transaction that changes the
//! tiers' capacities. A reader reads the version the event names, so a map is never
//! seen half-written, and a failed write leaves only rows nobody reads (the next
//! write of that version clears them first).

use seating::map::{Row, Seat, SeatMap, Section};
use serde::{Deserialize, Serialize};
use shared::dynamo::{self, Failure, Item, string};

/// Partition of an event's seat-map rows (every version's).
pub fn seat_map_pk(event_id: &str) -> String {
    format!("SEATMAP#{event_id}")
}

/// What every row of a version's sort key starts with.
pub fn version_prefix(version: u32) -> String {
    format!("v{version:06}#")
}

/// A row's sort key: its version, then its place in the map.
pub fn row_sk(version: u32, position: usize) -> String {
    format!("{}{position:05}", version_prefix(version))
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
}

/// The items of a map version, one per row.
pub fn row_items(event_id: &str, version: u32, map: &SeatMap) -> Result<Vec<Item>, Failure> {
    let mut items = Vec::new();
    for section in &map.sections {
        for row in &section.rows {
            let item = RowItem {
                pk: seat_map_pk(event_id),
                sk: row_sk(version, items.len()),
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
    let mut keys = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .query()
            .table_name(table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :v)")
            .expression_attribute_values(":pk", string(seat_map_pk(event_id)))
            .expression_attribute_values(":v", string(version_prefix(version)))
            .projection_expression("pk, sk")
            .consistent_read(true)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        keys.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(keys);
        }
    }
}

/// A version of an event's map, rows in map order (`None`: no such rows).
pub async fn read_map(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
    version: u32,
) -> Result<Option<SeatMap>, Failure> {
    let mut sections: Vec<Section> = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .query()
            .table_name(table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :v)")
            .expression_attribute_values(":pk", string(seat_map_pk(event_id)))
            .expression_attribute_values(":v", string(version_prefix(version)))
            .consistent_read(true)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        for item in out.items.unwrap_or_default() {
            let row: RowItem = serde_dynamo::from_item(item).map_err(dynamo::failure)?;
            let seats: Vec<Seat> = serde_json::from_str(&row.seats).map_err(dynamo::failure)?;
            let row_of = Row { number: row.row, label: row.label, seats };
            match sections.last_mut() {
                Some(section) if section.number == row.section => section.rows.push(row_of),
                _ => sections.push(Section {
                    number: row.section,
                    name: row.section_name,
                    tier_id: row.tier_id,
                    rows: vec![row_of],
                }),
            }
        }
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok((!sections.is_empty()).then_some(SeatMap { sections }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_sort_by_version_then_place() {
        assert_eq!(row_sk(3, 12), "v000003#00012");
        assert!(row_sk(3, 99_999) < version_prefix(4));
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
        assert_eq!(items[0]["sk"], string("v000003#00000"));
        let row: RowItem = serde_dynamo::from_item(items[0].clone()).unwrap();
        assert_eq!(row.seats, r#"[{"number":1,"label":"1","x":1.5,"y":2.0,"accessible":true}]"#);
    }
}
