//! The seated case of `make simulate-onsale`: a 40,000-seat stadium (40 blocks of 25
//! rows of 40 seats, one tier) sold by best-available to buyers of 1 to 4 seats,
//! through **the real picker** (`seating::best::pick`) against the same kind of
//! MODEL of DynamoDB as the general-admission case. One JSON line per shard count.
//!
//! What it models, beyond the general case's per-item limits and commit locks:
//! - one item per seat; a row's seats share a partition (`SEAT#<event>#<s>-<r>`),
//!   so a row takes 1,000 write units a second in all;
//! - a hold is one transaction: each seat (free, else the hold is refused naming the
//!   taken seats), one counted shard of the tier (enough seats, else another shard),
//!   and the reservation (its own table: not a constraint here);
//! - best-available picks from a **stale view**: the rows' states follow the stream
//!   (`STREAM_LAG`) and each instance keeps them up to `VIEW_CACHE`; it draws among
//!   the `seating::best::spread` best placements for the rate at which seats were
//!   being taken as of its view (what an instance measures between two reads); a
//!   buyer who lost seats picks again without them, `TRIES` times, then is answered
//!   503 and comes back after a second, up to 5 times;
//! - the shard is picked among those the model knows have enough (an optimistic
//!   stand-in for the shard planner, which the general case runs for real).
//!
//! It prints holds and seats per second while seats lasted, latency, how often a pick
//! lost a race, and the checks: seats sold twice, split groups where a whole group
//! fitted in the buyer's view, seats left.

// The general case's model: its times, limits, call latency and percentiles.
use super::{BUYER_RETRIES, LOCK, Micros, OVERHEAD, SECOND, WRITE_UNITS, jitter, percentile};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seating::best::{RowSeats, pick, spread};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The rows' state items lag the seats by about this (the stream, then a refresh).
const STREAM_LAG: Micros = SECOND;
/// An instance reuses the states it read for up to this long.
const VIEW_CACHE: Micros = SECOND;
/// Picks per request before 503 (the handler's `BEST_AVAILABLE_TRIES`).
const TRIES: u32 = 4;
const SECTIONS: u32 = 40;
const ROWS: u32 = 25;
const SEATS_PER_ROW: u32 = 40;

/// A partition's (or item's) write units and commit lock.
#[derive(Clone)]
struct Capacity {
    tokens: f64,
    refilled_at: Micros,
    locked_until: Micros,
}

impl Capacity {
    fn new() -> Self {
        Self { tokens: WRITE_UNITS, refilled_at: 0, locked_until: 0 }
    }

    fn refill(&mut self, now: Micros) {
        let elapsed = now.saturating_sub(self.refilled_at) as f64 / SECOND as f64;
        self.tokens = (self.tokens + elapsed * WRITE_UNITS).min(WRITE_UNITS);
        self.refilled_at = now;
    }
}

struct Stadium {
    /// When each seat was taken (index: row * SEATS_PER_ROW + seat - 1).
    taken_at: Vec<Option<Micros>>,
    /// Each seat's commit lock.
    seat_locks: Vec<Micros>,
    /// Each row's partition.
    rows: Vec<Capacity>,
    shards: Vec<(u32, Capacity)>,
    sold_twice: u64,
}

enum Outcome {
    Held,
    /// Seats someone else has (their indexes).
    Taken(Vec<usize>),
    /// Locked or throttled: the same pick, tried again.
    Retry,
    /// No shard has enough.
    SoldOut,
}

impl Stadium {
    fn new(k: u32) -> Self {
        let seats = (SECTIONS * ROWS * SEATS_PER_ROW) as usize;
        let shards = onsale::shards::split(seats as u32, k).into_iter().map(|n| (n, Capacity::new())).collect();
        Self {
            taken_at: vec![None; seats],
            seat_locks: vec![0; seats],
            rows: vec![Capacity::new(); (SECTIONS * ROWS) as usize],
            shards,
            sold_twice: 0,
        }
    }

    fn left(&self) -> u64 {
        self.shards.iter().map(|(n, _)| u64::from(*n)).sum()
    }

    fn hold(&mut self, seats: &[usize], rng: &mut StdRng, now: Micros) -> Outcome {
        let quantity = seats.len() as u32;
        let fitting: Vec<usize> = (0..self.shards.len()).filter(|&i| self.shards[i].0 >= quantity).collect();
        if fitting.is_empty() {
            return Outcome::SoldOut;
        }
        let shard = fitting[rng.gen_range(0..fitting.len())];
        let mut rows: Vec<usize> = seats.iter().map(|s| s / SEATS_PER_ROW as usize).collect();
        rows.dedup();
        // Locks and write units first (a transaction meeting a lock is cancelled).
        self.shards[shard].1.refill(now);
        for &r in &rows {
            self.rows[r].refill(now);
        }
        if self.shards[shard].1.locked_until > now || seats.iter().any(|&s| self.seat_locks[s] > now) {
            return Outcome::Retry;
        }
        let row_units = |r: usize| 2.0 * seats.iter().filter(|&&s| s / SEATS_PER_ROW as usize == r).count() as f64;
        if self.shards[shard].1.tokens < 2.0 || rows.iter().any(|&r| self.rows[r].tokens < row_units(r)) {
            return Outcome::Retry;
        }
        self.shards[shard].1.tokens -= 2.0;
        self.shards[shard].1.locked_until = now + LOCK;
        for &r in &rows {
            self.rows[r].tokens -= row_units(r);
        }
        for &s in seats {
            self.seat_locks[s] = now + LOCK;
        }
        // The conditions: every seat free.
        let taken: Vec<usize> = seats.iter().copied().filter(|&s| self.taken_at[s].is_some()).collect();
        if !taken.is_empty() {
            return Outcome::Taken(taken);
        }
        for &s in seats {
            if self.taken_at[s].replace(now).is_some() {
                self.sold_twice += 1;
            }
        }
        self.shards[shard].0 -= quantity;
        Outcome::Held
    }

    /// Seats taken in the second before `view` (what an instance measures).
    fn rate(&self, view: Micros) -> f64 {
        self.taken_at.iter().filter(|at| at.is_some_and(|t| t <= view && t + SECOND > view)).count() as f64
    }

    /// The rows as a buyer's instance sees them at `view`, without `lost`.
    fn view(&self, view: Micros, lost: &[usize]) -> Vec<RowSeats<usize>> {
        (0..(SECTIONS * ROWS) as usize)
            .map(|r| RowSeats {
                row: r,
                seats: (0..SEATS_PER_ROW as usize)
                    .map(|i| {
                        let s = r * SEATS_PER_ROW as usize + i;
                        let free = self.taken_at[s].is_none_or(|at| at > view) && !lost.contains(&s);
                        (i as u32 + 1, free)
                    })
                    .collect(),
            })
            .collect()
    }
}

struct Buyer {
    quantity: usize,
    /// Seats this request lost races for.
    lost: Vec<usize>,
    tries: u32,
    retries: u32,
    /// When the instance serving it read the states (its view is older by the stream's lag).
    read_at: Micros,
    started: Micros,
    pick: Vec<usize>,
}

#[derive(Default)]
struct Results {
    holds: u64,
    seats: u64,
    sold_out: u64,
    busy: u64,
    gave_up: u64,
    lost_races: u64,
    picks: u64,
    split: u64,
    latencies: Vec<Micros>,
    first_hold: Option<Micros>,
    last_hold: Micros,
}

/// Runs the seated on-sale for each shard count, printing a JSON line each.
/// `fixed_spread` > 0 draws among that many placements whatever the rate (to compare).
pub fn main(buyers: usize, window: u64, admit_per_minute: u64, max_quantity: u32, ks: &[u32], fixed_spread: usize) {
    for &k in ks {
        let started = std::time::Instant::now();
        let mut rng = StdRng::seed_from_u64(22);
        let mut stadium = Stadium::new(k);
        let seats = stadium.left();
        // Arrivals within the window, admitted at the room's pace in arrival order.
        let mut arrivals: Vec<Micros> = (0..buyers).map(|_| rng.gen_range(0..window * SECOND)).collect();
        arrivals.sort_unstable();
        let mut queue: BinaryHeap<Reverse<(Micros, usize)>> = BinaryHeap::new();
        let mut people = Vec::with_capacity(buyers);
        for (b, arrived) in arrivals.into_iter().enumerate() {
            let admitted = (b as u64 * 60 * SECOND / admit_per_minute.max(1)).max(arrived);
            people.push(Buyer {
                quantity: rng.gen_range(1..=max_quantity) as usize,
                lost: Vec::new(),
                tries: 0,
                retries: 0,
                read_at: 0,
                started: admitted,
                pick: Vec::new(),
            });
            queue.push(Reverse((admitted + OVERHEAD, b)));
        }
        let mut results = Results::default();
        while let Some(Reverse((now, b))) = queue.pop() {
            let buyer = &mut people[b];
            if buyer.pick.is_empty() {
                // A pick: from the states this instance read (fresh after VIEW_CACHE).
                if now.saturating_sub(buyer.read_at) >= VIEW_CACHE || buyer.read_at == 0 {
                    buyer.read_at = now - rng.gen_range(0..VIEW_CACHE.min(now.max(1)));
                }
                let view = buyer.read_at.saturating_sub(STREAM_LAG);
                let rows = stadium.view(view, &buyer.lost);
                results.picks += 1;
                let wide = if fixed_spread > 0 {
                    fixed_spread << (2 * buyer.tries.min(8))
                } else {
                    spread(stadium.rate(view) / buyer.quantity as f64, buyer.tries)
                };
                match pick(&rows, buyer.quantity, wide, &mut rng) {
                    None => {
                        results.sold_out += 1;
                        results.latencies.push(now + OVERHEAD - buyer.started);
                        continue;
                    }
                    Some(p) => {
                        if !p.together && rows.iter().any(|r| fits_together(&r.seats, buyer.quantity)) {
                            results.split += 1;
                        }
                        buyer.pick = p
                            .seats
                            .iter()
                            .map(|(row, seat)| row * SEATS_PER_ROW as usize + *seat as usize - 1)
                            .collect();
                    }
                }
            }
            let pick = buyer.pick.clone();
            match stadium.hold(&pick, &mut rng, now) {
                Outcome::Held => {
                    let at = now + jitter(&mut rng) + OVERHEAD;
                    results.holds += 1;
                    results.seats += pick.len() as u64;
                    results.first_hold.get_or_insert(at);
                    results.last_hold = results.last_hold.max(at);
                    results.latencies.push(at - buyer.started);
                }
                Outcome::SoldOut => {
                    results.sold_out += 1;
                    results.latencies.push(now + OVERHEAD - buyer.started);
                }
                Outcome::Retry => queue.push(Reverse((now + jitter(&mut rng), b))),
                Outcome::Taken(taken) => {
                    results.lost_races += 1;
                    buyer.lost.extend(taken);
                    buyer.pick.clear();
                    buyer.tries += 1;
                    if buyer.tries < TRIES {
                        queue.push(Reverse((now + jitter(&mut rng), b)));
                    } else if buyer.retries < BUYER_RETRIES {
                        // 503 with Retry-After: 1, then a new request (its own lost seats forgotten).
                        results.busy += 1;
                        buyer.retries += 1;
                        buyer.tries = 0;
                        buyer.lost.clear();
                        buyer.read_at = 0;
                        queue.push(Reverse((now + SECOND + OVERHEAD, b)));
                    } else {
                        results.gave_up += 1;
                    }
                }
            }
        }
        results.latencies.sort_unstable();
        let selling = results.last_hold.saturating_sub(results.first_hold.unwrap_or(0)).max(1) as f64 / SECOND as f64;
        let line = serde_json::json!({
            "model": "seated: DynamoDB per-item limits (a model, not DynamoDB), a row's seats one partition of 1000 WCU/s, best-available from states 1-2 s old",
            "k": k,
            "spread": if fixed_spread > 0 { serde_json::json!(fixed_spread) } else { serde_json::json!("seating::best::spread") },
            "seats": seats,
            "buyers": buyers,
            "arrivalSeconds": window,
            "admitPerMinute": admit_per_minute,
            "holdsPerSecond": (results.holds as f64 / selling).round(),
            "seatsPerSecond": (results.seats as f64 / selling).round(),
            "secondsOfSelling": (selling * 10.0).round() / 10.0,
            "p50Ms": percentile(&results.latencies, 0.50),
            "p99Ms": percentile(&results.latencies, 0.99),
            "holds": results.holds,
            "seatsSold": results.seats,
            "seatsLeft": stadium.left(),
            "soldTwice": stadium.sold_twice,
            "splitWhileAGroupFitted": results.split,
            "picks": results.picks,
            "lostRaces": results.lost_races,
            "busyAnswers": results.busy,
            "gaveUp": results.gave_up,
            "soldOutAnswers": results.sold_out,
            "simulatedInSeconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        });
        println!("{line}");
    }
}

/// Whether `k` free seats stand side by side in the row.
fn fits_together(seats: &[(u32, bool)], k: usize) -> bool {
    let mut run = 0;
    for (_, free) in seats {
        run = if *free { run + 1 } else { 0 };
        if run >= k {
            return true;
        }
    }
    false
}
