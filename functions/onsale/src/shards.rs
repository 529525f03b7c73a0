//! Sharded seat inventory: the rules, with no store in sight.
//!
//! A tier's unsold seats are spread over `K` shard items, so that concurrent holds
//! write different items (DynamoDB gives one item about 1,000 write units a second
//! and cancels transactions that meet on an item). A hold takes its seats from one
//! shard, in the same transaction as the reservation. [`HoldPlanner`] decides which
//! shard to try, when to read them all, when to move seats between shards
//! (rebalancing) and when the answer is `sold out`: only after a snapshot of every
//! shard, read in one transaction, shows fewer seats than asked.
//!
//! The planner is a state machine: the store adapter (DynamoDB in production, the
//! on-sale simulation's model in `make simulate-onsale`) carries out each [`Step`]
//! and reports what happened as an [`Observation`].

use rand::Rng;
use rand::seq::SliceRandom;

/// Shards one tier may have.
pub const MAX_SHARDS_PER_TIER: u32 = 64;
/// Shards one event may have over all its tiers: an edit rewrites the event, its
/// tiers and every shard in one transaction (at most 100 items), with 20 tiers.
pub const MAX_SHARDS_PER_EVENT: u32 = 64;
/// Seats per shard the default aims at (see `docs/onsale.md`).
const SEATS_PER_DEFAULT_SHARD: u32 = 5_000;
/// The most shards a tier gets without asking.
const DEFAULT_SHARDS_MAX: u32 = 16;

/// The shard count a tier of `capacity` seats gets when its organizer names none.
pub fn default_shards(capacity: u32) -> u32 {
    capacity.div_ceil(SEATS_PER_DEFAULT_SHARD).clamp(1, DEFAULT_SHARDS_MAX)
}

/// `total` seats spread evenly over `k` shards (the first ones get the remainder).
pub fn split(total: u32, k: u32) -> Vec<u32> {
    let k = k.max(1);
    (0..k).map(|i| total / k + u32::from(i < total % k)).collect()
}

/// How many seats to take from each shard to free `need` seats, taking from the
/// fullest first so that the shards stay even; `None` if they hold fewer.
pub fn take_evenly(available: &[u32], need: u32) -> Option<Vec<u32>> {
    let total: u64 = available.iter().map(|&a| u64::from(a)).sum();
    if total < u64::from(need) {
        return None;
    }
    let excess = |level: u32| -> u64 { available.iter().map(|&a| u64::from(a.saturating_sub(level))).sum() };
    // The highest level whose excess still covers the need.
    let (mut low, mut high) = (0u32, available.iter().copied().max().unwrap_or(0));
    while low < high {
        let mid = low + (high - low).div_ceil(2);
        if excess(mid) >= u64::from(need) { low = mid } else { high = mid - 1 }
    }
    let level = low;
    // Everything above level + 1 goes, then one seat from shards at level + 1 or above.
    let mut take: Vec<u32> = available.iter().map(|&a| a.saturating_sub(level + 1)).collect();
    let mut missing = u64::from(need) - take.iter().map(|&t| u64::from(t)).sum::<u64>();
    for (i, &a) in available.iter().enumerate() {
        if missing == 0 {
            break;
        }
        if a > level {
            take[i] += 1;
            missing -= 1;
        }
    }
    Some(take)
}

/// How to spread `extra` seats over shards so that they end even (the emptiest get most).
pub fn add_evenly(available: &[u32], extra: u32) -> Vec<u32> {
    let fill = |level: u32| -> u64 { available.iter().map(|&a| u64::from(level.saturating_sub(a))).sum() };
    // The lowest level whose fill reaches `extra`.
    let (mut low, mut high) = (0u32, available.iter().copied().max().unwrap_or(0).saturating_add(extra));
    while low < high {
        let mid = low + (high - low) / 2;
        if fill(mid) >= u64::from(extra) { high = mid } else { low = mid + 1 }
    }
    let level = low.saturating_sub(1);
    let mut add: Vec<u32> = available.iter().map(|&a| level.saturating_sub(a)).collect();
    let mut left = u64::from(extra) - add.iter().map(|&x| u64::from(x)).sum::<u64>();
    for (i, &a) in available.iter().enumerate() {
        if left == 0 {
            break;
        }
        if a + add[i] <= level {
            add[i] += 1;
            left -= 1;
        }
    }
    add
}

/// Seats moved from some shards to one (`to`), in one conditional transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebalance {
    /// (shard, seats taken from it).
    pub from: Vec<(usize, u32)>,
    pub to: usize,
}

impl Rebalance {
    pub fn seats(&self) -> u32 {
        self.from.iter().map(|(_, n)| n).sum()
    }
}

/// What the store adapter should do next for a hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Take the seats from this shard, in the hold's transaction.
    Take(usize),
    /// Read every shard in one transaction (a consistent snapshot).
    Snapshot,
    /// Move seats between shards, then [`Step::Take`] from `to`.
    Rebalance(Rebalance),
    /// The seats are held, taken from this shard.
    Held(usize),
    /// The whole tier has fewer seats than asked (a snapshot showed it).
    SoldOut { remaining: u32 },
    /// Too much contention to finish now; the buyer should retry shortly.
    Busy,
}

/// What happened to the last step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// The seats are held: done.
    Took,
    /// The shard had fewer seats than asked (what it had).
    Short { shard: usize, available: u32 },
    /// Another write was on the same item, or the item's throughput ran out.
    Contended,
    /// Every shard's seats at one instant.
    Snapshot(Vec<u32>),
    /// The seats moved.
    Rebalanced,
}

/// Shard attempts before a hold reads them all.
const TAKES_BEFORE_SNAPSHOT: u32 = 3;
/// Steps a hold may take before it answers `Busy`.
const MAX_STEPS: u32 = 24;

/// Decides, step by step, where a hold of `quantity` seats takes them.
#[derive(Debug, Clone)]
pub struct HoldPlanner {
    quantity: u32,
    /// What each shard was last seen to hold (`None`: not seen).
    known: Vec<Option<u32>>,
    /// Shards found short since the last snapshot.
    tried: Vec<bool>,
    takes_since_snapshot: u32,
    steps: u32,
    last: Option<Step>,
}

impl HoldPlanner {
    /// `known` is what this process last saw of each shard (a hint: the
    /// transaction's conditions decide).
    pub fn new(quantity: u32, known: Vec<Option<u32>>) -> Self {
        let shards = known.len().max(1);
        let mut known = known;
        known.resize(shards, None);
        Self { quantity, known, tried: vec![false; shards], takes_since_snapshot: 0, steps: 0, last: None }
    }

    /// What every shard was last seen to hold, for the next hold in this process.
    pub fn known(&self) -> &[Option<u32>] {
        &self.known
    }

    /// The first step.
    pub fn start(&mut self, rng: &mut impl Rng) -> Step {
        let step = self.choose(rng);
        self.record(step)
    }

    /// The step after `observation` of the last one.
    pub fn next(&mut self, observation: Observation, rng: &mut impl Rng) -> Step {
        let step = match (self.last.clone(), observation) {
            (Some(Step::Take(shard)), Observation::Took) => {
                self.known[shard] = self.known[shard].map(|a| a.saturating_sub(self.quantity));
                return self.record(Step::Held(shard));
            }
            (Some(Step::Take(_)), Observation::Short { shard, available }) => {
                self.known[shard] = Some(available);
                self.tried[shard] = true;
                self.choose(rng)
            }
            (Some(Step::Take(_)), Observation::Contended) => self.choose(rng),
            (_, Observation::Snapshot(available)) => self.after_snapshot(available, rng),
            (Some(Step::Snapshot), Observation::Contended) => Step::Snapshot,
            (Some(Step::Rebalance(plan)), Observation::Rebalanced) => {
                for &(shard, n) in &plan.from {
                    self.known[shard] = self.known[shard].map(|a| a.saturating_sub(n));
                }
                self.known[plan.to] = self.known[plan.to].map(|a| a + plan.seats());
                Step::Take(plan.to)
            }
            // A rebalance that failed (a donor sold meanwhile, or contention): look again.
            (Some(Step::Rebalance(_)), _) => Step::Snapshot,
            _ => Step::Snapshot,
        };
        if self.steps >= MAX_STEPS && !step.is_final() {
            return self.record(Step::Busy);
        }
        self.record(step)
    }

    fn record(&mut self, step: Step) -> Step {
        self.steps += 1;
        if matches!(step, Step::Take(_)) {
            self.takes_since_snapshot += 1;
        }
        self.last = Some(step.clone());
        step
    }

    /// A random shard among those likely to have enough; a snapshot when none is.
    fn choose(&mut self, rng: &mut impl Rng) -> Step {
        if self.takes_since_snapshot >= TAKES_BEFORE_SNAPSHOT {
            return Step::Snapshot;
        }
        let q = self.quantity;
        let candidates: Vec<usize> =
            (0..self.known.len()).filter(|&i| !self.tried[i] && self.known[i].is_none_or(|a| a >= q)).collect();
        match candidates.choose(rng) {
            Some(&shard) => Step::Take(shard),
            None => Step::Snapshot,
        }
    }

    fn after_snapshot(&mut self, available: Vec<u32>, rng: &mut impl Rng) -> Step {
        let q = self.quantity;
        self.known = available.iter().map(|&a| Some(a)).collect();
        self.tried = vec![false; available.len()];
        self.takes_since_snapshot = 0;
        let total: u64 = available.iter().map(|&a| u64::from(a)).sum();
        if total < u64::from(q) {
            return Step::SoldOut { remaining: total as u32 };
        }
        let enough: Vec<usize> = (0..available.len()).filter(|&i| available[i] >= q).collect();
        if let Some(&shard) = enough.choose(rng) {
            return Step::Take(shard);
        }
        // Enough in the tier, none in one shard: gather them in the fullest.
        let to = (0..available.len()).max_by_key(|&i| available[i]).unwrap_or(0);
        let others: Vec<u32> = available.iter().enumerate().map(|(i, &a)| if i == to { 0 } else { a }).collect();
        let take = take_evenly(&others, q - available[to]).expect("the total covers the need");
        let from = take.into_iter().enumerate().filter(|&(_, n)| n > 0).collect();
        Step::Rebalance(Rebalance { from, to })
    }
}

impl Step {
    /// Whether the hold is over (held, sold out or busy).
    pub fn is_final(&self) -> bool {
        matches!(self, Step::Held(_) | Step::SoldOut { .. } | Step::Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn rng() -> StdRng {
        StdRng::seed_from_u64(7)
    }

    #[test]
    fn default_shards_follow_capacity() {
        assert_eq!(default_shards(1), 1);
        assert_eq!(default_shards(5_000), 1);
        assert_eq!(default_shards(5_001), 2);
        assert_eq!(default_shards(100_000), 16);
    }

    #[test]
    fn split_spreads_evenly() {
        assert_eq!(split(10, 4), vec![3, 3, 2, 2]);
        assert_eq!(split(3, 1), vec![3]);
        assert_eq!(split(10, 4).iter().sum::<u32>(), 10);
    }

    #[test]
    fn take_evenly_takes_from_the_fullest_and_exactly_the_need() {
        assert_eq!(take_evenly(&[10, 2, 6], 5), Some(vec![5, 0, 0]));
        assert_eq!(take_evenly(&[10, 2, 6], 9), Some(vec![7, 0, 2]));
        assert_eq!(take_evenly(&[1, 1, 1], 3), Some(vec![1, 1, 1]));
        assert_eq!(take_evenly(&[1, 1, 1], 4), None);
        assert_eq!(take_evenly(&[0, 0], 0), Some(vec![0, 0]));
        for need in 0..=30 {
            let available = [9, 0, 4, 13, 4];
            let take = take_evenly(&available, need).unwrap();
            assert_eq!(take.iter().sum::<u32>(), need);
            assert!(take.iter().zip(available).all(|(t, a)| *t <= a));
        }
    }

    #[test]
    fn add_evenly_fills_the_emptiest() {
        assert_eq!(add_evenly(&[5, 0, 3], 4), vec![0, 4, 0]);
        for extra in 0..=40 {
            let add = add_evenly(&[9, 0, 4, 13], extra);
            assert_eq!(add.iter().sum::<u32>(), extra, "{extra}");
        }
    }

    #[test]
    fn a_hold_tries_a_shard_likely_to_have_enough() {
        let mut planner = HoldPlanner::new(3, vec![Some(1), Some(5), Some(0)]);
        assert_eq!(planner.start(&mut rng()), Step::Take(1));
        let mut planner = HoldPlanner::new(3, vec![None; 4]);
        assert!(matches!(planner.start(&mut rng()), Step::Take(_)));
    }

    #[test]
    fn short_shards_lead_to_others_then_to_a_snapshot() {
        let mut r = rng();
        let mut planner = HoldPlanner::new(2, vec![None, None]);
        let Step::Take(first) = planner.start(&mut r) else { panic!() };
        let step = planner.next(Observation::Short { shard: first, available: 1 }, &mut r);
        assert_eq!(step, Step::Take(1 - first));
        let step = planner.next(Observation::Short { shard: 1 - first, available: 0 }, &mut r);
        assert_eq!(step, Step::Snapshot);
    }

    #[test]
    fn sold_out_only_when_the_snapshot_has_too_few() {
        let mut r = rng();
        let mut planner = HoldPlanner::new(4, vec![Some(0), Some(0)]);
        assert_eq!(planner.start(&mut r), Step::Snapshot);
        assert_eq!(planner.next(Observation::Snapshot(vec![1, 2]), &mut r), Step::SoldOut { remaining: 3 });
    }

    #[test]
    fn scattered_seats_are_gathered_before_the_take() {
        let mut r = rng();
        let mut planner = HoldPlanner::new(4, vec![Some(0), Some(0), Some(0)]);
        assert_eq!(planner.start(&mut r), Step::Snapshot);
        let step = planner.next(Observation::Snapshot(vec![2, 3, 1]), &mut r);
        let Step::Rebalance(plan) = step else { panic!("{step:?}") };
        assert_eq!(plan.to, 1);
        assert_eq!(plan.seats(), 1);
        assert_eq!(planner.next(Observation::Rebalanced, &mut r), Step::Take(1));
        // A failed rebalance looks again.
        let mut planner2 = planner.clone();
        planner2.last = Some(Step::Rebalance(plan));
        assert_eq!(planner2.next(Observation::Contended, &mut r), Step::Snapshot);
    }

    #[test]
    fn endless_contention_ends_busy_never_sold_out() {
        let mut r = rng();
        let mut planner = HoldPlanner::new(1, vec![None; 8]);
        let mut step = planner.start(&mut r);
        for _ in 0..100 {
            if step.is_final() {
                break;
            }
            step = planner.next(Observation::Contended, &mut r);
        }
        assert_eq!(step, Step::Busy);
    }

    #[test]
    fn a_take_updates_what_this_process_knows() {
        let mut r = rng();
        let mut planner = HoldPlanner::new(2, vec![Some(5)]);
        assert_eq!(planner.start(&mut r), Step::Take(0));
        assert_eq!(planner.next(Observation::Took, &mut r), Step::Held(0));
        assert_eq!(planner.known(), &[Some(3)]);
    }
}
