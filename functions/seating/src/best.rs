//! Best available: which seats to offer a buyer who asks for `k` seats of a tier.
//!
//! - Together first: `k` adjacent free seats in one row whenever any row has them.
//! - No single-seat gaps where it can be helped: a placement that leaves one free
//!   seat stranded beside it (nobody buys one seat between two strangers) loses to
//!   one that leaves none.
//! - The better rows first (the map lists rows best first), the middle of a row
//!   before its ends.
//! - Spread under a rush: thousands of buyers asking at once would all want the same
//!   best pair, and all but one would lose the race for it, the more so as each
//!   picks from states a second or two old. So the pick is drawn among the best
//!   `spread` placements, `spread` growing with the rate at which seats are being
//!   taken ([`spread`]): wide enough that buyers picking from the same view rarely
//!   meet, so a rush trades a little of each seat's rank for not losing races. A
//!   buyer who lost a race picks again without the seats they lost, from four times
//!   as many placements. (`make simulate-onsale` measures this on a 40,000-seat
//!   stadium; drawing among a fixed few rows collapsed there.)
//! - Only when no row has `k` together, the seats come from the fewest rows.
//!
//! Rows are given in preference order, each with its seats in the order they stand.

use crate::map::{SeatId, SeatMap};
use rand::Rng;

/// Best available on an event's map: `k` seats of tier `tier_id`, its rows in map
/// order, `taken(id)` saying which seats are not free. `Err(free)`: the tier has
/// only `free` seats left.
pub fn for_tier(
    map: &SeatMap,
    tier_id: &str,
    k: usize,
    taken: impl Fn(SeatId) -> bool,
    spread: usize,
    rng: &mut impl Rng,
) -> Result<Pick<(u32, u32)>, usize> {
    let rows: Vec<RowSeats<(u32, u32)>> = map
        .sections
        .iter()
        .filter(|section| section.tier_id == tier_id)
        .flat_map(|section| {
            section.rows.iter().map(|row| RowSeats {
                row: (section.number, row.number),
                seats: row
                    .seats
                    .iter()
                    .map(|seat| {
                        (seat.number, !taken(SeatId { section: section.number, row: row.number, seat: seat.number }))
                    })
                    .collect(),
            })
        })
        .collect();
    pick(&rows, k, spread, rng).ok_or_else(|| rows.iter().flat_map(|r| &r.seats).filter(|(_, free)| *free).count())
}

impl Pick<(u32, u32)> {
    /// The picked seats' ids.
    pub fn ids(&self) -> Vec<SeatId> {
        self.seats.iter().map(|&((section, row), seat)| SeatId { section, row, seat }).collect()
    }
}

/// A row's seats as best-available sees them: (seat number, free), side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct RowSeats<R> {
    pub row: R,
    pub seats: Vec<(u32, bool)>,
}

/// The seats picked: (row, seat number), and whether they sit together.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick<R> {
    pub seats: Vec<(R, u32)>,
    pub together: bool,
}

/// How long a pick's view of the seats may be behind them: the rows' states follow
/// the table's stream (about a second) and an instance keeps them for a second.
pub const VIEW_AGE_SECONDS: f64 = 2.0;

/// Placements per hold expected within a view's age: drawing among that many makes
/// a meeting of two buyers who see the same free seats unlikely.
const ROOM_PER_HOLD: f64 = 3.0;

/// Among how many of the best placements a pick is drawn, `holds_per_second` being
/// the rate at which the tier's seats are being taken (in groups of this size), and
/// `lost` how many races this request has lost already (each one four times wider).
pub fn spread(holds_per_second: f64, lost: u32) -> usize {
    let base = (holds_per_second.max(0.0) * VIEW_AGE_SECONDS * ROOM_PER_HOLD).ceil().max(1.0) as usize;
    base.saturating_mul(1 << (2 * lost.min(8))).min(1 << 20)
}

/// `k` seats from `rows`, drawn among the `spread` best placements of `k` together
/// (fewest stranded single seats, then better rows, then nearer the middle); apart
/// only when no row has `k` together; `None` if they have fewer than `k` free seats.
pub fn pick<R: Clone>(rows: &[RowSeats<R>], k: usize, spread: usize, rng: &mut impl Rng) -> Option<Pick<R>> {
    if k == 0 {
        return None;
    }
    let Some(fewest) = rows.iter().filter_map(|row| best_in_row(&row.seats, k).map(|(gaps, _)| gaps)).min() else {
        return apart(rows, k);
    };
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    'rows: for (r, row) in rows.iter().enumerate() {
        for start in placements(&row.seats, k, fewest) {
            candidates.push((r, start));
            if candidates.len() >= spread.max(1) {
                break 'rows;
            }
        }
    }
    let (r, start) = candidates[rng.gen_range(0..candidates.len())];
    let row = &rows[r];
    let seats = row.seats[start..start + k].iter().map(|(n, _)| (row.row.clone(), *n)).collect();
    Some(Pick { seats, together: true })
}

/// A row's starts of `k` adjacent free seats stranding `gaps` single seats, the
/// nearest the middle first.
fn placements(seats: &[(u32, bool)], k: usize, gaps: usize) -> Vec<usize> {
    let middle = seats.len() as f64 / 2.0;
    let mut found: Vec<(f64, usize)> = Vec::new();
    for (run_start, run_len) in runs(seats) {
        if run_len < k {
            continue;
        }
        for offset in 0..=run_len - k {
            let stranded = usize::from(offset == 1) + usize::from(run_len - k - offset == 1);
            if stranded == gaps {
                let start = run_start + offset;
                found.push(((start as f64 + k as f64 / 2.0 - middle).abs(), start));
            }
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, start)| start).collect()
}

/// The best start of `k` adjacent free seats in a row: fewest stranded singles,
/// then nearest the middle.
fn best_in_row(seats: &[(u32, bool)], k: usize) -> Option<(usize, usize)> {
    let middle = seats.len() as f64 / 2.0;
    let mut best: Option<(usize, f64, usize)> = None;
    for (run_start, run_len) in runs(seats) {
        if run_len < k {
            continue;
        }
        for offset in 0..=run_len - k {
            let left = offset;
            let right = run_len - k - offset;
            let gaps = usize::from(left == 1) + usize::from(right == 1);
            let start = run_start + offset;
            let distance = (start as f64 + k as f64 / 2.0 - middle).abs();
            if best.is_none_or(|(g, d, _)| (gaps, distance) < (g, d)) {
                best = Some((gaps, distance, start));
            }
        }
    }
    best.map(|(gaps, _, start)| (gaps, start))
}

/// Runs of adjacent free seats: (start, length).
fn runs(seats: &[(u32, bool)]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, (_, free)) in seats.iter().enumerate() {
        match (free, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i - s));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, seats.len() - s));
    }
    runs
}

/// No row has `k` together: the longest runs first (the fewest groups), the better
/// rows breaking ties.
fn apart<R: Clone>(rows: &[RowSeats<R>], k: usize) -> Option<Pick<R>> {
    let mut all: Vec<(usize, usize, usize)> = rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| runs(&row.seats).into_iter().map(move |(start, len)| (r, start, len)))
        .collect();
    if all.iter().map(|(_, _, len)| len).sum::<usize>() < k {
        return None;
    }
    all.sort_by_key(|&(r, start, len)| (std::cmp::Reverse(len), r, start));
    let mut seats = Vec::with_capacity(k);
    for (r, start, len) in all {
        let row = &rows[r];
        for (n, _) in &row.seats[start..start + len.min(k - seats.len())] {
            seats.push((row.row.clone(), *n));
        }
        if seats.len() == k {
            break;
        }
    }
    Some(Pick { seats, together: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// A row from a picture: 'o' free, 'x' taken; seats numbered 1, 2, ...
    fn row(name: &'static str, picture: &str) -> RowSeats<&'static str> {
        RowSeats { row: name, seats: picture.chars().enumerate().map(|(i, c)| (i as u32 + 1, c == 'o')).collect() }
    }

    #[test]
    fn a_tier_is_picked_from_its_own_sections_around_what_is_taken() {
        use crate::map::{Row, Seat, Section};
        let seat = |n: u32| Seat {
            number: n,
            label: n.to_string(),
            x: f64::from(n),
            y: 0.0,
            accessible: false,
            restricted_view: false,
        };
        let row = |n: u32, seats: u32| Row { number: n, label: n.to_string(), seats: (1..=seats).map(seat).collect() };
        let section = |n: u32, tier: &str, rows: Vec<Row>| Section {
            number: n,
            name: format!("S{n}"),
            tier_id: tier.into(),
            rows,
        };
        let map = SeatMap {
            sections: vec![section(1, "vip", vec![row(1, 4)]), section(2, "std", vec![row(1, 6), row(2, 6)])],
        };
        let mut rng = StdRng::seed_from_u64(3);
        // Row 1 of section 2 has seats 3 and 4 taken: 1-2 and 5-6 are pairs but
        // neither strands a single, and row 2 is whole: the pair sits in a row of std.
        let taken = |id: SeatId| id.section == 2 && id.row == 1 && (3..=4).contains(&id.seat);
        for _ in 0..20 {
            let pick = for_tier(&map, "std", 2, taken, 4, &mut rng).unwrap();
            assert!(pick.together);
            assert!(pick.ids().iter().all(|id| id.section == 2 && !taken(*id)), "{pick:?}");
        }
        // Four together fit only in row 2, at one of its ends (the middle would strand
        // a single seat either side); eleven do not fit at all: 10 are free.
        let four: Vec<(u32, u32)> =
            for_tier(&map, "std", 4, taken, 1, &mut rng).unwrap().ids().iter().map(|id| (id.row, id.seat)).collect();
        assert!(four == [(2, 1), (2, 2), (2, 3), (2, 4)] || four == [(2, 3), (2, 4), (2, 5), (2, 6)], "{four:?}");
        assert_eq!(for_tier(&map, "std", 11, taken, 1, &mut rng).unwrap_err(), 10);
        assert_eq!(for_tier(&map, "vip", 5, |_| false, 1, &mut rng).unwrap_err(), 4);
        assert_eq!(for_tier(&map, "none", 1, |_| false, 1, &mut rng).unwrap_err(), 0);
    }

    fn numbers(pick: &Pick<&str>) -> Vec<u32> {
        pick.seats.iter().map(|(_, n)| *n).collect()
    }

    #[test]
    fn a_pair_sits_in_the_middle_of_an_empty_row() {
        let pick = pick(&[row("A", "oooooooo")], 2, 1, &mut StdRng::seed_from_u64(1)).unwrap();
        assert_eq!(numbers(&pick), [4, 5]);
        assert!(pick.together);
    }

    #[test]
    fn no_single_seat_is_stranded_when_it_can_be_helped() {
        // Three free between taken seats: a pair against either end leaves one; the
        // row's other run of two takes the pair cleanly.
        let pick = pick(&[row("A", "xoooxoox")], 2, 1, &mut StdRng::seed_from_u64(1)).unwrap();
        assert_eq!(numbers(&pick), [6, 7]);
        // Four free: the pair goes against an end (leaving two), not the middle.
        let pick = super::pick(&[row("A", "xoooox")], 2, 1, &mut StdRng::seed_from_u64(1)).unwrap();
        assert!(numbers(&pick) == [2, 3] || numbers(&pick) == [4, 5], "{pick:?}");
    }

    #[test]
    fn together_beats_a_better_row() {
        let rows = [row("A", "oxoxoxox"), row("B", "xxxxxoox")];
        let pick = pick(&rows, 2, 1, &mut StdRng::seed_from_u64(1)).unwrap();
        assert_eq!(pick.seats, [("B", 6), ("B", 7)]);
    }

    #[test]
    fn the_pick_is_drawn_among_the_spread_best_placements_only() {
        let rows: Vec<_> = ["A", "B", "C", "D", "E", "F"].into_iter().map(|r| row(r, "oooooo")).collect();
        let mut rng = StdRng::seed_from_u64(7);
        let firsts = |spread: usize, rng: &mut StdRng| -> std::collections::BTreeSet<(&str, u32)> {
            (0..300).map(|_| pick(&rows, 2, spread, rng).unwrap().seats[0]).collect()
        };
        // A row of six takes a pair cleanly at 3-4, 1-2 or 5-6 (2-3 and 4-5 would
        // strand a seat): the best is the middle of row A.
        assert_eq!(firsts(1, &mut rng), [("A", 3)].into_iter().collect());
        assert_eq!(firsts(4, &mut rng), [("A", 1), ("A", 3), ("A", 5), ("B", 3)].into_iter().collect());
        assert_eq!(firsts(1000, &mut rng).len(), 18, "every clean placement of the six rows");
    }

    #[test]
    fn the_spread_grows_with_the_rush_and_with_each_lost_race() {
        assert_eq!(spread(0.0, 0), 1, "alone: the best seats");
        assert_eq!(spread(1.0, 0), 6);
        assert_eq!(spread(500.0, 0), 3000, "500 holds a second, views two seconds old");
        assert_eq!(spread(0.0, 1), 4);
        assert_eq!(spread(0.0, 3), 64);
        assert_eq!(spread(1e9, 8), 1 << 20, "bounded");
    }

    #[test]
    fn apart_only_when_no_row_has_them_together() {
        let rows = [row("A", "oxoxo"), row("B", "xooxx")];
        let pick = pick(&rows, 3, 1, &mut StdRng::seed_from_u64(1)).unwrap();
        assert!(!pick.together);
        assert_eq!(pick.seats, [("B", 2), ("B", 3), ("A", 1)]);
        assert_eq!(super::pick(&rows, 6, 1, &mut StdRng::seed_from_u64(1)), None, "five free seats in all");
    }

    #[test]
    fn a_pair_is_never_split_when_a_pair_exists() {
        // Every availability of three rows of six seats.
        let mut rng = StdRng::seed_from_u64(3);
        for mask in 0u32..(1 << 18) {
            if mask % 7 != 0 {
                continue; // a spread-out sample keeps the test quick
            }
            let rows: Vec<RowSeats<usize>> = (0..3)
                .map(|r| RowSeats {
                    row: r,
                    seats: (0..6).map(|s| (s + 1, mask & (1 << (r * 6 + s as usize)) != 0)).collect(),
                })
                .collect();
            let pair_exists = rows.iter().any(|r| r.seats.windows(2).any(|w| w[0].1 && w[1].1));
            let Some(pick) = pick(&rows, 2, 1 + mask as usize % 8, &mut rng) else {
                assert!(mask.count_ones() < 2);
                continue;
            };
            let (a, b) = (&pick.seats[0], &pick.seats[1]);
            let free = |(r, n): &(usize, u32)| rows[*r].seats[*n as usize - 1].1;
            assert!(free(a) && free(b), "only free seats: {mask:b}");
            if pair_exists {
                assert!(pick.together && a.0 == b.0 && b.1 == a.1 + 1, "a pair split in {mask:018b}: {pick:?}");
            }
        }
    }
}
