//! Seats an organizer takes off sale (house seats, a camera position, a broken
//! seat) and gives back: `{"block": [ids], "unblock": [ids]}`.
//!
//! A blocked seat is taken like a sold one: no pick, no best-available, and its
//! tier's counted seats are one fewer, so `sold_out` and `remaining` stay exact.
//! Only a published event's seats are blocked: its map only grows from then on, so
//! no later edit can drop a blocked seat (a draft's map may still be replaced).

use crate::domain::event::{Event, Status};
use seating::map::SeatId;
use shared::FieldError;
use shared::body::Fields;
use std::collections::BTreeMap;

/// Most seats one request blocks and unblocks together (one transaction: a write
/// per seat and per shard it takes from or gives to).
pub const MAX_SEATS_PER_CHANGE: usize = 25;

/// What an organizer asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRequest {
    pub block: Vec<SeatId>,
    pub unblock: Vec<SeatId>,
}

impl BlockRequest {
    /// Every seat named, blocked first.
    pub fn seats(&self) -> Vec<SeatId> {
        self.block.iter().chain(&self.unblock).copied().collect()
    }
}

/// Reads `{block, unblock}`: lists of seat ids, 1 to 25 in all, none named twice.
pub fn read(mut fields: Fields) -> Result<BlockRequest, shared::ApiError> {
    let mut seen: Vec<SeatId> = Vec::new();
    let mut lists = [Vec::new(), Vec::new()];
    for (which, name) in ["block", "unblock"].into_iter().enumerate() {
        let Some(value) = fields.optional_value(name) else { continue };
        let Some(items) = value.as_array() else {
            fields.error(name, "must be a list of seat ids such as \"3-12-7\"");
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            match item.as_str().and_then(SeatId::parse) {
                Some(id) if seen.contains(&id) => fields.error(&format!("{name}[{i}]"), "names a seat already given"),
                Some(id) => {
                    seen.push(id);
                    lists[which].push(id);
                }
                None => fields.error(&format!("{name}[{i}]"), "must be a seat id such as \"3-12-7\""),
            }
        }
    }
    if seen.is_empty() || seen.len() > MAX_SEATS_PER_CHANGE {
        fields.error("block", format!("block and unblock name 1 to {MAX_SEATS_PER_CHANGE} seats in all"));
    }
    let [block, unblock] = lists;
    fields.finish_with(|| Some(BlockRequest { block, unblock }))
}

/// Why seats cannot be blocked or unblocked now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockRefusal {
    /// A draft (its map may still change), a cancelled or a past event.
    NotPublished,
    /// The event has no seat map.
    NoMap,
    /// Seats the map does not have, with their field paths.
    Unknown(Vec<FieldError>),
}

/// Whether the event's seats may be blocked: published, with a map.
pub fn may_block(event: &Event) -> Result<(), BlockRefusal> {
    if event.status != Status::Published {
        return Err(BlockRefusal::NotPublished);
    }
    if event.seat_map.is_none() {
        return Err(BlockRefusal::NoMap);
    }
    Ok(())
}

/// The field path of each seat the map lacks (`block[2]`, `unblock[0]`).
pub fn unknown_seats(request: &BlockRequest, missing: &[SeatId]) -> Result<(), BlockRefusal> {
    let mut problems = Vec::new();
    for (name, list) in [("block", &request.block), ("unblock", &request.unblock)] {
        for (i, id) in list.iter().enumerate() {
            if missing.contains(id) {
                problems
                    .push(FieldError::new(format!("{name}[{i}]"), format!("{id} is not a seat of this event's map")));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(BlockRefusal::Unknown(problems)) }
}

/// How many counted seats each tier gives up (positive: more blocked than
/// unblocked) or gets back (negative), by tier id.
pub fn counted_change(request: &BlockRequest, tier_of: impl Fn(SeatId) -> Option<String>) -> BTreeMap<String, i64> {
    let mut change: BTreeMap<String, i64> = BTreeMap::new();
    for (list, sign) in [(&request.block, 1), (&request.unblock, -1)] {
        for id in list {
            if let Some(tier) = tier_of(*id) {
                *change.entry(tier).or_default() += sign;
            }
        }
    }
    change.retain(|_, n| *n != 0);
    change
}

/// Which shards give up `n` counted seats, as the holds' rebalancing takes them
/// (`shards::take_evenly`: from the fullest, leaving the shards even), as
/// (shard, seats) for the shards that give any, the most first. `None` if they hold
/// fewer than `n`.
pub fn take_from_shards(available: &[u32], n: u32) -> Option<Vec<(usize, u32)>> {
    let take = crate::domain::shards::take_evenly(available, n)?;
    let mut takes: Vec<(usize, u32)> = take.into_iter().enumerate().filter(|(_, seats)| *seats > 0).collect();
    takes.sort_by_key(|&(_, seats)| std::cmp::Reverse(seats));
    Some(takes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_body(text: &str) -> Result<BlockRequest, shared::ApiError> {
        read(Fields::new(serde_json::from_str(text).unwrap()))
    }

    fn id(text: &str) -> SeatId {
        SeatId::parse(text).unwrap()
    }

    #[test]
    fn a_request_names_each_seat_once_and_each_problem_by_its_field() {
        let ok = read_body(r#"{"block": ["1-1-1", "1-1-2"], "unblock": ["2-1-1"]}"#).unwrap();
        assert_eq!(ok.block, [id("1-1-1"), id("1-1-2")]);
        assert_eq!(ok.seats(), [id("1-1-1"), id("1-1-2"), id("2-1-1")]);
        assert_eq!(read_body(r#"{"unblock": ["2-1-1"]}"#).unwrap().block, []);
        let fields =
            |text: &str| -> Vec<String> { read_body(text).unwrap_err().fields.into_iter().map(|f| f.field).collect() };
        assert_eq!(fields(r#"{"block": ["1-1-1", "x"], "unblock": ["1-1-1"]}"#), ["block[1]", "unblock[0]"]);
        assert_eq!(fields(r#"{"block": "1-1-1"}"#), ["block", "block"]);
        assert_eq!(fields(r#"{}"#), ["block"]);
        let many: Vec<String> = (1..=26).map(|n| format!("\"1-1-{n}\"")).collect();
        assert_eq!(fields(&format!(r#"{{"block": [{}]}}"#, many.join(","))), ["block"]);
        assert_eq!(fields(r#"{"block": ["1-1-1"], "other": 1}"#), ["other"]);
    }

    #[test]
    fn unknown_seats_are_named_where_they_were_given() {
        let request = BlockRequest { block: vec![id("1-1-1"), id("9-9-9")], unblock: vec![id("8-8-8")] };
        let Err(BlockRefusal::Unknown(problems)) = unknown_seats(&request, &[id("9-9-9"), id("8-8-8")]) else {
            panic!()
        };
        assert_eq!(problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["block[1]", "unblock[0]"]);
        assert_eq!(unknown_seats(&request, &[]), Ok(()));
    }

    #[test]
    fn each_tier_gives_up_or_gets_back_its_net_seats() {
        let request = BlockRequest {
            block: vec![id("1-1-1"), id("1-1-2"), id("2-1-1")],
            unblock: vec![id("1-1-3"), id("3-1-1")],
        };
        let tier_of = |id: SeatId| Some(format!("t{}", id.section));
        let change = counted_change(&request, tier_of);
        assert_eq!(change, BTreeMap::from([("t1".into(), 1), ("t2".into(), 1), ("t3".into(), -1)]));
        let even = BlockRequest { block: vec![id("1-1-1")], unblock: vec![id("1-1-2")] };
        assert!(counted_change(&even, tier_of).is_empty(), "one blocked, one freed: the count stands");
    }

    #[test]
    fn shards_give_up_seats_fullest_first() {
        assert_eq!(take_from_shards(&[2, 5, 1], 3), Some(vec![(1, 3)]));
        assert_eq!(take_from_shards(&[2, 5, 1], 7), Some(vec![(1, 5), (0, 2)]));
        assert_eq!(take_from_shards(&[2, 5, 1], 9), None);
        assert_eq!(take_from_shards(&[0, 0], 0), Some(vec![]));
    }
}
