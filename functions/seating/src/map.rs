//! A venue's seat map: sections, each priced by one tier, of rows of seats in the
//! order they stand (adjacent in the list means side by side), each with its place
//! on the drawing.
//!
//! Seats have numbers that never change once given: a seat's id is
//! `<section>-<row>-<seat>` (e.g. `3-12-7`). An edit names seats by their labels
//! (section name, row label, seat label), and a seat the map had keeps its number;
//! new ones get the next free numbers. So ids stay valid across edits, and what was
//! held or sold stays attached to the same seat.
//!
//! Edits: while the event is a draft the map may change freely, except that a seat
//! someone blocked cannot silently disappear (the store checks). Once published,
//! an edit only adds seats: every seat the map had must still be there, in the
//! same section and tier (so a sold seat can never be removed or repriced).

use crate::Problem;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The most seats an event's map may have (a 40,000-seat stadium fits with room).
pub const MAX_SEATS: usize = 60_000;
/// The most sections a map may have.
pub const MAX_SECTIONS: usize = 500;
/// The most rows a section may have.
pub const MAX_ROWS: usize = 300;
/// The most seats one row may have.
pub const MAX_ROW_SEATS: usize = 300;
/// The longest section name.
pub const MAX_SECTION_NAME: usize = 60;
/// The longest row or seat label ("AA", "101", "12A").
pub const MAX_LABEL: usize = 8;
/// Coordinates are in the drawing's units, 0 to this.
pub const MAX_COORDINATE: f64 = 100_000.0;

/// A seat map as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatMap {
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub number: u32,
    pub name: String,
    pub tier_id: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub number: u32,
    pub label: String,
    pub seats: Vec<Seat>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seat {
    pub number: u32,
    pub label: String,
    pub x: f64,
    pub y: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accessible: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted_view: bool,
}

/// A seat's id: its section's, row's and own number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeatId {
    pub section: u32,
    pub row: u32,
    pub seat: u32,
}

impl SeatId {
    /// The row this seat is in, as `<section>-<row>`.
    pub fn row_key(&self) -> String {
        format!("{}-{}", self.section, self.row)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('-').map(|p| {
            // Canonical numbers only: "03" is not "3".
            if p.is_empty() || (p.len() > 1 && p.starts_with('0')) { None } else { p.parse::<u32>().ok() }
        });
        let id = Self { section: parts.next()??, row: parts.next()??, seat: parts.next()?? };
        (parts.next().is_none() && id.section > 0 && id.row > 0 && id.seat > 0).then_some(id)
    }
}

impl std::fmt::Display for SeatId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}-{}", self.section, self.row, self.seat)
    }
}

/// A seat with where it is, as tickets, emails and the map name it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatPlace<'a> {
    pub id: SeatId,
    pub section: &'a Section,
    pub row: &'a Row,
    pub seat: &'a Seat,
}

impl SeatPlace<'_> {
    /// "Nord, row C, seat 12".
    pub fn describe(&self) -> String {
        format!("{}, row {}, seat {}", self.section.name, self.row.label, self.seat.label)
    }
}

impl SeatMap {
    pub fn seat_count(&self) -> usize {
        self.sections.iter().flat_map(|s| &s.rows).map(|r| r.seats.len()).sum()
    }

    /// Seats per tier.
    pub fn seats_per_tier(&self) -> BTreeMap<&str, u32> {
        let mut counts = BTreeMap::new();
        for section in &self.sections {
            *counts.entry(section.tier_id.as_str()).or_default() +=
                section.rows.iter().map(|r| r.seats.len() as u32).sum::<u32>();
        }
        counts
    }

    /// Every seat, in map order.
    pub fn places(&self) -> impl Iterator<Item = SeatPlace<'_>> {
        self.sections.iter().flat_map(|section| {
            section.rows.iter().flat_map(move |row| {
                row.seats.iter().map(move |seat| SeatPlace {
                    id: SeatId { section: section.number, row: row.number, seat: seat.number },
                    section,
                    row,
                    seat,
                })
            })
        })
    }

    pub fn find(&self, id: SeatId) -> Option<SeatPlace<'_>> {
        let section = self.sections.iter().find(|s| s.number == id.section)?;
        let row = section.rows.iter().find(|r| r.number == id.row)?;
        let seat = row.seats.iter().find(|s| s.number == id.seat)?;
        Some(SeatPlace { id, section, row, seat })
    }
}

/// A map as an organizer sends it (no numbers: seats are named by their labels).
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSpec {
    pub name: String,
    pub tier_id: String,
    pub rows: Vec<RowSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowSpec {
    pub label: String,
    pub seats: Vec<SeatSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeatSpec {
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub accessible: bool,
    pub restricted_view: bool,
}

/// Reads `{"sections": [{"name", "tierId", "rows": [{"label", "seats": [{"label",
/// "x", "y", "accessible"?, "restrictedView"?}]}]}]}`, naming every bad field.
pub fn parse(body: &Map<String, Value>) -> Result<Vec<SectionSpec>, Vec<Problem>> {
    let mut problems = Vec::new();
    unknown_fields(body, &["sections"], "", &mut problems);
    let Some(sections) = body.get("sections") else {
        return Err(vec![Problem::new("sections", "is required")]);
    };
    let Some(sections) = sections.as_array() else {
        return Err(vec![Problem::new("sections", "must be a list of sections")]);
    };
    if sections.len() > MAX_SECTIONS {
        return Err(vec![Problem::new("sections", format!("a map has at most {MAX_SECTIONS} sections"))]);
    }
    let total: usize = sections
        .iter()
        .filter_map(|s| s.get("rows")?.as_array())
        .flatten()
        .filter_map(|r| r.get("seats")?.as_array().map(Vec::len))
        .sum();
    if total > MAX_SEATS {
        return Err(vec![Problem::new("sections", format!("a map has at most {MAX_SEATS} seats ({total} given)"))]);
    }
    let mut specs = Vec::new();
    for (i, section) in sections.iter().enumerate() {
        let at = format!("sections[{i}]");
        let Some(section) = object(section, &at, &mut problems) else { continue };
        unknown_fields(section, &["name", "tierId", "rows"], &at, &mut problems);
        let name = text(section.get("name"), &format!("{at}.name"), MAX_SECTION_NAME, &mut problems);
        let tier_id = text(section.get("tierId"), &format!("{at}.tierId"), 64, &mut problems);
        let rows = list(section.get("rows"), &format!("{at}.rows"), MAX_ROWS, &mut problems);
        let mut row_specs = Vec::new();
        for (j, row) in rows.iter().enumerate() {
            let at = format!("{at}.rows[{j}]");
            let Some(row) = object(row, &at, &mut problems) else { continue };
            unknown_fields(row, &["label", "seats"], &at, &mut problems);
            let label = label_of(row.get("label"), &format!("{at}.label"), &mut problems);
            let seats = list(row.get("seats"), &format!("{at}.seats"), MAX_ROW_SEATS, &mut problems);
            let mut seat_specs = Vec::new();
            for (k, seat) in seats.iter().enumerate() {
                let at = format!("{at}.seats[{k}]");
                let Some(seat) = object(seat, &at, &mut problems) else { continue };
                unknown_fields(seat, &["label", "x", "y", "accessible", "restrictedView"], &at, &mut problems);
                let label = label_of(seat.get("label"), &format!("{at}.label"), &mut problems);
                let x = coordinate(seat.get("x"), &format!("{at}.x"), &mut problems);
                let y = coordinate(seat.get("y"), &format!("{at}.y"), &mut problems);
                let accessible = flag(seat.get("accessible"), &format!("{at}.accessible"), &mut problems);
                let restricted_view = flag(seat.get("restrictedView"), &format!("{at}.restrictedView"), &mut problems);
                if let (Some(label), Some(x), Some(y)) = (label, x, y) {
                    seat_specs.push(SeatSpec { label, x, y, accessible, restricted_view });
                }
            }
            if let Some(label) = label {
                row_specs.push(RowSpec { label, seats: seat_specs });
            }
        }
        if let (Some(name), Some(tier_id)) = (name, tier_id) {
            specs.push(SectionSpec { name, tier_id, rows: row_specs });
        }
    }
    if problems.is_empty() { Ok(specs) } else { Err(problems) }
}

/// What is wrong with a map whatever came before: no sections, empty sections or
/// rows, the same section, row or seat twice, a tier the event does not have.
/// `tiers`: the event's tier ids.
pub fn validate(specs: &[SectionSpec], tiers: &[&str]) -> Vec<Problem> {
    let mut problems = Vec::new();
    if specs.is_empty() {
        problems.push(Problem::new("sections", "a map needs at least one section"));
    }
    let mut names = HashSet::new();
    for (i, section) in specs.iter().enumerate() {
        let at = format!("sections[{i}]");
        if !names.insert(section.name.to_lowercase()) {
            problems.push(Problem::new(format!("{at}.name"), format!("'{}' is already a section", section.name)));
        }
        if !tiers.contains(&section.tier_id.as_str()) {
            problems.push(Problem::new(format!("{at}.tierId"), "is not a tier of this event"));
        }
        if section.rows.is_empty() {
            problems.push(Problem::new(format!("{at}.rows"), "a section needs at least one row"));
        }
        let mut rows = HashSet::new();
        for (j, row) in section.rows.iter().enumerate() {
            let at = format!("{at}.rows[{j}]");
            if !rows.insert(row.label.to_uppercase()) {
                problems
                    .push(Problem::new(format!("{at}.label"), format!("row {} is already in this section", row.label)));
            }
            if row.seats.is_empty() {
                problems.push(Problem::new(format!("{at}.seats"), "a row needs at least one seat"));
            }
            let mut seats = HashSet::new();
            for (k, seat) in row.seats.iter().enumerate() {
                if !seats.insert(seat.label.to_uppercase()) {
                    problems.push(Problem::new(
                        format!("{at}.seats[{k}].label"),
                        format!("seat {} is already in this row", seat.label),
                    ));
                }
            }
        }
    }
    problems
}

/// The map `specs` describe, numbered against `previous` (seats it had keep their
/// numbers). With `only_additions` (a published event), every seat of `previous`
/// must still be there in the same section, and its section priced by the same
/// tier. Returns the map and the ids of the seats `previous` had that it lacks.
pub fn renumber(
    previous: Option<&SeatMap>,
    specs: &[SectionSpec],
    only_additions: bool,
) -> Result<(SeatMap, Vec<SeatId>), Vec<Problem>> {
    let empty = SeatMap { sections: Vec::new() };
    let previous = previous.unwrap_or(&empty);
    let old_sections: HashMap<String, &Section> =
        previous.sections.iter().map(|s| (s.name.to_lowercase(), s)).collect();
    let mut next_section = previous.sections.iter().map(|s| s.number).max().unwrap_or(0);
    let mut problems = Vec::new();
    let mut sections = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let old = old_sections.get(&spec.name.to_lowercase()).copied();
        if old.is_some_and(|o| only_additions && o.tier_id != spec.tier_id) {
            problems.push(Problem::new(
                format!("sections[{i}].tierId"),
                "cannot change once the event is published (its seats may be sold)",
            ));
        }
        let number = match old {
            Some(old) => old.number,
            None => {
                next_section += 1;
                next_section
            }
        };
        let old_rows: HashMap<String, &Row> =
            old.map(|o| o.rows.iter().map(|r| (r.label.to_uppercase(), r)).collect()).unwrap_or_default();
        let mut next_row = old.and_then(|o| o.rows.iter().map(|r| r.number).max()).unwrap_or(0);
        let mut rows = Vec::new();
        for row_spec in &spec.rows {
            let old_row = old_rows.get(&row_spec.label.to_uppercase()).copied();
            let row_number = match old_row {
                Some(r) => r.number,
                None => {
                    next_row += 1;
                    next_row
                }
            };
            let old_seats: HashMap<String, &Seat> =
                old_row.map(|r| r.seats.iter().map(|s| (s.label.to_uppercase(), s)).collect()).unwrap_or_default();
            let mut next_seat = old_row.and_then(|r| r.seats.iter().map(|s| s.number).max()).unwrap_or(0);
            let seats = row_spec
                .seats
                .iter()
                .map(|seat| {
                    let number = match old_seats.get(&seat.label.to_uppercase()) {
                        Some(old) => old.number,
                        None => {
                            next_seat += 1;
                            next_seat
                        }
                    };
                    Seat {
                        number,
                        label: seat.label.clone(),
                        x: seat.x,
                        y: seat.y,
                        accessible: seat.accessible,
                        restricted_view: seat.restricted_view,
                    }
                })
                .collect();
            rows.push(Row { number: row_number, label: row_spec.label.clone(), seats });
        }
        sections.push(Section { number, name: spec.name.clone(), tier_id: spec.tier_id.clone(), rows });
    }
    let map = SeatMap { sections };
    let kept: HashSet<SeatId> = map.places().map(|p| p.id).collect();
    let removed: Vec<SeatId> = previous.places().map(|p| p.id).filter(|id| !kept.contains(id)).collect();
    if only_additions && !removed.is_empty() {
        let named: Vec<String> =
            removed.iter().take(5).filter_map(|id| previous.find(*id)).map(|p| p.describe()).collect();
        problems.push(Problem::new(
            "sections",
            format!(
                "once the event is published a map edit only adds seats; {} seat(s) would go, e.g. {}",
                removed.len(),
                named.join("; ")
            ),
        ));
    }
    if problems.is_empty() { Ok((map, removed)) } else { Err(problems) }
}

fn unknown_fields(object: &Map<String, Value>, known: &[&str], at: &str, problems: &mut Vec<Problem>) {
    for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
        let field = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
        problems.push(Problem::new(field, "is not a field of a seat map"));
    }
}

fn object<'a>(value: &'a Value, at: &str, problems: &mut Vec<Problem>) -> Option<&'a Map<String, Value>> {
    let object = value.as_object();
    if object.is_none() {
        problems.push(Problem::new(at, "must be an object"));
    }
    object
}

fn list<'a>(value: Option<&'a Value>, at: &str, max: usize, problems: &mut Vec<Problem>) -> &'a [Value] {
    match value {
        None => {
            problems.push(Problem::new(at, "is required"));
            &[]
        }
        Some(Value::Array(items)) if items.len() > max => {
            problems.push(Problem::new(at, format!("has at most {max} entries")));
            &[]
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push(Problem::new(at, "must be a list"));
            &[]
        }
    }
}

fn text(value: Option<&Value>, at: &str, max: usize, problems: &mut Vec<Problem>) -> Option<String> {
    match value.and_then(Value::as_str).map(str::trim) {
        Some(t) if !t.is_empty() && t.chars().count() <= max && !t.chars().any(char::is_control) => Some(t.to_owned()),
        Some(_) => {
            problems.push(Problem::new(at, format!("must be 1 to {max} printable characters")));
            None
        }
        None => {
            problems.push(Problem::new(at, "is required (text)"));
            None
        }
    }
}

/// A row or seat label: 1 to 8 letters, digits or '-' (numbers are given as text or numbers).
pub fn valid_label(label: &str) -> bool {
    !label.is_empty() && label.len() <= MAX_LABEL && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn label_of(value: Option<&Value>, at: &str, problems: &mut Vec<Problem>) -> Option<String> {
    let label = match value {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        None => {
            problems.push(Problem::new(at, "is required"));
            return None;
        }
        Some(_) => String::new(),
    };
    if valid_label(&label) {
        Some(label)
    } else {
        problems.push(Problem::new(at, format!("must be 1 to {MAX_LABEL} letters, digits or '-'")));
        None
    }
}

fn coordinate(value: Option<&Value>, at: &str, problems: &mut Vec<Problem>) -> Option<f64> {
    match value.and_then(Value::as_f64) {
        Some(v) if (0.0..=MAX_COORDINATE).contains(&v) => Some(v),
        _ => {
            problems.push(Problem::new(at, format!("must be a number from 0 to {MAX_COORDINATE}")));
            None
        }
    }
}

fn flag(value: Option<&Value>, at: &str, problems: &mut Vec<Problem>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            problems.push(Problem::new(at, "must be true or false"));
            false
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A small hall: `rows` rows A, B, ... of `seats` seats each, in one section.
    pub fn hall(name: &str, tier: &str, rows: usize, seats: usize) -> SectionSpec {
        SectionSpec {
            name: name.into(),
            tier_id: tier.into(),
            rows: (0..rows)
                .map(|r| RowSpec {
                    label: ((b'A' + r as u8) as char).to_string(),
                    seats: (1..=seats)
                        .map(|s| SeatSpec {
                            label: s.to_string(),
                            x: s as f64 * 10.0,
                            y: r as f64 * 10.0,
                            accessible: false,
                            restricted_view: false,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_map_parses_with_numbers_as_labels_and_optional_flags() {
        let specs = parse(&body(json!({"sections": [{"name": "Nord", "tierId": "t1", "rows": [
            {"label": "C", "seats": [{"label": 12, "x": 1, "y": 2.5, "accessible": true}, {"label": "13", "x": 2, "y": 2.5}]}
        ]}]})))
        .unwrap();
        assert_eq!(specs[0].rows[0].seats[0].label, "12");
        assert!(specs[0].rows[0].seats[0].accessible);
        assert!(!specs[0].rows[0].seats[1].restricted_view);
        assert!(validate(&specs, &["t1"]).is_empty());
    }

    #[test]
    fn bad_maps_name_their_fields() {
        let problems = parse(&body(json!({"sections": [{"name": "", "tierId": "t1", "colour": "red", "rows": [
            {"label": "too long a label", "seats": [{"label": "1", "x": -1, "y": "2"}, 7]}
        ]}]})))
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        for field in [
            "sections[0].colour",
            "sections[0].name",
            "sections[0].rows[0].label",
            "sections[0].rows[0].seats[0].x",
            "sections[0].rows[0].seats[0].y",
            "sections[0].rows[0].seats[1]",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        assert_eq!(parse(&body(json!({}))).unwrap_err()[0].field, "sections");
    }

    #[test]
    fn duplicates_empty_parts_and_unknown_tiers_are_refused() {
        let mut twice = hall("Nord", "t1", 2, 3);
        twice.rows[1].label = "a".into();
        twice.rows[0].seats[2].label = "1".into();
        let empty_row =
            SectionSpec { rows: vec![RowSpec { label: "A".into(), seats: vec![] }], ..hall("Sud", "t9", 1, 1) };
        let empty_section = SectionSpec { rows: vec![], ..hall("nord", "t1", 1, 1) };
        let problems = validate(&[twice, empty_row, empty_section], &["t1"]);
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "sections[0].rows[0].seats[2].label",
                "sections[0].rows[1].label",
                "sections[1].tierId",
                "sections[1].rows[0].seats",
                "sections[2].name",
                "sections[2].rows",
            ]
        );
        assert_eq!(validate(&[], &["t1"])[0].field, "sections");
    }

    #[test]
    fn maps_over_the_limits_are_refused_before_reading_them() {
        let rows: Vec<Value> = (0..MAX_ROWS)
            .map(|r| json!({"label": r.to_string(), "seats": vec![json!({"label": "1", "x": 0, "y": 0}); 201]}))
            .collect();
        let problems = parse(&body(json!({"sections": [{"name": "A", "tierId": "t", "rows": rows}]}))).unwrap_err();
        assert_eq!(problems[0].field, "sections");
        assert!(problems[0].message.contains("60000"), "{problems:?}");
    }

    #[test]
    fn seats_keep_their_numbers_across_edits_and_new_ones_follow() {
        let (first, removed) = renumber(None, &[hall("Nord", "t1", 2, 3)], false).unwrap();
        assert!(removed.is_empty());
        assert_eq!(
            first.places().map(|p| p.id.to_string()).collect::<Vec<_>>(),
            ["1-1-1", "1-1-2", "1-1-3", "1-2-1", "1-2-2", "1-2-3"]
        );
        // Published: a new section first, a seat added to row A, row B unchanged.
        let mut nord = hall("Nord", "t1", 2, 4);
        nord.rows[0].seats.reverse();
        let (second, removed) = renumber(Some(&first), &[hall("Sud", "t2", 1, 2), nord], true).unwrap();
        assert!(removed.is_empty());
        let ids: Vec<String> = second.places().map(|p| p.id.to_string()).collect();
        assert_eq!(ids, ["2-1-1", "2-1-2", "1-1-4", "1-1-3", "1-1-2", "1-1-1", "1-2-1", "1-2-2", "1-2-3", "1-2-4"]);
        assert_eq!(second.find(SeatId::parse("1-1-4").unwrap()).unwrap().describe(), "Nord, row A, seat 4");
        assert_eq!(second.seats_per_tier(), BTreeMap::from([("t1", 8), ("t2", 2)]));
    }

    #[test]
    fn once_published_an_edit_cannot_remove_or_reprice_a_seat() {
        let (first, _) = renumber(None, &[hall("Nord", "t1", 2, 3)], false).unwrap();
        let problems = renumber(Some(&first), &[hall("Nord", "t1", 1, 3)], true).unwrap_err();
        assert!(problems[0].message.contains("3 seat(s) would go, e.g. Nord, row B, seat 1"), "{problems:?}");
        let problems = renumber(Some(&first), &[hall("Nord", "t2", 2, 3)], true).unwrap_err();
        assert_eq!(problems[0].field, "sections[0].tierId");
        // A draft may drop seats: the caller learns which.
        let (_, removed) = renumber(Some(&first), &[hall("Nord", "t1", 1, 2)], false).unwrap();
        assert_eq!(removed.iter().map(ToString::to_string).collect::<Vec<_>>(), ["1-1-3", "1-2-1", "1-2-2", "1-2-3"]);
    }

    #[test]
    fn seat_ids_are_canonical() {
        assert_eq!(SeatId::parse("3-12-7"), Some(SeatId { section: 3, row: 12, seat: 7 }));
        for bad in ["", "3-12", "3-12-7-1", "03-1-1", "0-1-1", "a-1-1", "3--7", "-1-1-1"] {
            assert_eq!(SeatId::parse(bad), None, "{bad}");
        }
        assert_eq!(SeatId { section: 3, row: 12, seat: 7 }.row_key(), "3-12");
    }
}
