//! Login sessions and their refresh tokens.
//!
//! A refresh token is `<session id>.<secret>`: opaque and random to the client. Only
//! the SHA-256 of the current secret is stored. Every refresh rotates the secret;
//! presenting a secret that was already rotated means the token was copied, so the
//! whole session (the token family) is revoked, the thief's copy and the owner's.
//!
//! One exception keeps honest clients signed in on flaky networks: a client that
//! retries a refresh (its answer was lost, or it sent two at once) presents the
//! secret that was *just* rotated. Within [`REPLAY_GRACE_SECONDS`] of that rotation,
//! and only while its successor is still the current secret, the replay gets the
//! same successor again instead of revoking the family. The successor is derived
//! from the presented secret with a server-side key (HMAC), so it can be given
//! again without ever being stored.
//!
//! A session is also bound to the account's credentials version: a password or
//! role change bumps the version, and sessions of an older version are dead.

use super::account::User;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A session lives this long from login, however often it is refreshed.
pub const SESSION_LIFETIME_SECONDS: i64 = 30 * 24 * 3600;
/// Rotated secrets remembered per session, to recognise reuse.
pub const REMEMBERED_SECRETS: usize = 100;
/// How long a just-rotated secret may be replayed for the same successor. Long
/// enough for a client's retry after a lost answer or a timeout (mobile networks,
/// Lambda cold starts), short enough that it adds nothing to a thief's options: a
/// thief holding that secret could have refreshed with it a moment earlier anyway,
/// gets the very token the owner has (no new branch of the family), and replaying
/// it after the window, or after the owner rotated again, still revokes the family.
pub const REPLAY_GRACE_SECONDS: i64 = 30;

const SECRET_BYTES: usize = 32;

pub fn new_session_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A refresh token and the hash of its secret, the only part we store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token: String,
    pub hash: String,
}

/// A fresh random secret for a new session.
pub fn new_refresh_token(session_id: &str) -> RefreshToken {
    let mut secret = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    token_from(session_id, &secret)
}

/// The secret that follows `presented` in its session: HMAC-SHA256 under the
/// server's rotation key, so nobody without the key can compute it and the same
/// presented secret always has the same successor.
pub fn successor_token(rotation_key: &[u8], presented: &PresentedToken) -> RefreshToken {
    let mut mac = Hmac::<Sha256>::new_from_slice(rotation_key).expect("HMAC takes keys of any length");
    mac.update(b"refresh-token-successor\0");
    mac.update(presented.session_id.as_bytes());
    mac.update(b"\0");
    mac.update(presented.secret.as_bytes());
    let secret: [u8; SECRET_BYTES] = mac.finalize().into_bytes().into();
    token_from(&presented.session_id, &secret)
}

fn token_from(session_id: &str, secret: &[u8; SECRET_BYTES]) -> RefreshToken {
    let secret = URL_SAFE_NO_PAD.encode(secret);
    RefreshToken { hash: hash_secret(&secret), token: format!("{session_id}.{secret}") }
}

/// A token as a client presented it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedToken {
    pub session_id: String,
    secret: String,
    pub hash: String,
}

/// Splits a presented token; `None` if it cannot be one of ours.
pub fn parse_refresh_token(token: &str) -> Option<PresentedToken> {
    let (session_id, secret) = token.trim().split_once('.')?;
    let id_ok = session_id.len() == 32 && session_id.bytes().all(|b| b.is_ascii_hexdigit());
    let secret_ok = URL_SAFE_NO_PAD.decode(secret).is_ok_and(|bytes| bytes.len() == SECRET_BYTES);
    (id_ok && secret_ok).then(|| PresentedToken {
        session_id: session_id.to_owned(),
        secret: secret.to_owned(),
        hash: hash_secret(secret),
    })
}

fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A session as the refresh rules need to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub current_hash: String,
    pub previous_hashes: Vec<String>,
    pub revoked: bool,
    /// Epoch seconds.
    pub expires_at: i64,
    /// Epoch seconds of the last rotation, if any.
    pub rotated_at: Option<i64>,
    /// The account's credentials version when the session was created.
    pub credentials_version: u64,
}

/// Whether `session` still speaks for its user: not revoked or expired, the
/// account not erased, and no password or role change since it was created.
pub fn is_live(session: &Session, account: Option<&User>, now: i64) -> bool {
    !session.revoked
        && session.expires_at > now
        && account.is_some_and(|a| !a.deleted && a.credentials_version == session.credentials_version)
}

/// The rotated secrets to remember after `current` is rotated: the last
/// [`REMEMBERED_SECRETS`], oldest first.
pub fn remembered_after_rotation(previous: &[String], current: &str) -> Vec<String> {
    let keep_from = (previous.len() + 1).saturating_sub(REMEMBERED_SECRETS);
    previous[keep_from.min(previous.len())..].iter().cloned().chain([current.to_owned()]).collect()
}

/// Whether the presented secret is, or was, one of the session's: enough to sign
/// out with it.
pub fn knows(session: Option<&Session>, presented_hash: &str, now: i64) -> bool {
    session.is_some_and(|s| {
        !s.revoked
            && s.expires_at > now
            && (same(&s.current_hash, presented_hash) || s.previous_hashes.iter().any(|h| same(h, presented_hash)))
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshDecision {
    /// The current secret: issue `successor` in its place, in this session.
    Rotate(Session),
    /// A retry of the refresh that just rotated this secret: hand out the same
    /// successor again, change nothing.
    Replay(Session),
    /// A secret that was already rotated: the token was copied; revoke the session.
    Reuse,
    /// Unknown, expired or revoked: refuse, nothing to change.
    Refuse,
}

/// `successor_hash` is the hash of [`successor_token`] of the presented token.
pub fn decide(session: Option<&Session>, presented_hash: &str, successor_hash: &str, now: i64) -> RefreshDecision {
    let Some(session) = session else { return RefreshDecision::Refuse };
    if session.revoked || session.expires_at <= now {
        return RefreshDecision::Refuse;
    }
    if same(&session.current_hash, presented_hash) {
        return RefreshDecision::Rotate(session.clone());
    }
    let just_rotated = session.previous_hashes.last().is_some_and(|h| same(h, presented_hash))
        && session.rotated_at.is_some_and(|at| now < at + REPLAY_GRACE_SECONDS)
        && same(&session.current_hash, successor_hash);
    if just_rotated {
        RefreshDecision::Replay(session.clone())
    } else if session.previous_hashes.iter().any(|h| same(h, presented_hash)) {
        RefreshDecision::Reuse
    } else {
        RefreshDecision::Refuse
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a rotation key of enough length for tests";

    fn session(current: &str, previous: &[&str], rotated_at: Option<i64>) -> Session {
        Session {
            id: new_session_id(),
            user_id: "u1".into(),
            current_hash: current.into(),
            previous_hashes: previous.iter().map(|s| s.to_string()).collect(),
            revoked: false,
            expires_at: 2_000,
            rotated_at,
            credentials_version: 3,
        }
    }

    #[test]
    fn tokens_parse_back_to_their_session_and_hash() {
        let id = new_session_id();
        let fresh = new_refresh_token(&id);
        let parsed = parse_refresh_token(&fresh.token).unwrap();
        assert_eq!((parsed.session_id.as_str(), parsed.hash.as_str()), (id.as_str(), fresh.hash.as_str()));
        assert_eq!(fresh.hash.len(), 64);
        assert!(!fresh.token.contains(&fresh.hash), "the stored hash is not in the token");
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        for bad in ["", "abc", "x.y", &format!("{}.short", new_session_id()), "zz.zz"] {
            assert_eq!(parse_refresh_token(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn successors_are_stable_keyed_and_valid_tokens() {
        let presented = parse_refresh_token(&new_refresh_token(&new_session_id()).token).unwrap();
        let next = successor_token(KEY, &presented);
        assert_eq!(next, successor_token(KEY, &presented), "the same secret always has the same successor");
        assert_ne!(next, successor_token(b"another key entirely, also long", &presented), "it depends on the key");
        let parsed = parse_refresh_token(&next.token).unwrap();
        assert_eq!((parsed.session_id, parsed.hash), (presented.session_id.clone(), next.hash.clone()));
        assert_ne!(next.hash, presented.hash);
    }

    #[test]
    fn the_current_secret_rotates_and_an_old_one_is_reuse() {
        let s = session("h2", &["h1"], Some(900));
        assert_eq!(decide(Some(&s), "h2", "h3", 1_000), RefreshDecision::Rotate(s.clone()));
        assert_eq!(decide(Some(&s), "h1", "h2", 1_000), RefreshDecision::Reuse, "rotated long ago");
        assert_eq!(decide(Some(&s), "h9", "h10", 1_000), RefreshDecision::Refuse);
    }

    #[test]
    fn a_retry_within_the_grace_window_replays_the_same_successor() {
        let s = session("h2", &["h0", "h1"], Some(990));
        assert_eq!(decide(Some(&s), "h1", "h2", 1_000), RefreshDecision::Replay(s.clone()));
        assert_eq!(decide(Some(&s), "h1", "h2", 990 + REPLAY_GRACE_SECONDS), RefreshDecision::Reuse, "window over");
        assert_eq!(decide(Some(&s), "h0", "h1", 1_000), RefreshDecision::Reuse, "only the last rotated secret");
        assert_eq!(
            decide(Some(&s), "h1", "not the current one", 1_000),
            RefreshDecision::Reuse,
            "once the successor was itself rotated, the replay is reuse"
        );
    }

    #[test]
    fn rotation_remembers_the_last_hundred_secrets() {
        assert_eq!(remembered_after_rotation(&[], "h0"), ["h0"]);
        let full: Vec<String> = (0..REMEMBERED_SECRETS).map(|i| format!("h{i}")).collect();
        let after = remembered_after_rotation(&full, "now");
        assert_eq!(after.len(), REMEMBERED_SECRETS);
        assert_eq!((after[0].as_str(), after[REMEMBERED_SECRETS - 1].as_str()), ("h1", "now"), "the oldest goes");
        let overfull: Vec<String> = (0..REMEMBERED_SECRETS + 5).map(|i| format!("h{i}")).collect();
        assert_eq!(remembered_after_rotation(&overfull, "now").len(), REMEMBERED_SECRETS);
    }

    #[test]
    fn revoked_expired_or_missing_sessions_refuse() {
        let mut s = session("h2", &[], None);
        assert_eq!(decide(Some(&s), "h2", "h3", 2_000), RefreshDecision::Refuse, "expired");
        s.revoked = true;
        assert_eq!(decide(Some(&s), "h2", "h3", 1_000), RefreshDecision::Refuse, "revoked");
        assert_eq!(decide(None, "h2", "h3", 1_000), RefreshDecision::Refuse);
    }

    #[test]
    fn a_credentials_change_or_erasure_ends_every_older_session() {
        let s = session("h", &[], None);
        let account = |credentials_version, deleted| User {
            credentials_version,
            deleted,
            ..User::new_account("a@example.com".into(), "A".into(), shared::Role::Attendee, "h".into(), "t")
        };
        assert!(is_live(&s, Some(&account(3, false)), 1_000));
        assert!(!is_live(&s, Some(&account(4, false)), 1_000), "password or role changed since");
        assert!(!is_live(&s, Some(&account(3, true)), 1_000), "account erased");
        assert!(!is_live(&s, None, 1_000), "account gone");
        assert!(!is_live(&s, Some(&account(3, false)), 2_000), "expired");
    }
}
