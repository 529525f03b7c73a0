//! Slowing down password guessing: after repeated failures an account refuses
//! logins for a while, whatever the password.

/// OWASP's guidance: a small number of attempts, then a lock measured in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_seconds: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self { max_failures: 5, lock_seconds: 15 * 60 }
    }
}

impl LockoutPolicy {
    /// Seconds until logins are allowed again, when the account is locked now.
    pub fn retry_after(&self, locked_until: Option<i64>, now: i64) -> Option<u64> {
        locked_until.filter(|until| *until > now).map(|until| (until - now) as u64)
    }

    /// After a failure that brought the count to `failures`: the time until which
    /// the account is locked, when this failure locks it.
    pub fn lock_after(&self, failures: u32, now: i64) -> Option<i64> {
        (failures >= self.max_failures).then_some(now + self.lock_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_on_the_fifth_failure_for_fifteen_minutes() {
        let policy = LockoutPolicy::default();
        assert_eq!(policy.lock_after(4, 1000), None);
        assert_eq!(policy.lock_after(5, 1000), Some(1000 + 900));
    }

    #[test]
    fn retry_after_counts_down_and_ends() {
        let policy = LockoutPolicy::default();
        assert_eq!(policy.retry_after(Some(1900), 1000), Some(900));
        assert_eq!(policy.retry_after(Some(1900), 1900), None);
        assert_eq!(policy.retry_after(None, 1000), None);
    }
}
