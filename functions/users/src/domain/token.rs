//! Short-lived signed access tokens (JWT, HS256). The API's authorizer verifies
//! them; clients read `exp` to refresh in time.

use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use shared::Role;

/// A key shorter than this makes HS256 guessable.
pub const MIN_KEY_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub role: Role,
    /// The session the token was issued for; revoking the session revokes the token.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the token signing key must be at least {MIN_KEY_BYTES} bytes")]
pub struct WeakKey;

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    pub ttl_seconds: i64,
    rotation_key: [u8; 32],
}

impl Tokens {
    pub fn new(key: &[u8], issuer: &str, audience: &str, ttl_seconds: i64) -> Result<Self, WeakKey> {
        if key.len() < MIN_KEY_BYTES {
            return Err(WeakKey);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        // Refresh-token successors get their own key, derived from the signing key,
        // so one secret never serves two purposes.
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(b"ticketing refresh-token rotation key v1");
        Ok(Self {
            rotation_key: mac.finalize().into_bytes().into(),
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_seconds,
        })
    }

    pub fn issue(&self, user_id: &str, role: Role, session_id: &str, now: i64) -> (String, AccessClaims) {
        let claims = AccessClaims {
            sub: user_id.to_owned(),
            role,
            sid: session_id.to_owned(),
            iat: now,
            exp: now + self.ttl_seconds,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail");
        (token, claims)
    }

    /// The key that derives a refresh token's successor (see `session::successor_token`).
    pub fn rotation_key(&self) -> &[u8] {
        &self.rotation_key
    }

    /// The claims of a well-signed, unexpired token for our issuer and audience.
    /// Why a token fails is not told to anyone: every failure is `None`.
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation).ok().map(|data| data.claims)
    }
}

/// `Authorization: Bearer <token>` → the token.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn tokens() -> Tokens {
        Tokens::new(KEY, "ticketing", "ticketing-api", 900).unwrap()
    }

    #[test]
    fn issued_tokens_verify_with_their_claims() {
        let (token, claims) = tokens().issue("u1", Role::Organizer, "s1", now());
        let verified = tokens().verify(&token).unwrap();
        assert_eq!(verified, claims);
        assert_eq!(verified.exp - verified.iat, 900);
        assert_eq!(verified.role, Role::Organizer);
    }

    #[test]
    fn weak_keys_are_refused() {
        assert_eq!(Tokens::new(b"short", "i", "a", 900).err(), Some(WeakKey));
    }

    #[test]
    fn expired_foreign_or_tampered_tokens_fail() {
        let (expired, _) = tokens().issue("u1", Role::Attendee, "s1", now() - 3600);
        assert_eq!(tokens().verify(&expired), None);

        let other = Tokens::new(b"another key that is long enough!!", "ticketing", "ticketing-api", 900).unwrap();
        let (foreign, _) = other.issue("u1", Role::Attendee, "s1", now());
        assert_eq!(tokens().verify(&foreign), None);

        let wrong_audience = Tokens::new(KEY, "ticketing", "someone-else", 900).unwrap();
        assert_eq!(tokens().verify(&wrong_audience.issue("u1", Role::Attendee, "s1", now()).0), None);

        // Edit the role claim without re-signing.
        let (token, _) = tokens().issue("u1", Role::Attendee, "s1", now());
        let parts: Vec<&str> = token.split('.').collect();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        let edited = URL_SAFE_NO_PAD.encode(payload.replace("attendee", "admin"));
        assert_eq!(tokens().verify(&format!("{}.{}.{}", parts[0], edited, parts[2])), None);

        assert_eq!(tokens().verify("not.a.jwt"), None);
        assert_eq!(tokens().verify(""), None);
    }

    #[test]
    fn alg_none_is_refused() {
        let (token, _) = tokens().issue("u1", Role::Admin, "s1", now());
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(tokens().verify(&format!("{none_header}.{}.", parts[1])), None);
    }

    #[test]
    fn bearer_scheme_is_required() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }
}
