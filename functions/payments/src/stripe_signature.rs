//! Stripe's webhook signatures: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`,
//! each `v1` an HMAC-SHA256 of `<t>.<raw body>` under the endpoint's signing secret
//! (stripe.com/docs/webhooks#verify-manually). While a secret is being rolled Stripe
//! signs with the old and the new one: any `v1` that matches is enough. Other schemes
//! (`v0`, test-mode signatures) are ignored. The comparison is constant-time, and an
//! event older (or newer) than the tolerance is refused so a captured delivery cannot
//! be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own libraries' default.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp or no v1 signature")]
    Malformed,
    #[error("the event was signed {age} s from now, beyond the {TOLERANCE_SECONDS} s tolerance")]
    Stale { age: i64 },
    #[error("no v1 signature matches the payload")]
    Mismatch,
}

/// Checks `header` against the raw `payload` and the endpoint's `secret` at `now` (Unix seconds).
pub fn verify(header: Option<&str>, payload: &[u8], secret: &str, now: i64) -> Result<(), SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let age = now - timestamp;
    if age.abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale { age });
    }
    let signed = |signature: &[u8]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        // `verify_slice` compares in constant time.
        mac.verify_slice(signature).is_ok()
    };
    if signatures.iter().any(|signature| signed(signature)) { Ok(()) } else { Err(SignatureError::Mismatch) }
}

/// The header Stripe would send for `payload` at `timestamp` (tests, and the docs' examples).
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(payload);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_signature_made_with_the_secret_is_accepted() {
        assert_eq!(verify(Some(&sign(BODY, SECRET, NOW)), BODY, SECRET, NOW), Ok(()));
        assert_eq!(verify(Some(&sign(BODY, SECRET, NOW - 299)), BODY, SECRET, NOW), Ok(()), "within the tolerance");
    }

    #[test]
    fn a_known_signature_from_stripes_algorithm() {
        // HMAC-SHA256("whsec_test_secret", "1800000000.{body}") computed independently
        // (Python's hmac module) so the test does not only check `sign` against itself.
        let header = "t=1800000000,v1=334f9dbfd609cf6c38f112f028756732c80faa7fdbeab117549d6303a5dcf896";
        assert_eq!(sign(BODY, SECRET, NOW), header);
        assert_eq!(verify(Some(header), BODY, SECRET, NOW), Ok(()));
    }

    #[test]
    fn forged_stale_and_missing_signatures_are_refused() {
        assert_eq!(verify(None, BODY, SECRET, NOW), Err(SignatureError::Missing));
        assert_eq!(verify(Some(""), BODY, SECRET, NOW), Err(SignatureError::Missing));
        assert_eq!(verify(Some("t=1800000000"), BODY, SECRET, NOW), Err(SignatureError::Malformed));
        assert_eq!(verify(Some("v1=abcd"), BODY, SECRET, NOW), Err(SignatureError::Malformed));
        let forged = sign(BODY, "whsec_someone_else", NOW);
        assert_eq!(verify(Some(&forged), BODY, SECRET, NOW), Err(SignatureError::Mismatch));
        let tampered = br#"{"id":"evt_1","type":"payment_intent.succeeded","x":1}"#;
        assert_eq!(verify(Some(&sign(BODY, SECRET, NOW)), tampered, SECRET, NOW), Err(SignatureError::Mismatch));
        assert_eq!(
            verify(Some(&sign(BODY, SECRET, NOW - 301)), BODY, SECRET, NOW),
            Err(SignatureError::Stale { age: 301 }),
            "a replay of an old delivery"
        );
        assert!(matches!(
            verify(Some(&sign(BODY, SECRET, NOW + 600)), BODY, SECRET, NOW),
            Err(SignatureError::Stale { .. })
        ));
        // A timestamp changed to pass the tolerance breaks the signature.
        let old = sign(BODY, SECRET, NOW - 1000);
        let moved = old.replacen(&(NOW - 1000).to_string(), &NOW.to_string(), 1);
        assert_eq!(verify(Some(&moved), BODY, SECRET, NOW), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_v1_may_match_while_a_secret_is_rolled() {
        let old = sign(BODY, "whsec_old", NOW);
        let new = sign(BODY, SECRET, NOW);
        let v1 = |header: &str| header.split(',').nth(1).unwrap().to_owned();
        let both = format!("t={NOW},{},{},v0=ignored", v1(&old), v1(&new));
        assert_eq!(verify(Some(&both), BODY, SECRET, NOW), Ok(()));
        assert_eq!(verify(Some(&both), BODY, "whsec_old", NOW), Ok(()));
        assert_eq!(verify(Some(&both), BODY, "whsec_other", NOW), Err(SignatureError::Mismatch));
    }
}
