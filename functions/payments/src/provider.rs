//! The payment provider, behind a small trait; [`Stripe`] speaks Stripe's HTTP API
//! (PaymentIntents, Refunds). Locally the same adapter talks to localstripe.
//!
//! Why a small typed client and not the `async-stripe` crate: we call four
//! endpoints; `async-stripe` generates the whole API (hundreds of thousands of
//! lines) and brings its own HTTP stack, while reqwest over the rustls the AWS SDK
//! already compiles costs little build time and binary size.

use serde::Deserialize;
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntentStatus {
    /// Created, not yet confirmed: no money moved.
    RequiresConfirmation,
    Succeeded,
    /// The card was declined (Stripe's decline code); no money moved.
    Declined(String),
    /// The buyer must act (3-D Secure): Stripe's `next_action.type`.
    RequiresAction(String),
    /// The buyer failed (or abandoned) the bank's challenge: another card may be
    /// attached and confirmed. No money moved.
    AuthenticationFailed,
    /// Cancelled (by us, at the hold's end): no money moved, none ever will.
    Canceled,
    /// Anything else Stripe may answer (processing, ...).
    Other(String),
}

/// Stripe's code for a failed 3-D Secure challenge.
const AUTHENTICATION_FAILURE: &str = "payment_intent_authentication_failure";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub status: IntentStatus,
    /// What the buyer's browser confirms the intent with (Stripe.js).
    pub client_secret: Option<String>,
    /// The reservation it pays for (`metadata.reservation_id`).
    pub reservation_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Timeout, connection refused, 5xx, 429: try again later.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request itself (4xx other than a decline): a retry
    /// will not help.
    #[error("payment provider refused the request: {0}")]
    Rejected(String),
}

pub trait PaymentProvider: Send + Sync {
    /// An unconfirmed intent for the amount; `key` makes a retried create return
    /// the same intent at providers that honour idempotency keys.
    fn create_intent(
        &self,
        key: &str,
        amount_minor: i64,
        currency: &str,
        payment_method: &str,
        reservation_id: &str,
    ) -> impl Future<Output = Result<Intent, ProviderError>> + Send;
    fn intent(&self, id: &str) -> impl Future<Output = Result<Intent, ProviderError>> + Send;
    /// Confirms (charges) the intent: `Succeeded`, `Declined`, or `RequiresAction`
    /// when the bank asks the buyer to authenticate.
    /// `key` names the attempt (a retried card is a new confirmation).
    fn confirm(&self, id: &str, key: &str) -> impl Future<Output = Result<Intent, ProviderError>> + Send;
    /// Attaches another payment method to an intent whose authentication failed.
    fn attach(&self, id: &str, payment_method: &str) -> impl Future<Output = Result<Intent, ProviderError>> + Send;
    /// Cancels an intent nobody will pay any more (`Rejected` once it succeeded).
    fn cancel(&self, id: &str) -> impl Future<Output = Result<Intent, ProviderError>> + Send;
    /// Refunds the intent's charge in full.
    fn refund(&self, key: &str, intent_id: &str) -> impl Future<Output = Result<(), ProviderError>> + Send;
    /// Refunds `amount_minor` of the intent's charge, naming `refund_id` in its metadata.
    fn refund_part(
        &self,
        key: &str,
        intent_id: &str,
        amount_minor: i64,
        refund_id: &str,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;
    /// Whether the intent has a refund naming `refund_id` (asked before making again a
    /// refund whose earlier attempt's answer was lost).
    fn part_refunded(
        &self,
        intent_id: &str,
        refund_id: &str,
    ) -> impl Future<Output = Result<bool, ProviderError>> + Send;
    /// Whether the intent's charge has been refunded (in full): asked before a refund
    /// whose earlier attempt's answer was lost is tried again.
    fn refunded(&self, intent_id: &str) -> impl Future<Output = Result<bool, ProviderError>> + Send;
}

/// The refund state of a PaymentIntent: its charges (`charges.data`, as older API
/// versions and localstripe give them) or its `latest_charge` (newer versions: an id,
/// or the charge when expanded).
fn refunded_from(body: &serde_json::Value) -> Option<bool> {
    let fully = |charge: &serde_json::Value| {
        charge["refunded"] == true
            || charge["amount_refunded"].as_i64().is_some_and(|r| r > 0 && Some(r) >= charge["amount"].as_i64())
    };
    if let Some(charges) = body["charges"]["data"].as_array() {
        return Some(charges.iter().any(fully));
    }
    if body["latest_charge"].is_object() {
        return Some(fully(&body["latest_charge"]));
    }
    if body["latest_charge"].is_null() {
        return Some(false);
    }
    None
}

/// Stripe's API over HTTPS, with a timeout on every call.
pub struct Stripe {
    http: reqwest::Client,
    base: String,
    secret_key: String,
}

#[derive(Deserialize)]
struct IntentBody {
    id: String,
    status: String,
    #[serde(default)]
    last_payment_error: Option<ErrorBody>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    next_action: Option<NextAction>,
    #[serde(default)]
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    reservation_id: Option<String>,
}

#[derive(Deserialize)]
struct NextAction {
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    decline_code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

impl Stripe {
    pub fn new(base: &str, secret_key: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build().expect("HTTP client");
        Self { http, base: base.trim_end_matches('/').to_owned(), secret_key: secret_key.to_owned() }
    }

    async fn call(&self, request: reqwest::RequestBuilder) -> Result<(u16, String), ProviderError> {
        let (status, text) = shared::outbound::timed(async {
            let response = request.basic_auth(&self.secret_key, Some("")).send().await?;
            let status = response.status().as_u16();
            Ok::<_, reqwest::Error>((status, response.text().await?))
        })
        .await
        .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        // Only the request itself can be wrong (400 bad parameters, 402 declined, 404 an
        // unknown payment method). 401/403 (a rotated key), 409 (a concurrent request
        // with the same idempotency key), 429 and 5xx are ours or passing: retry.
        if !(200..300).contains(&status) && !matches!(status, 400 | 402 | 404) {
            return Err(ProviderError::Unavailable(format!("{status}: {text}")));
        }
        Ok((status, text))
    }

    fn intent_from(&self, status: u16, text: &str) -> Result<Intent, ProviderError> {
        if status == 402 {
            // A declined confirmation: the intent id is in the error's payment_intent; the
            // caller reads the intent again for its final state.
            let envelope: ErrorEnvelope =
                serde_json::from_str(text).map_err(|e| ProviderError::Rejected(e.to_string()))?;
            let code = envelope.error.decline_code.or(envelope.error.code).unwrap_or_else(|| "card_declined".into());
            return Ok(Intent {
                id: String::new(),
                status: IntentStatus::Declined(code),
                client_secret: None,
                reservation_id: None,
            });
        }
        if !(200..300).contains(&status) {
            return Err(ProviderError::Rejected(format!("{status}: {text}")));
        }
        let body: IntentBody = serde_json::from_str(text).map_err(|e| ProviderError::Rejected(e.to_string()))?;
        let status = match body.status.as_str() {
            "requires_confirmation" => IntentStatus::RequiresConfirmation,
            "succeeded" => IntentStatus::Succeeded,
            "requires_action" => IntentStatus::RequiresAction(
                body.next_action.and_then(|a| a.kind).unwrap_or_else(|| "use_stripe_sdk".into()),
            ),
            "canceled" => IntentStatus::Canceled,
            "requires_payment_method" => match body.last_payment_error {
                Some(error) if error.code.as_deref() == Some(AUTHENTICATION_FAILURE) => {
                    IntentStatus::AuthenticationFailed
                }
                Some(error) => IntentStatus::Declined(
                    error.decline_code.or(error.code).or(error.message).unwrap_or_else(|| "card_declined".into()),
                ),
                None => IntentStatus::Other("requires_payment_method".into()),
            },
            other => IntentStatus::Other(other.to_owned()),
        };
        let reservation_id = body.metadata.and_then(|m| m.reservation_id);
        Ok(Intent { id: body.id, status, client_secret: body.client_secret, reservation_id })
    }
}

impl PaymentProvider for Stripe {
    async fn create_intent(
        &self,
        key: &str,
        amount_minor: i64,
        currency: &str,
        payment_method: &str,
        reservation_id: &str,
    ) -> Result<Intent, ProviderError> {
        let form = [
            ("amount", amount_minor.to_string()),
            ("currency", currency.to_ascii_lowercase()),
            ("payment_method", payment_method.to_owned()),
            ("confirm", "false".to_owned()),
            ("metadata[reservation_id]", reservation_id.to_owned()),
        ];
        let request =
            self.http.post(format!("{}/v1/payment_intents", self.base)).header("Idempotency-Key", key).form(&form);
        let (status, text) = self.call(request).await?;
        self.intent_from(status, &text)
    }

    async fn intent(&self, id: &str) -> Result<Intent, ProviderError> {
        let (status, text) = self.call(self.http.get(format!("{}/v1/payment_intents/{id}", self.base))).await?;
        self.intent_from(status, &text)
    }

    async fn confirm(&self, id: &str, key: &str) -> Result<Intent, ProviderError> {
        let request =
            self.http.post(format!("{}/v1/payment_intents/{id}/confirm", self.base)).header("Idempotency-Key", key);
        let (status, text) = self.call(request).await?;
        let intent = self.intent_from(status, &text)?;
        Ok(Intent { id: id.to_owned(), ..intent })
    }

    async fn attach(&self, id: &str, payment_method: &str) -> Result<Intent, ProviderError> {
        let request = self
            .http
            .post(format!("{}/v1/payment_intents/{id}", self.base))
            .form(&[("payment_method", payment_method)]);
        let (status, text) = self.call(request).await?;
        self.intent_from(status, &text)
    }

    async fn cancel(&self, id: &str) -> Result<Intent, ProviderError> {
        let request = self
            .http
            .post(format!("{}/v1/payment_intents/{id}/cancel", self.base))
            .header("Idempotency-Key", format!("cancel-{id}"));
        let (status, text) = self.call(request).await?;
        self.intent_from(status, &text)
    }

    async fn refund(&self, key: &str, intent_id: &str) -> Result<(), ProviderError> {
        let request = self
            .http
            .post(format!("{}/v1/refunds", self.base))
            .header("Idempotency-Key", key)
            .form(&[("payment_intent", intent_id)]);
        let (status, text) = self.call(request).await?;
        if (200..300).contains(&status) {
            Ok(())
        } else if text.contains("charge_already_refunded") {
            Ok(())
        } else {
            Err(ProviderError::Rejected(format!("{status}: {text}")))
        }
    }

    async fn refund_part(
        &self,
        key: &str,
        intent_id: &str,
        amount_minor: i64,
        refund_id: &str,
    ) -> Result<(), ProviderError> {
        let amount = amount_minor.to_string();
        let request = self.http.post(format!("{}/v1/refunds", self.base)).header("Idempotency-Key", key).form(&[
            ("payment_intent", intent_id),
            ("amount", amount.as_str()),
            ("metadata[refund_id]", refund_id),
        ]);
        let (status, text) = self.call(request).await?;
        if (200..300).contains(&status) { Ok(()) } else { Err(ProviderError::Rejected(format!("{status}: {text}"))) }
    }

    async fn part_refunded(&self, intent_id: &str, refund_id: &str) -> Result<bool, ProviderError> {
        let url = format!("{}/v1/refunds?payment_intent={intent_id}&limit=100", self.base);
        let (status, text) = self.call(self.http.get(url)).await?;
        if !(200..300).contains(&status) {
            return Err(ProviderError::Rejected(format!("{status}: {text}")));
        }
        let body: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| ProviderError::Rejected(e.to_string()))?;
        Ok(body["data"].as_array().is_some_and(|refunds| {
            refunds.iter().any(|r| r["metadata"]["refund_id"] == refund_id && r["status"] != "failed")
        }))
    }

    async fn refunded(&self, intent_id: &str) -> Result<bool, ProviderError> {
        let (status, text) = self.call(self.http.get(format!("{}/v1/payment_intents/{intent_id}", self.base))).await?;
        if !(200..300).contains(&status) {
            return Err(ProviderError::Rejected(format!("{status}: {text}")));
        }
        let body: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| ProviderError::Rejected(e.to_string()))?;
        if let Some(refunded) = refunded_from(&body) {
            return Ok(refunded);
        }
        // Newer API versions name the charge only: read it.
        let charge = body["latest_charge"].as_str().unwrap_or_default();
        let (status, text) = self.call(self.http.get(format!("{}/v1/charges/{charge}", self.base))).await?;
        if !(200..300).contains(&status) {
            return Err(ProviderError::Rejected(format!("{status}: {text}")));
        }
        let charge: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| ProviderError::Rejected(e.to_string()))?;
        Ok(charge["refunded"] == true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe() -> Stripe {
        Stripe::new("http://127.0.0.1:1", "sk_test", Duration::from_millis(50))
    }

    #[test]
    fn intents_read_as_their_state() {
        let s = stripe();
        let created = s.intent_from(200, r#"{"id":"pi_1","status":"requires_confirmation"}"#).unwrap();
        assert_eq!(
            created,
            Intent {
                id: "pi_1".into(),
                status: IntentStatus::RequiresConfirmation,
                client_secret: None,
                reservation_id: None
            }
        );
        let challenged = s
            .intent_from(
                200,
                r#"{"id":"pi_1","status":"requires_action","client_secret":"pi_1_secret_x","next_action":{"type":"use_stripe_sdk"}}"#,
            )
            .unwrap();
        assert_eq!(challenged.status, IntentStatus::RequiresAction("use_stripe_sdk".into()));
        assert_eq!(challenged.client_secret.as_deref(), Some("pi_1_secret_x"));
        let failed_challenge = s
            .intent_from(
                200,
                r#"{"id":"pi_1","status":"requires_payment_method","last_payment_error":{"code":"payment_intent_authentication_failure"}}"#,
            )
            .unwrap();
        assert_eq!(failed_challenge.status, IntentStatus::AuthenticationFailed);
        let cancelled = s.intent_from(200, r#"{"id":"pi_1","status":"canceled"}"#).unwrap();
        assert_eq!(cancelled.status, IntentStatus::Canceled);
        let ours =
            s.intent_from(200, r#"{"id":"pi_1","status":"succeeded","metadata":{"reservation_id":"r1"}}"#).unwrap();
        assert_eq!(ours.reservation_id.as_deref(), Some("r1"));
        let paid = s.intent_from(200, r#"{"id":"pi_1","status":"succeeded"}"#).unwrap();
        assert_eq!(paid.status, IntentStatus::Succeeded);
        let declined = s
            .intent_from(
                200,
                r#"{"id":"pi_1","status":"requires_payment_method","last_payment_error":{"code":"card_declined"}}"#,
            )
            .unwrap();
        assert_eq!(declined.status, IntentStatus::Declined("card_declined".into()));
        let refused =
            s.intent_from(402, r#"{"error":{"code":"card_declined","message":"Your card was declined."}}"#).unwrap();
        assert_eq!(refused.status, IntentStatus::Declined("card_declined".into()));
        assert!(matches!(s.intent_from(400, "bad"), Err(ProviderError::Rejected(_))));
    }

    #[tokio::test]
    async fn an_unreachable_provider_is_unavailable_not_a_failure_of_the_payment() {
        let err = stripe().intent("pi_1").await.unwrap_err();
        assert!(matches!(err, ProviderError::Unavailable(_)), "{err:?}");
    }

    #[test]
    fn a_refund_is_read_from_the_intents_charge_in_either_api_shape() {
        let old = |refunded: i64| serde_json::json!({"charges": {"data": [{"amount": 2500, "amount_refunded": refunded, "refunded": refunded == 2500}]}});
        assert_eq!(refunded_from(&old(2500)), Some(true));
        assert_eq!(refunded_from(&old(0)), Some(false));
        assert_eq!(refunded_from(&serde_json::json!({"charges": {"data": []}})), Some(false));
        let expanded = serde_json::json!({"latest_charge": {"amount": 2500, "amount_refunded": 2500}});
        assert_eq!(refunded_from(&expanded), Some(true));
        assert_eq!(refunded_from(&serde_json::json!({"latest_charge": null})), Some(false));
        assert_eq!(refunded_from(&serde_json::json!({"latest_charge": "ch_1"})), None, "the charge must be read");
    }

    #[test]
    fn only_the_request_itself_is_rejected() {
        let s = stripe();
        assert!(matches!(s.intent_from(404, r#"{"error":{}}"#), Err(ProviderError::Rejected(_))));
    }
}
