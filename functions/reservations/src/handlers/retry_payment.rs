//! POST /reservations/{id}/payment: `{paymentMethod}`, the holder's next card after
//! the bank's challenge failed, while the hold lasts. The card is recorded on the
//! reservation (`paymentAttempt` grows) and the charge of it follows from that
//! commit (the stream asks payments to attach it to the intent and confirm it).
//! 202: the reservation shows the payment as processing; follow it with GET.

use super::{ReservationView, reservation_id};
use crate::domain::order::read_payment_method;
use crate::domain::reservation::{RetryRefusal, may_retry_payment};
use crate::store::dynamodb::DynamoReservationStore;
use crate::store::{ReservationStore, StoreError};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, caller, json_response};

pub async fn handle(
    store: &DynamoReservationStore,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let id = reservation_id(request)?;
    let payment_method = read_payment_method(Fields::new(json_object(request)?))?;
    let reservation = match store.get(&id).await? {
        Some(r) if r.user_id == caller.user_id => r,
        _ => return Err(ApiError::not_found("no such reservation")),
    };
    let now = clock.now();
    let attempt = may_retry_payment(&reservation, now).map_err(|refusal| match refusal {
        RetryRefusal::HoldExpired => ApiError::conflict("hold_expired", "the seats are no longer held; book again"),
        RetryRefusal::NotAwaitingCard => StoreError::NotAwaitingCard.into(),
    })?;
    let retried = match store.retry_payment(&reservation, &payment_method, attempt, now).await {
        Ok(retried) => retried,
        // Paid, released or retried by a concurrent request meanwhile.
        Err(StoreError::Changed) => return Err(StoreError::NotAwaitingCard.into()),
        Err(err) => return Err(err.into()),
    };
    tracing::info!(reservation_id = %id, attempt, "another card given");
    Ok(json_response(StatusCode::ACCEPTED, &ReservationView::from(&retried)))
}
