//! Login sessions and their refresh tokens.
//!
//! A refresh token is `<session id>.<secret>`: opaque and random to the client. Only
//! the SHA-256 of the current secret is stored. Every refresh rotates the secret;
//! presenting a secret that was already rotated means the token was copied, so the
//! whole session (the token family) is revoked, the thief's copy and the owner's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A session lives this long from login, however often it is refreshed.
pub const SESSION_LIFETIME_SECONDS: i64 = 30 * 24 * 3600;
/// Rotated secrets remembered per session, to recognise reuse.
pub const REMEMBERED_SECRETS: usize = 100;

const SECRET_BYTES: usize = 32;

pub fn new_session_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A fresh secret for `session_id`: the token to give the client and the hash to store.
pub fn new_refresh_token(session_id: &str) -> (String, String) {
    let mut secret = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let secret = URL_SAFE_NO_PAD.encode(secret);
    let hash = hash_secret(&secret);
    (format!("{session_id}.{secret}"), hash)
}

/// Splits a presented token into (session id, secret hash); `None` if it cannot be ours.
pub fn parse_refresh_token(token: &str) -> Option<(String, String)> {
    let (session_id, secret) = token.trim().split_once('.')?;
    let id_ok = session_id.len() == 32 && session_id.bytes().all(|b| b.is_ascii_hexdigit());
    let secret_ok = URL_SAFE_NO_PAD.decode(secret).is_ok_and(|bytes| bytes.len() == SECRET_BYTES);
    (id_ok && secret_ok).then(|| (session_id.to_owned(), hash_secret(secret)))
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshDecision {
    /// The current secret: issue a new one in its place, in this session.
    Rotate(Session),
    /// A secret that was already rotated: the token was copied; revoke the session.
    Reuse,
    /// Unknown, expired or revoked: refuse, nothing to change.
    Refuse,
}

pub fn decide(session: Option<&Session>, presented_hash: &str, now: i64) -> RefreshDecision {
    let Some(session) = session else { return RefreshDecision::Refuse };
    if session.revoked || session.expires_at <= now {
        return RefreshDecision::Refuse;
    }
    if same(&session.current_hash, presented_hash) {
        RefreshDecision::Rotate(session.clone())
    } else if session.previous_hashes.iter().any(|h| same(h, presented_hash)) {
        RefreshDecision::Reuse
    } else {
        RefreshDecision::Refuse
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(current: &str, previous: &[&str]) -> Session {
        Session {
            id: new_session_id(),
            user_id: "u1".into(),
            current_hash: current.into(),
            previous_hashes: previous.iter().map(|s| s.to_string()).collect(),
            revoked: false,
            expires_at: 2_000,
        }
    }

    #[test]
    fn tokens_parse_back_to_their_session_and_hash() {
        let id = new_session_id();
        let (token, hash) = new_refresh_token(&id);
        assert_eq!(parse_refresh_token(&token), Some((id, hash.clone())));
        assert_eq!(hash.len(), 64);
        assert!(!token.contains(&hash), "the stored hash is not in the token");
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        for bad in ["", "abc", "x.y", &format!("{}.short", new_session_id()), "zz.zz"] {
            assert_eq!(parse_refresh_token(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_current_secret_rotates_and_an_old_one_is_reuse() {
        let s = session("h2", &["h1"]);
        assert_eq!(decide(Some(&s), "h2", 1_000), RefreshDecision::Rotate(s.clone()));
        assert_eq!(decide(Some(&s), "h1", 1_000), RefreshDecision::Reuse);
        assert_eq!(decide(Some(&s), "h9", 1_000), RefreshDecision::Refuse);
    }

    #[test]
    fn revoked_expired_or_missing_sessions_refuse() {
        let mut s = session("h2", &[]);
        assert_eq!(decide(Some(&s), "h2", 2_000), RefreshDecision::Refuse, "expired");
        s.revoked = true;
        assert_eq!(decide(Some(&s), "h2", 1_000), RefreshDecision::Refuse, "revoked");
        assert_eq!(decide(None, "h2", 1_000), RefreshDecision::Refuse);
    }
}
