//! The waiting room's rules: who is let in, in what order, at what pace.
//!
//! - Whoever joins before the sale opens is in the **pre-queue**. Its order is
//!   drawn at the opening: each place's draw is a keyed hash of the account with a
//!   seed made at the opening ([`draw`]), so neither the fastest connection nor the
//!   server knows the order before then. A pre-queue place's position is its draw's
//!   share of the pre-queue: `floor(draw × size) + 1`.
//! - Whoever joins after the opening gets the next number, after the pre-queue
//!   (first come, first served: [`arrival_position`]). With one counter that is
//!   strict order, at up to about 1,000 joins a second (one item's writes); more
//!   counters take more joins, their numbers interleaving (FIFO within a few places).
//! - The room admits `admitPerMinute` positions a minute from the opening
//!   ([`admitted_through`]). An admitted account gets an admission token.
//! - A place that stops asking for its status for `abandon_after` seconds
//!   (default [`ABANDONED_AFTER_SECONDS`]) before its turn is abandoned: it is not admitted, and joining again starts
//!   at the back.

/// Counters handing out arrival numbers after the opening (1: strict arrival order).
pub const ARRIVAL_COUNTERS: u64 = 1;
/// Counters the pre-queue's joins are counted on (order does not matter there, so
/// they spread: no one item takes every early join).
pub const PRE_QUEUE_COUNTERS: u64 = 8;
/// A waiting place not seen for this long is abandoned (the default).
pub const ABANDONED_AFTER_SECONDS: i64 = 90;
/// How long an admitted account may buy before its admission lapses.
pub const ADMISSION_VALID_SECONDS: i64 = 15 * 60;
/// How long one admission token lasts (the page fetches a fresh one as needed).
pub const TOKEN_VALID_SECONDS: i64 = 5 * 60;

/// A place's draw in `[0, 1)`: the first 8 bytes of a keyed hash of the account
/// (the caller computes `keyed_hash`, e.g. HMAC-SHA256 with the opening's seed).
pub fn draw(keyed_hash: &[u8]) -> f64 {
    let mut bytes = [0u8; 8];
    for (b, h) in bytes.iter_mut().zip(keyed_hash) {
        *b = *h;
    }
    // 53 bits: exactly representable in an f64 in [0, 1).
    (u64::from_be_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// A pre-queue place's position among `pre_queue` places.
pub fn pre_queue_position(draw: f64, pre_queue: u64) -> u64 {
    ((draw * pre_queue as f64).floor() as u64).min(pre_queue.saturating_sub(1)) + 1
}

/// The position of the `count`-th arrival (1-based) on counter `counter`, after
/// the pre-queue.
pub fn arrival_position(pre_queue: u64, counter: u64, count: u64) -> u64 {
    pre_queue + (count.max(1) - 1) * ARRIVAL_COUNTERS + counter + 1
}

/// The last position admitted `elapsed_seconds` after the opening.
pub fn admitted_through(admit_per_minute: u64, elapsed_seconds: f64) -> u64 {
    if elapsed_seconds < 0.0 {
        return 0;
    }
    (admit_per_minute as f64 * elapsed_seconds / 60.0).floor() as u64
}

/// Seconds until `position` is admitted, from `elapsed_seconds` after the opening.
pub fn estimated_wait_seconds(admit_per_minute: u64, position: u64, elapsed_seconds: f64) -> u64 {
    if admit_per_minute == 0 {
        return u64::MAX;
    }
    let admitted_at = position as f64 * 60.0 / admit_per_minute as f64;
    (admitted_at - elapsed_seconds.max(0.0)).max(0.0).ceil() as u64
}

/// Where a place stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The sale has not opened: the order is not drawn yet.
    PreQueue,
    Waiting {
        position: u64,
        ahead: u64,
    },
    Admitted {
        position: u64,
    },
    /// It stopped asking before its turn, or its admission lapsed.
    Abandoned,
}

/// A place's standing at `now` (seconds since the epoch throughout).
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// Its position, once known (drawn or numbered).
    pub position: Option<u64>,
    pub last_seen: i64,
    /// When it was first seen admitted.
    pub admitted_at: Option<i64>,
}

pub fn standing(place: &Place, opens_at: i64, admit_per_minute: u64, abandon_after: i64, now: i64) -> Standing {
    let Some(position) = place.position else { return Standing::PreQueue };
    if now < opens_at {
        return Standing::PreQueue;
    }
    if let Some(admitted) = place.admitted_at {
        return if now - admitted <= ADMISSION_VALID_SECONDS {
            Standing::Admitted { position }
        } else {
            Standing::Abandoned
        };
    }
    let through = admitted_through(admit_per_minute, (now - opens_at) as f64);
    // Abandoned if it was not seen since well before its turn came.
    let turn_came = opens_at + (position as f64 * 60.0 / admit_per_minute.max(1) as f64).ceil() as i64;
    if now - place.last_seen > abandon_after && place.last_seen < turn_came {
        return Standing::Abandoned;
    }
    if position <= through {
        Standing::Admitted { position }
    } else {
        Standing::Waiting { position, ahead: position - through - 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_uniform_in_zero_one() {
        assert_eq!(draw(&[0; 32]), 0.0);
        assert!(draw(&[0xff; 32]) < 1.0);
        assert!((draw(&[0x80, 0, 0, 0, 0, 0, 0, 0]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn pre_queue_positions_cover_one_to_n() {
        assert_eq!(pre_queue_position(0.0, 10), 1);
        assert_eq!(pre_queue_position(0.999_999, 10), 10);
        assert_eq!(pre_queue_position(0.55, 10), 6);
        assert_eq!(pre_queue_position(0.3, 0), 1);
    }

    #[test]
    fn arrivals_follow_the_pre_queue_interleaved_over_counters() {
        assert_eq!(arrival_position(100, 0, 1), 101);
        assert_eq!(arrival_position(100, 0, 2), 100 + ARRIVAL_COUNTERS + 1);
        assert_eq!(arrival_position(100, ARRIVAL_COUNTERS - 1, 1), 100 + ARRIVAL_COUNTERS);
    }

    #[test]
    fn admission_moves_at_the_rate_from_the_opening() {
        assert_eq!(admitted_through(600, -1.0), 0);
        assert_eq!(admitted_through(600, 0.0), 0);
        assert_eq!(admitted_through(600, 30.0), 300);
        assert_eq!(estimated_wait_seconds(600, 400, 30.0), 10);
        assert_eq!(estimated_wait_seconds(600, 100, 30.0), 0);
    }

    #[test]
    fn standing_follows_the_front_and_abandons_the_silent() {
        let opens = 1_000;
        let place = Place { position: Some(120), last_seen: opens, admitted_at: None };
        assert_eq!(standing(&place, opens, 60, ABANDONED_AFTER_SECONDS, opens - 5), Standing::PreQueue);
        assert_eq!(
            standing(&place, opens, 60, ABANDONED_AFTER_SECONDS, opens + 60),
            Standing::Waiting { position: 120, ahead: 59 }
        );
        let seen = Place { last_seen: opens + 115, ..place };
        assert_eq!(
            standing(&seen, opens, 60, ABANDONED_AFTER_SECONDS, opens + 120),
            Standing::Admitted { position: 120 }
        );
        // Not seen for more than 90 s before its turn: abandoned.
        assert_eq!(standing(&place, opens, 60, ABANDONED_AFTER_SECONDS, opens + 119), Standing::Abandoned);
        let admitted = Place { admitted_at: Some(opens + 120), ..seen };
        assert_eq!(
            standing(&admitted, opens, 60, ABANDONED_AFTER_SECONDS, opens + 120 + 15 * 60),
            Standing::Admitted { position: 120 }
        );
        assert_eq!(standing(&admitted, opens, 60, ABANDONED_AFTER_SECONDS, opens + 121 + 15 * 60), Standing::Abandoned);
        let unnumbered = Place { position: None, ..place };
        assert_eq!(standing(&unnumbered, opens, 60, ABANDONED_AFTER_SECONDS, opens + 10), Standing::PreQueue);
    }
}
