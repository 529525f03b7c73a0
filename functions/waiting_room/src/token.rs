//! Admission tokens: the waiting room's published contract with the reservations
//! domain. A JWT (HS256) bound to one account and one event, valid a few minutes;
//! the room issues it to an admitted account, `POST /reservations` checks it while
//! the event's room is on. The key (`ADMISSION_TOKEN_KEY`, from SSM) is this
//! contract's own: it signs nothing else.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// A key shorter than this makes HS256 guessable.
pub const MIN_KEY_BYTES: usize = 32;
const ISSUER: &str = "waiting-room";
const AUDIENCE: &str = "reservations";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmissionClaims {
    /// The admitted account.
    pub sub: String,
    /// The event it may buy for.
    pub evt: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Why a hold's admission token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no admission token")]
    Missing,
    #[error("the admission token has expired")]
    Expired,
    /// Forged, garbled, or issued to another account or for another event.
    #[error("the admission token is not valid for this account and event")]
    Invalid,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the admission token key must be at least {MIN_KEY_BYTES} bytes")]
pub struct WeakKey;

pub struct AdmissionTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl AdmissionTokens {
    pub fn new(key: &[u8]) -> Result<Self, WeakKey> {
        if key.len() < MIN_KEY_BYTES {
            return Err(WeakKey);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Expiry is checked against the caller's clock below, not the system's.
        validation.validate_exp = false;
        Ok(Self { encoding: EncodingKey::from_secret(key), decoding: DecodingKey::from_secret(key), validation })
    }

    /// From `ADMISSION_TOKEN_KEY`.
    pub fn from_env() -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let key = shared::env_required("ADMISSION_TOKEN_KEY")?;
        Ok(Self::new(key.as_bytes())?)
    }

    /// A token for `user_id` to buy for `event_id` until `now + valid_seconds`.
    pub fn issue(&self, user_id: &str, event_id: &str, now: i64, valid_seconds: i64) -> (String, i64) {
        let claims = AdmissionClaims {
            sub: user_id.to_owned(),
            evt: event_id.to_owned(),
            iat: now,
            exp: now + valid_seconds,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail");
        (token, claims.exp)
    }

    /// Whether `token` admits `user_id` to buy for `event_id` at `now`.
    pub fn check(&self, token: Option<&str>, user_id: &str, event_id: &str, now: i64) -> Result<(), Refusal> {
        let token = token.map(str::trim).filter(|t| !t.is_empty()).ok_or(Refusal::Missing)?;
        let claims = jsonwebtoken::decode::<AdmissionClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| Refusal::Invalid)?
            .claims;
        if claims.sub != user_id || claims.evt != event_id {
            return Err(Refusal::Invalid);
        }
        if now >= claims.exp {
            return Err(Refusal::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"an admission key of at least 32 bytes!!";

    #[test]
    fn a_token_admits_its_account_for_its_event_until_it_expires() {
        let tokens = AdmissionTokens::new(KEY).unwrap();
        let (token, exp) = tokens.issue("u1", "e1", 1_000, 300);
        assert_eq!(exp, 1_300);
        assert_eq!(tokens.check(Some(&token), "u1", "e1", 1_299), Ok(()));
        assert_eq!(tokens.check(Some(&token), "u1", "e1", 1_300), Err(Refusal::Expired));
        assert_eq!(tokens.check(Some(&token), "u2", "e1", 1_100), Err(Refusal::Invalid));
        assert_eq!(tokens.check(Some(&token), "u1", "e2", 1_100), Err(Refusal::Invalid));
        assert_eq!(tokens.check(None, "u1", "e1", 1_100), Err(Refusal::Missing));
        assert_eq!(tokens.check(Some("  "), "u1", "e1", 1_100), Err(Refusal::Missing));
        assert_eq!(tokens.check(Some("garbage"), "u1", "e1", 1_100), Err(Refusal::Invalid));
        let forged = AdmissionTokens::new(b"another key, also at least 32 bytes long").unwrap();
        let (token, _) = forged.issue("u1", "e1", 1_000, 300);
        assert_eq!(tokens.check(Some(&token), "u1", "e1", 1_100), Err(Refusal::Invalid));
        assert!(AdmissionTokens::new(b"short").is_err());
    }
}
