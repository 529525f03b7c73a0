//! Time as a parameter. Handlers and domain rules take a [`Clock`] (or the instant
//! it gave) instead of reading the system time, so tests set the time they need;
//! deployed functions pass [`SystemClock`]. Nothing shifts time from outside.

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real time: what every Lambda entry point passes.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The RFC 3339 text we store instants as (UTC, milliseconds: sorts as it reads).
pub fn stored(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stays_put_and_stored_text_sorts() {
        let t = DateTime::parse_from_rfc3339("2030-05-01T10:00:00+02:00").unwrap().with_timezone(&Utc);
        let clock = FixedClock(t);
        assert_eq!(clock.now(), clock.now());
        assert_eq!(stored(clock.now()), "2030-05-01T08:00:00.000Z");
        assert!(SystemClock.now() > t - chrono::Duration::days(36_500));
    }
}
