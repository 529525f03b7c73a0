//! When an event's ticket holders are reminded: a lead time before the start,
//! 24 hours unless the organizer sets another (1 hour to 7 days). The reminder is
//! due from `start - lead` until the start; a moved start is a new occurrence
//! (holders are reminded of the new time).

use chrono::{DateTime, Duration, Utc};

pub const LEAD_DEFAULT_MINUTES: u32 = 24 * 60;
pub const LEAD_MIN_MINUTES: u32 = 60;
pub const LEAD_MAX_MINUTES: u32 = 7 * 24 * 60;

/// The lead an event uses: its own, or the default.
pub fn lead(minutes: Option<u32>) -> Duration {
    Duration::minutes(i64::from(minutes.unwrap_or(LEAD_DEFAULT_MINUTES)))
}

pub fn valid_lead(minutes: u32) -> bool {
    (LEAD_MIN_MINUTES..=LEAD_MAX_MINUTES).contains(&minutes)
}

/// From when reminders for an event starting at `start` go out.
pub fn due_at(start: DateTime<Utc>, lead: Duration) -> DateTime<Utc> {
    start - lead
}

/// Whether reminders for a start are due at `now`: from the lead time until the start.
pub fn is_due(start: DateTime<Utc>, lead: Duration, now: DateTime<Utc>) -> bool {
    due_at(start, lead) <= now && now < start
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Clock;
    use shared::clock::FixedClock;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn reminders_are_due_from_the_lead_time_until_the_start() {
        let start = at("2030-06-01T18:00:00Z");
        let day = lead(None);
        assert_eq!(day, Duration::hours(24));
        assert!(!is_due(start, day, FixedClock(at("2030-05-31T17:59:59Z")).now()));
        assert!(is_due(start, day, FixedClock(at("2030-05-31T18:00:00Z")).now()));
        assert!(is_due(start, day, at("2030-06-01T17:59:59Z")));
        assert!(!is_due(start, day, at("2030-06-01T18:00:00Z")), "too late once it started");
        // An event three days away is not due with the default lead, but is with four days.
        let now = at("2030-05-29T18:00:00Z");
        assert!(!is_due(start, day, now));
        assert!(is_due(start, lead(Some(4 * 24 * 60)), now));
    }

    #[test]
    fn leads_are_one_hour_to_seven_days() {
        assert!(valid_lead(60) && valid_lead(1440) && valid_lead(10_080));
        assert!(!valid_lead(59) && !valid_lead(10_081) && !valid_lead(0));
    }
}
