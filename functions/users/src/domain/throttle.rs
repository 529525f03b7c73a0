//! Slowing down password guessing without handing attackers a way to lock people out.
//!
//! Guesses are counted per (account, source): the email as typed (known or not, so
//! unknown emails are throttled exactly like real ones) and the client's IP, or the
//! session for a signed-in password change. Each attempt is counted *before* the
//! password is checked, with a compare-and-set on the counter, so parallel guesses
//! cannot slip past the limit. The first few attempts are free; after that each
//! one must wait a delay that doubles, up to a cap. A success clears the counter.
//!
//! Why not a lockout: a lock on the account (the old design) let anyone who knew an
//! email keep its owner out. Here an attacker only slows their own source down;
//! the owner, signing in from elsewhere or changing the password from a live
//! session, is never blocked by someone else's guesses (OWASP Authentication and
//! Credential Stuffing Prevention cheat sheets).

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Attempts allowed back to back before delays start.
    pub free_attempts: u32,
    /// The first delay, doubled for every further attempt.
    pub first_delay_seconds: i64,
    pub max_delay_seconds: i64,
    /// A counter left alone this long starts again from zero.
    pub forget_after_seconds: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self { free_attempts: 5, first_delay_seconds: 30, max_delay_seconds: 15 * 60, forget_after_seconds: 24 * 3600 }
    }
}

/// Attempts counted for one (account, source) and when the last one was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub count: u32,
    /// Epoch seconds.
    pub last_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptDecision {
    /// Check the password; store this count first (it includes this attempt).
    Allowed(Attempts),
    /// Refuse with 429 and `Retry-After` this many seconds, without checking.
    Wait(u64),
}

impl ThrottlePolicy {
    /// How long after the last attempt the next one may be made, given `count` so far.
    pub fn delay_after(&self, count: u32) -> i64 {
        if count < self.free_attempts {
            return 0;
        }
        let doublings = (count - self.free_attempts).min(30);
        self.first_delay_seconds.saturating_mul(1 << doublings).min(self.max_delay_seconds)
    }

    pub fn decide(&self, stored: Option<Attempts>, now: i64) -> AttemptDecision {
        let current = stored.filter(|a| now - a.last_at < self.forget_after_seconds);
        let Some(current) = current else { return AttemptDecision::Allowed(Attempts { count: 1, last_at: now }) };
        let allowed_at = current.last_at + self.delay_after(current.count);
        if now < allowed_at {
            return AttemptDecision::Wait((allowed_at - now) as u64);
        }
        AttemptDecision::Allowed(Attempts { count: current.count.saturating_add(1), last_at: now })
    }
}

/// The counter's key: a hash, so emails that have no account are not stored in clear.
pub fn login_key(email: &str, source_ip: &str) -> String {
    hashed_key("login", email, source_ip)
}

/// A signed-in password change is throttled per session: guesses made elsewhere
/// never block the owner's own change.
pub fn password_change_key(user_id: &str, session_id: &str) -> String {
    hashed_key("password-change", user_id, session_id)
}

fn hashed_key(kind: &str, who: &str, from: &str) -> String {
    let digest = Sha256::digest(format!("{kind}\0{who}\0{from}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_attempts_are_free_then_each_waits_twice_as_long() {
        let policy = ThrottlePolicy::default();
        let mut stored = None;
        for n in 1..=5 {
            match policy.decide(stored, 1_000) {
                AttemptDecision::Allowed(a) => {
                    assert_eq!(a.count, n);
                    stored = Some(a);
                }
                wait => panic!("attempt {n} should be free, got {wait:?}"),
            }
        }
        assert_eq!(policy.decide(stored, 1_000), AttemptDecision::Wait(30), "the sixth, at once");
        assert_eq!(policy.decide(stored, 1_029), AttemptDecision::Wait(1));
        let AttemptDecision::Allowed(sixth) = policy.decide(stored, 1_030) else { panic!("the delay is over") };
        assert_eq!(sixth, Attempts { count: 6, last_at: 1_030 });
        assert_eq!(policy.decide(Some(sixth), 1_031), AttemptDecision::Wait(59), "then 60 s");
    }

    #[test]
    fn delays_are_capped_and_old_counters_forgotten() {
        let policy = ThrottlePolicy::default();
        assert_eq!(policy.delay_after(4), 0);
        assert_eq!(policy.delay_after(5), 30);
        assert_eq!(policy.delay_after(7), 120);
        assert_eq!(policy.delay_after(20), 15 * 60);
        assert_eq!(policy.delay_after(u32::MAX), 15 * 60, "no overflow");
        let old = Some(Attempts { count: 40, last_at: 0 });
        assert_eq!(policy.decide(old, 24 * 3600), AttemptDecision::Allowed(Attempts { count: 1, last_at: 24 * 3600 }));
    }

    #[test]
    fn keys_separate_accounts_sources_and_kinds_and_hide_the_email() {
        let key = login_key("ada@example.com", "192.0.2.1");
        assert_eq!(key.len(), 64);
        assert!(!key.contains("ada"));
        assert_ne!(key, login_key("ada@example.com", "192.0.2.2"));
        assert_ne!(key, login_key("bob@example.com", "192.0.2.1"));
        assert_ne!(password_change_key("u1", "s1"), login_key("u1", "s1"));
    }
}
