//! POST /reservations: `{eventId, tierId, quantity, paymentMethod}` → 201 and a
//! pending reservation whose seats are held; the charge happens on the payment
//! queue. With an `Idempotency-Key` header, the same key and body answer what the
//! first request answered, another body 422, a request still running 409.
//!
//! If the payment request cannot be queued, the hold is released at once (the
//! client gets 503 and may retry); should that release fail too, the sweeper
//! releases the hold when it expires. No reservation is stranded.

use super::{ReservationView, correlation_id};
use crate::domain::order::{self, OrderRefusal};
use crate::domain::reservation::{Reservation, Status};
use crate::store::ReservationStore;
use chrono::Duration;
use events::inventory::Offer;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};
use shared::body::{Fields, json_object};
use shared::idempotency::{self, Claim, IdempotencyStore};
use shared::messages::{ChargeRequest, PaymentMessage, encode};
use shared::sqs::Queue;
use shared::{ApiError, Clock, caller, json_response};
use std::future::Future;

/// Reads what is on sale (the events domain's inventory contract).
pub trait Offers: Send + Sync {
    fn offer(
        &self,
        event_id: &str,
        tier_id: &str,
    ) -> impl Future<Output = Result<Option<Offer>, shared::dynamo::Failure>> + Send;
}

pub struct Settings {
    /// How long seats stay held for payment.
    pub hold_for: Duration,
}

/// Longest `Idempotency-Key` accepted (Stripe's limit).
const IDEMPOTENCY_KEY_MAX: usize = 255;

/// What an idempotent request stores to answer a replay.
#[derive(Serialize, Deserialize)]
struct StoredAnswer {
    status: u16,
    body: String,
}

pub async fn handle<S: ReservationStore, O: Offers, Q: Queue>(
    store: &S,
    offers: &O,
    payments: &Q,
    idempotency: &IdempotencyStore,
    settings: &Settings,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let key = match request.headers().get("idempotency-key") {
        None => None,
        Some(value) => {
            match value.to_str().ok().map(str::trim).filter(|k| !k.is_empty() && k.len() <= IDEMPOTENCY_KEY_MAX) {
                Some(key) => Some(format!("{}:{key}", caller.user_id)),
                None => {
                    return Err(ApiError::bad_request(format!(
                        "Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} visible characters"
                    )));
                }
            }
        }
    };
    let Some(key) = key else {
        return book(store, offers, payments, settings, clock, request, &caller.user_id).await;
    };
    let fingerprint = idempotency::fingerprint(&[request.body().as_ref()]);
    match idempotency.begin(&key, &fingerprint, clock.now().timestamp()).await? {
        Claim::Replay(stored) => {
            let answer: StoredAnswer = serde_json::from_str(&stored).map_err(|_| ApiError::internal())?;
            let status = StatusCode::from_u16(answer.status).map_err(|_| ApiError::internal())?;
            let mut response = Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::Text(answer.body))
                .map_err(|_| ApiError::internal())?;
            response.headers_mut().insert("idempotent-replayed", "true".parse().expect("static header"));
            Ok(response)
        }
        Claim::InFlight => Err(ApiError::conflict(
            "request_in_progress",
            "a request with this Idempotency-Key is still being processed",
        )),
        Claim::Mismatch => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        )),
        Claim::Proceed => {
            let response =
                shared::respond(book(store, offers, payments, settings, clock, request, &caller.user_id).await);
            if response.status().is_server_error() {
                // Nothing was kept: let a retry with the same key run again.
                idempotency.release(&key).await?;
            } else {
                let body = match response.body() {
                    Body::Text(text) => text.clone(),
                    _ => String::new(),
                };
                let stored = serde_json::to_string(&StoredAnswer { status: response.status().as_u16(), body })
                    .map_err(|_| ApiError::internal())?;
                idempotency.complete(&key, &stored).await?;
            }
            Ok(response)
        }
    }
}

async fn book<S: ReservationStore, O: Offers, Q: Queue>(
    store: &S,
    offers: &O,
    payments: &Q,
    settings: &Settings,
    clock: &impl Clock,
    request: &Request,
    user_id: &str,
) -> Result<Response<Body>, ApiError> {
    let order = order::read(Fields::new(json_object(request)?))?;
    let offer = offers
        .offer(&order.event_id, &order.tier_id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such event or tier"))?;
    let now = clock.now();
    let correlation = correlation_id(request);
    let reservation =
        order::hold(&order, &offer, uuid::Uuid::new_v4().to_string(), user_id, &correlation, now, settings.hold_for)
            .map_err(refusal)?;
    store.hold(&reservation, now).await?;
    tracing::info!(reservation_id = %reservation.id, correlation_id = %correlation, quantity = reservation.quantity, "seats held");
    if let Err(err) = payments.send(encode(&charge(&reservation)), &correlation).await {
        tracing::error!(reservation_id = %reservation.id, %err, "payment request not queued; releasing the hold");
        match store.release(&reservation, Status::Cancelled, false, clock.now()).await {
            Ok(()) => {}
            Err(release) => {
                tracing::error!(reservation_id = %reservation.id, %release, "release failed; the sweeper will release it")
            }
        }
        let mut unavailable = ApiError::service_unavailable("the booking could not be started; please try again");
        unavailable.retry_after = Some(1);
        return Err(unavailable);
    }
    let mut response = json_response(StatusCode::CREATED, &ReservationView::from(&reservation));
    response
        .headers_mut()
        .insert("location", format!("/reservations/{}", reservation.id).parse().expect("uuid header"));
    Ok(response)
}

fn charge(r: &Reservation) -> PaymentMessage {
    PaymentMessage::Charge(ChargeRequest {
        reservation_id: r.id.clone(),
        user_id: r.user_id.clone(),
        event_id: r.event_id.clone(),
        amount_minor: r.amount_minor,
        currency: r.currency.clone(),
        payment_method: r.payment_method.clone(),
        hold_expires_at: shared::clock::stored(r.hold_expires_at),
    })
}

fn refusal(refusal: OrderRefusal) -> ApiError {
    match refusal {
        OrderRefusal::NotOnSale => ApiError::conflict("sales_closed", "sales for this event are not open"),
        OrderRefusal::Quantity(field) => ApiError::validation(vec![field]),
        OrderRefusal::SoldOut { remaining } => {
            ApiError::conflict("sold_out", format!("not enough seats left in this tier: {remaining} remaining"))
        }
    }
}
