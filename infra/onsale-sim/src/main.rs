//! `make simulate-onsale`: an on-sale of 100,000 seats to 200,000 buyers arriving
//! within a minute, run through **the real shard planner**
//! (`onsale::shards::HoldPlanner`) against a MODEL of DynamoDB, for
//! several shard counts K. One JSON line per K.
//!
//! This is a model, not DynamoDB, and never stands in for it where correctness is
//! tested (the platform tests run the real stack). What it models:
//! - each item has 1,000 write units a second (a transactional write of an item
//!   costs 2) and 3,000 read units (a transactional read costs 2); a call finding
//!   its item's units spent is throttled, and the SDK retries it with backoff;
//! - a transaction holds its items for `LOCK` while it commits: another
//!   transaction meeting one of them is cancelled (`TransactionConflict`);
//! - a snapshot is the adapter's double collect: two consistent reads of the
//!   tier's shards (one partition: `QUERY_UNITS` read units each), equal if no
//!   shard's version moved in between;
//! - every call takes `LATENCY` plus jitter; Lambda's own overhead is `OVERHEAD`;
//! - Lambda instances keep what they learnt of the shards between requests (as the
//!   real store adapter does), `INSTANCES` of them;
//! - a buyer answered 503 (`Busy`) retries after its `Retry-After` (1 s), up to 5 times.
//!
//! Buyers arrive within the window and pass **the waiting room's real admission
//! rule** (`onsale::admission`): numbered on arrival (interleaved counters),
//! admitted at `--admit-per-minute`, noticing it at their next status poll (every
//! 2 s), then sending their hold. Once the tier's public figure (refreshed from the
//! stream, modelled as the true count a second ago) shows no seat, the room turns
//! the rest away as sold out instead of admitting them.
//!
//! It prints, per K: holds and seats per second while seats lasted, the p99 of a
//! hold request's latency, and the checks the real tests make: oversold seats,
//! false sold-outs (a `sold_out` while the model had enough at the snapshot's
//! instant), stranded seats (neither available nor held at the end).

mod seated;

use onsale::admission;
use onsale::shards::{HoldPlanner, Observation, Step, split};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Times are in microseconds.
type Micros = u64;
const SECOND: Micros = 1_000_000;
const MS: Micros = 1_000;

const LATENCY: Micros = 6 * MS;
const JITTER: Micros = 4 * MS;
const LOCK: Micros = 2 * MS;
const OVERHEAD: Micros = 2 * MS;
const WRITE_UNITS: f64 = 1_000.0;
const READ_UNITS: f64 = 3_000.0;
/// Read units of one consistent Query of a tier's shards (K small items, a few KB).
const QUERY_UNITS: f64 = 2.0;
const INSTANCES: usize = 1_000;
const SDK_RETRIES: u32 = 3;
const BUYER_RETRIES: u32 = 5;

struct Config {
    admit_per_minute: u64,
    seats: u32,
    buyers: usize,
    arrival_window: Micros,
    max_quantity: u32,
    shards: u32,
}

/// One item's capacity and commit lock.
#[derive(Clone)]
struct ItemState {
    available: u32,
    version: u64,
    write_tokens: f64,
    read_tokens: f64,
    refilled_at: Micros,
    locked_until: Micros,
}

impl ItemState {
    fn refill(&mut self, now: Micros) {
        let elapsed = (now.saturating_sub(self.refilled_at)) as f64 / SECOND as f64;
        self.write_tokens = (self.write_tokens + elapsed * WRITE_UNITS).min(WRITE_UNITS);
        self.read_tokens = (self.read_tokens + elapsed * READ_UNITS).min(READ_UNITS);
        self.refilled_at = now;
    }
}

/// What the model answers a call.
enum Answer {
    Done(Observation),
    Throttled,
}

struct Model {
    shards: Vec<ItemState>,
    held: u64,
}

impl Model {
    fn new(seats: u32, k: u32) -> Self {
        let shards = split(seats, k)
            .into_iter()
            .map(|available| ItemState {
                available,
                version: 0,
                write_tokens: WRITE_UNITS,
                read_tokens: READ_UNITS,
                refilled_at: 0,
                locked_until: 0,
            })
            .collect();
        Self { shards, held: 0 }
    }

    fn total(&self) -> u64 {
        self.shards.iter().map(|s| u64::from(s.available)).sum()
    }

    /// A transactional write on `items` at `now`: conflicts and throughput first.
    fn admit_write(&mut self, items: &[usize], now: Micros) -> Option<Answer> {
        for &i in items {
            self.shards[i].refill(now);
            if self.shards[i].locked_until > now {
                return Some(Answer::Done(Observation::Contended));
            }
        }
        if items.iter().any(|&i| self.shards[i].write_tokens < 2.0) {
            return Some(Answer::Throttled);
        }
        for &i in items {
            self.shards[i].write_tokens -= 2.0;
            self.shards[i].locked_until = now + LOCK;
        }
        None
    }

    fn take(&mut self, shard: usize, quantity: u32, now: Micros) -> Answer {
        if let Some(answer) = self.admit_write(&[shard], now) {
            return answer;
        }
        let s = &mut self.shards[shard];
        if s.available < quantity {
            return Answer::Done(Observation::Short { shard, available: s.available });
        }
        s.available -= quantity;
        s.version += 1;
        self.held += u64::from(quantity);
        Answer::Done(Observation::Took)
    }

    /// One consistent read of every shard (the partition's read units pay for it).
    fn collect(&mut self, now: Micros) -> Option<Vec<(u32, u64)>> {
        let first = &mut self.shards[0];
        first.refill(now);
        if first.read_tokens < QUERY_UNITS {
            return None;
        }
        first.read_tokens -= QUERY_UNITS;
        Some(self.shards.iter().map(|s| (s.available, s.version)).collect())
    }

    fn rebalance(&mut self, plan: &onsale::shards::Rebalance, now: Micros) -> Answer {
        let mut items: Vec<usize> = plan.from.iter().map(|(i, _)| *i).collect();
        items.push(plan.to);
        if let Some(answer) = self.admit_write(&items, now) {
            return answer;
        }
        if plan.from.iter().any(|&(i, n)| self.shards[i].available < n) {
            return Answer::Done(Observation::Contended);
        }
        for &(i, n) in &plan.from {
            self.shards[i].available -= n;
            self.shards[i].version += 1;
        }
        self.shards[plan.to].available += plan.seats();
        self.shards[plan.to].version += 1;
        Answer::Done(Observation::Rebalanced)
    }
}

struct Buyer {
    quantity: u32,
    planner: HoldPlanner,
    instance: usize,
    step: Step,
    request_started: Micros,
    sdk_tries: u32,
    busy_retries: u32,
    /// Whether it passed the room (its first turn in the queue is the room's check).
    admitted: bool,
    /// A snapshot's reads so far (the double collect).
    collected: Option<Vec<(u32, u64)>>,
    collects: u32,
}

#[derive(Default)]
struct Results {
    holds: u64,
    seats: u64,
    sold_out: u64,
    false_sold_outs: u64,
    gave_up: u64,
    busy_answers: u64,
    latencies: Vec<Micros>,
    held_latencies: Vec<Micros>,
    first_hold: Option<Micros>,
    last_hold: Micros,
    rebalances: u64,
    turned_away: u64,
    snapshots: u64,
    conflicts: u64,
    throttles: u64,
}

fn jitter(rng: &mut StdRng) -> Micros {
    LATENCY + rng.gen_range(0..=JITTER)
}

fn run(config: &Config, seed: u64) -> (Results, Model) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut model = Model::new(config.seats, config.shards);
    let mut known: Vec<Vec<Option<u32>>> = vec![vec![None; config.shards as usize]; INSTANCES];
    let mut buyers: Vec<Buyer> = Vec::with_capacity(config.buyers);
    // Arrivals in order, numbered by the room's counters, admitted by its rule.
    let mut arrivals: Vec<Micros> = (0..config.buyers).map(|_| rng.gen_range(0..config.arrival_window)).collect();
    arrivals.sort_unstable();
    let mut counts = [0u64; admission::ARRIVAL_COUNTERS as usize];
    let poll = 2 * SECOND;
    // (when, buyer): the buyer's next call reaches the store then.
    let mut queue: BinaryHeap<Reverse<(Micros, usize)>> = BinaryHeap::new();
    for (b, arrived) in arrivals.into_iter().enumerate() {
        let counter = rng.gen_range(0..admission::ARRIVAL_COUNTERS);
        counts[counter as usize] += 1;
        let position = admission::arrival_position(0, counter, counts[counter as usize]);
        // The first status poll (every 2 s from arrival) that finds it admitted.
        let phase = arrived % poll;
        let mut at = arrived;
        while admission::admitted_through(config.admit_per_minute, at as f64 / SECOND as f64) < position {
            at = (at / poll + 1) * poll + phase;
        }
        let arrives = at;
        let quantity = rng.gen_range(1..=config.max_quantity);
        let instance = rng.gen_range(0..INSTANCES);
        let mut planner = HoldPlanner::new(quantity, known[instance].clone());
        let step = planner.start(&mut rng);
        buyers.push(Buyer {
            quantity,
            planner,
            instance,
            step,
            request_started: arrives,
            sdk_tries: 0,
            busy_retries: 0,
            collected: None,
            collects: 0,
            admitted: false,
        });
        queue.push(Reverse((arrives + OVERHEAD, b)));
    }
    let mut results = Results::default();
    // The tier's public figure: the count as of the last whole second.
    let (mut summary, mut summary_at) = (u64::from(config.seats), 0);
    while let Some(Reverse((now, b))) = queue.pop() {
        let buyer = &mut buyers[b];
        if !buyer.admitted {
            if now >= summary_at + SECOND {
                summary = model.total();
                summary_at = now / SECOND * SECOND;
            }
            if summary == 0 {
                results.turned_away += 1;
                continue;
            }
            buyer.admitted = true;
            buyer.request_started = now;
        }
        let answer = match buyer.step.clone() {
            Step::Take(shard) => model.take(shard, buyer.quantity, now),
            Step::Snapshot => match model.collect(now) {
                None => Answer::Throttled,
                Some(read) => {
                    buyer.collects += 1;
                    match buyer.collected.replace(read.clone()) {
                        // Unchanged between two reads: the counts of an instant.
                        Some(previous) if previous == read => {
                            results.snapshots += 1;
                            buyer.collected = None;
                            buyer.collects = 0;
                            Answer::Done(Observation::Snapshot(read.into_iter().map(|(a, _)| a).collect()))
                        }
                        _ if buyer.collects > 3 => {
                            buyer.collected = None;
                            buyer.collects = 0;
                            Answer::Done(Observation::Contended)
                        }
                        // The next read, one call later.
                        _ => {
                            queue.push(Reverse((now + jitter(&mut rng), b)));
                            continue;
                        }
                    }
                }
            },
            Step::Rebalance(plan) => {
                results.rebalances += 1;
                model.rebalance(&plan, now)
            }
            _ => unreachable!("final steps are not queued"),
        };
        let observation = match answer {
            Answer::Throttled if buyer.sdk_tries < SDK_RETRIES => {
                // The SDK's own retry, with exponential backoff and jitter.
                results.throttles += 1;
                buyer.sdk_tries += 1;
                let backoff = (25 * MS << buyer.sdk_tries).min(SECOND);
                queue.push(Reverse((now + rng.gen_range(0..=backoff), b)));
                continue;
            }
            Answer::Throttled => {
                results.throttles += 1;
                Observation::Contended
            }
            Answer::Done(observation) => observation,
        };
        if observation == Observation::Contended {
            results.conflicts += 1;
        }
        // The truth when the snapshot completed, to judge a sold-out it leads to (in
        // this model seats only go, so any instant of the snapshot had at most this).
        let truth = matches!(observation, Observation::Snapshot(_)).then(|| model.total());
        buyer.sdk_tries = 0;
        let answered_at = now + jitter(&mut rng);
        buyer.step = buyer.planner.next(observation, &mut rng);
        match buyer.step.clone() {
            Step::Held(_) => {
                results.holds += 1;
                results.seats += u64::from(buyer.quantity);
                results.first_hold.get_or_insert(answered_at);
                results.last_hold = results.last_hold.max(answered_at);
                results.latencies.push(answered_at + OVERHEAD - buyer.request_started);
                results.held_latencies.push(answered_at + OVERHEAD - buyer.request_started);
                known[buyer.instance] = buyer.planner.known().to_vec();
            }
            Step::SoldOut { .. } => {
                results.sold_out += 1;
                if truth.is_some_and(|t| t >= u64::from(buyer.quantity)) {
                    results.false_sold_outs += 1;
                }
                results.latencies.push(answered_at + OVERHEAD - buyer.request_started);
                known[buyer.instance] = buyer.planner.known().to_vec();
            }
            Step::Busy => {
                results.busy_answers += 1;
                results.latencies.push(answered_at + OVERHEAD - buyer.request_started);
                known[buyer.instance] = buyer.planner.known().to_vec();
                if buyer.busy_retries < BUYER_RETRIES {
                    // Retry-After: 1, then a new request (same Idempotency-Key) on any instance.
                    buyer.busy_retries += 1;
                    buyer.instance = rng.gen_range(0..INSTANCES);
                    buyer.planner = HoldPlanner::new(buyer.quantity, known[buyer.instance].clone());
                    buyer.step = buyer.planner.start(&mut rng);
                    buyer.request_started = answered_at + SECOND;
                    queue.push(Reverse((answered_at + SECOND + OVERHEAD, b)));
                } else {
                    results.gave_up += 1;
                }
            }
            _ => queue.push(Reverse((answered_at, b))),
        }
    }
    (results, model)
}

fn percentile(sorted: &[Micros], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / MS as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    if args.iter().any(|a| a == "--seated") {
        // A 40,000-seat stadium by best-available (src/seated.rs).
        let buyers: usize = value("--buyers").and_then(|v| v.parse().ok()).unwrap_or(20_000);
        let window: u64 = value("--window").and_then(|v| v.parse().ok()).unwrap_or(60);
        let admit: u64 = value("--admit-per-minute").and_then(|v| v.parse().ok()).unwrap_or(240_000);
        let max_quantity: u32 = value("--max-quantity").and_then(|v| v.parse().ok()).unwrap_or(4);
        let ks: Vec<u32> = value("--shards")
            .map(|v| v.split(',').filter_map(|k| k.parse().ok()).collect())
            .unwrap_or_else(|| vec![1, 8, 32]);
        let fixed_spread: usize = value("--spread").and_then(|v| v.parse().ok()).unwrap_or(0);
        seated::main(buyers, window, admit, max_quantity, &ks, fixed_spread);
        return;
    }
    let seats: u32 = value("--seats").and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let buyers: usize = value("--buyers").and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let window: u64 = value("--window").and_then(|v| v.parse().ok()).unwrap_or(60);
    let admit_per_minute: u64 = value("--admit-per-minute").and_then(|v| v.parse().ok()).unwrap_or(240_000);
    let max_quantity: u32 = value("--max-quantity").and_then(|v| v.parse().ok()).unwrap_or(1);
    let ks: Vec<u32> = value("--shards")
        .map(|v| v.split(',').filter_map(|k| k.parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 4, 16, 32, 64, 128]);
    for k in ks {
        let config =
            Config { admit_per_minute, seats, buyers, arrival_window: window * SECOND, max_quantity, shards: k };
        let started = std::time::Instant::now();
        let (mut results, model) = run(&config, 21);
        results.latencies.sort_unstable();
        results.held_latencies.sort_unstable();
        let selling = results.last_hold.saturating_sub(results.first_hold.unwrap_or(0)).max(1) as f64 / SECOND as f64;
        let oversold = model.held.saturating_sub(u64::from(seats));
        let stranded = i64::from(seats) - model.held as i64 - model.total() as i64;
        let line = serde_json::json!({
            "model": "DynamoDB per-item limits (a model, not DynamoDB): 1000 WCU/s and 3000 RCU/s per item, 2 units per transactional item, conflicting transactions cancel",
            "k": k,
            "seats": seats,
            "buyers": buyers,
            "arrivalSeconds": window,
            "admitPerMinute": admit_per_minute,
            "holdsPerSecond": (results.holds as f64 / selling).round(),
            "seatsPerSecond": (results.seats as f64 / selling).round(),
            "secondsToSellOut": (selling * 10.0).round() / 10.0,
            "p50Ms": percentile(&results.latencies, 0.50),
            "p99Ms": percentile(&results.latencies, 0.99),
            "p99HeldMs": percentile(&results.held_latencies, 0.99),
            "oversold": oversold,
            "falseSoldOuts": results.false_sold_outs,
            "stranded": stranded,
            "seatsLeft": model.total(),
            "holds": results.holds,
            "soldOutAnswers": results.sold_out,
            "busyAnswers": results.busy_answers,
            "gaveUp": results.gave_up,
            "turnedAwaySoldOut": results.turned_away,
            "rebalances": results.rebalances,
            "snapshots": results.snapshots,
            "conflicts": results.conflicts,
            "throttles": results.throttles,
            "simulatedInSeconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        });
        println!("{line}");
    }
}
