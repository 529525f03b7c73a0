//! POST /payments/stripe/webhook: Stripe's events, authenticated by their signature
//! (no bearer token: the route has no authorizer). A bad, stale or missing
//! signature gets 400 and changes nothing. A verified event about a reservation's
//! payment becomes a "look again" on the payment queue; the consumer acts on the
//! intent as Stripe gives it then, so duplicates and reordered deliveries settle a
//! payment once. Answering 2xx only after the message is queued means Stripe
//! retries anything we did not take.

use crate::stripe_signature;
use crate::webhook::{self, Action, StripeEvent};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::messages::{CheckRequest, PaymentMessage, StripeNews, encode};
use shared::metrics::Metric;
use shared::sqs::Queue;
use shared::{ApiError, Clock, json_response};

pub struct Webhook<'a, Q> {
    /// The endpoint's signing secret (`whsec_...`).
    pub secret: &'a str,
    pub payments: &'a Q,
}

pub async fn handle<Q: Queue>(
    webhook: &Webhook<'_, Q>,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let header = request.headers().get("stripe-signature").and_then(|v| v.to_str().ok());
    let payload: &[u8] = request.body().as_ref();
    if let Err(why) = stripe_signature::verify(header, payload, webhook.secret, clock.now().timestamp()) {
        tracing::warn!(%why, "Stripe webhook refused");
        shared::metrics::count("payments", Metric::WebhooksRejected, 1);
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_signature", why.to_string()));
    }
    let event: StripeEvent =
        serde_json::from_slice(payload).map_err(|e| ApiError::bad_request(format!("not a Stripe event: {e}")))?;
    match webhook::action(&event) {
        Action::Check { reservation_id, intent_id } => {
            let cause = format!("webhook:{}:{}", event.kind, event.id);
            let check = PaymentMessage::Check(CheckRequest {
                reservation_id: reservation_id.clone(),
                intent_id: Some(intent_id),
                cause,
            });
            queue(webhook, check, &event).await?;
            tracing::info!(%reservation_id, "for a reservation's payment");
        }
        Action::Dispute { intent_id, dispute_id, reason } => {
            let news = StripeNews { intent_id, object_id: dispute_id, reason };
            queue(webhook, PaymentMessage::Disputed(news), &event).await?;
        }
        Action::RefundFailed { intent_id, refund_id, reason } => {
            let news = StripeNews { intent_id, object_id: refund_id, reason };
            queue(webhook, PaymentMessage::RefundFailed(news), &event).await?;
        }
        Action::Ignore(why) => {
            tracing::info!(event_id = %event.id, kind = %event.kind, why, "Stripe event acknowledged")
        }
    }
    Ok(json_response(StatusCode::OK, &json!({"received": true})))
}

async fn queue<Q: Queue>(
    webhook: &Webhook<'_, Q>,
    message: PaymentMessage,
    event: &StripeEvent,
) -> Result<(), ApiError> {
    webhook.payments.send(encode(&message), &event.id).await.map_err(|err| {
        tracing::error!(%err, "webhook not queued; Stripe will deliver it again");
        ApiError::service_unavailable("the event could not be taken now; deliver it again")
    })?;
    tracing::info!(event_id = %event.id, kind = %event.kind, "Stripe event queued");
    Ok(())
}
