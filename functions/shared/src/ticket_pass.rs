//! Signed ticket codes, the contract between the ticket issuer (reservations) and
//! the door: what a ticket's QR code carries so a scanner can tell a genuine ticket
//! with no network.
//!
//! The code itself stays the 128-bit random one; the pass is that code signed, as a
//! JWS compact serialization (RFC 7515) with `alg` `EdDSA` (RFC 8037, Ed25519):
//! `base64url(header).base64url({"e": event, "t": code, "s": seat?}).base64url(sig)`.
//! No personal data is in it. Each event has its own key, derived from the
//! deployment's secret, so there is nothing to store and nothing to look up:
//! `seed = HMAC-SHA256(secret, "ticket-signing-key/v1/" + event id)`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const HEADER: &str = r#"{"alg":"EdDSA","typ":"ticket"}"#;
const DERIVATION: &str = "ticket-signing-key/v1/";

/// What a pass says: this code is a ticket of this event (for this seat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassClaims {
    #[serde(rename = "e")]
    pub event_id: String,
    #[serde(rename = "t")]
    pub code: String,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub seat_id: Option<String>,
}

/// The per-event keys of one deployment, from its secret.
#[derive(Clone)]
pub struct PassKeys {
    secret: Vec<u8>,
}

impl std::fmt::Debug for PassKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassKeys(..)")
    }
}

/// Why a scanned text is not a pass of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassError {
    #[error("not a signed ticket code")]
    Malformed,
    #[error("the ticket code's signature does not verify")]
    BadSignature,
}

impl PassKeys {
    /// From `TICKET_SIGNING_SECRET` (SSM in AWS, random per run locally).
    pub fn from_env() -> Result<Self, crate::ConfigError> {
        let secret = crate::env_required("TICKET_SIGNING_SECRET")?;
        Ok(Self::new(secret.as_bytes()))
    }

    pub fn new(secret: &[u8]) -> Self {
        Self { secret: secret.to_vec() }
    }

    fn signing_key(&self, event_id: &str) -> SigningKey {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(DERIVATION.as_bytes());
        mac.update(event_id.as_bytes());
        let seed: [u8; 32] = mac.finalize().into_bytes().into();
        SigningKey::from_bytes(&seed)
    }

    /// The event's public key, 32 bytes base64url, as scanners download it.
    pub fn public_key(&self, event_id: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.signing_key(event_id).verifying_key().to_bytes())
    }

    /// The pass a ticket's QR code shows. Ed25519 is deterministic: the same
    /// ticket always gets the same pass, so nothing needs storing.
    pub fn sign(&self, claims: &PassClaims) -> String {
        let payload = serde_json::to_vec(claims).expect("claims serialize");
        let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode(payload));
        let signature = self.signing_key(&claims.event_id).sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// The claims of a pass whose signature verifies with its event's key.
    pub fn verify(&self, pass: &str) -> Result<PassClaims, PassError> {
        let claims = unverified_claims(pass)?;
        let key = self.signing_key(&claims.event_id).verifying_key();
        verify_with(&key, pass)?;
        Ok(claims)
    }
}

/// Whether a scanned text looks like a pass (three dot-separated parts) rather
/// than a bare code typed at the door.
pub fn is_pass(text: &str) -> bool {
    text.split('.').count() == 3
}

fn unverified_claims(pass: &str) -> Result<PassClaims, PassError> {
    let mut parts = pass.split('.');
    let (Some(header), Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(PassError::Malformed);
    };
    let header = URL_SAFE_NO_PAD.decode(header).map_err(|_| PassError::Malformed)?;
    let header: serde_json::Value = serde_json::from_slice(&header).map_err(|_| PassError::Malformed)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("EdDSA") {
        return Err(PassError::Malformed);
    }
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| PassError::Malformed)?;
    serde_json::from_slice(&payload).map_err(|_| PassError::Malformed)
}

fn verify_with(key: &VerifyingKey, pass: &str) -> Result<(), PassError> {
    let (input, signature) = pass.rsplit_once('.').ok_or(PassError::Malformed)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| PassError::Malformed)?;
    let signature = Signature::from_slice(&signature).map_err(|_| PassError::Malformed)?;
    key.verify(input.as_bytes(), &signature).map_err(|_| PassError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(seat: Option<&str>) -> PassClaims {
        PassClaims { event_id: "ev-1".into(), code: "AAAAAAAAAAAAAAAAAAAAAA".into(), seat_id: seat.map(Into::into) }
    }

    #[test]
    fn a_signed_pass_verifies_and_says_what_it_was_signed_for() {
        let keys = PassKeys::new(b"secret");
        for seat in [None, Some("Nord-C-12")] {
            let pass = keys.sign(&claims(seat));
            assert!(is_pass(&pass));
            assert_eq!(keys.verify(&pass), Ok(claims(seat)));
            assert_eq!(keys.sign(&claims(seat)), pass, "deterministic");
        }
    }

    #[test]
    fn a_changed_payload_another_events_key_or_another_deployment_is_refused() {
        let keys = PassKeys::new(b"secret");
        let pass = keys.sign(&claims(None));
        let parts: Vec<&str> = pass.split('.').collect();
        let other = PassClaims { code: "BBBBBBBBBBBBBBBBBBBBBB".into(), ..claims(None) };
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&other).unwrap());
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(keys.verify(&forged), Err(PassError::BadSignature));
        assert_eq!(PassKeys::new(b"another").verify(&pass), Err(PassError::BadSignature));
        // Moving a pass to another event changes the payload and the key.
        let moved = PassClaims { event_id: "ev-2".into(), ..claims(None) };
        let moved =
            format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(serde_json::to_vec(&moved).unwrap()), parts[2]);
        assert_eq!(keys.verify(&moved), Err(PassError::BadSignature));
        assert_ne!(keys.public_key("ev-1"), keys.public_key("ev-2"));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        let keys = PassKeys::new(b"secret");
        for text in ["", "a.b", "a.b.c", "a.b.c.d", "..", "eyJhbGciOiJub25lIn0.e30.", "AAAAAAAAAAAAAAAAAAAAAA"] {
            assert_eq!(keys.verify(text), Err(PassError::Malformed), "{text}");
        }
    }

    #[test]
    fn the_public_key_verifies_a_pass_as_a_scanner_would() {
        let keys = PassKeys::new(b"secret");
        let pass = keys.sign(&claims(Some("A-1-1")));
        let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(keys.public_key("ev-1")).unwrap().try_into().unwrap();
        assert_eq!(verify_with(&VerifyingKey::from_bytes(&bytes).unwrap(), &pass), Ok(()));
        let claims_part = pass.split('.').nth(1).unwrap();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(claims_part).unwrap()).unwrap();
        assert_eq!(payload, r#"{"e":"ev-1","t":"AAAAAAAAAAAAAAAAAAAAAA","s":"A-1-1"}"#, "no personal data");
    }
}
