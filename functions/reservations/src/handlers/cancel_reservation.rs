//! DELETE /reservations/{id}: the holder (or an admin) cancels. A pending hold is
//! released; a confirmed reservation's seats are released and its payment refunded
//! (through the payment queue), until the event starts. The state change and the
//! seat return are one transaction, so seats come back once whatever races (a
//! payment, the sweeper, a second DELETE).

use super::{ReservationView, reservation_id};
use crate::domain::reservation::{CancelRefusal, Cancellation, Status, cancellation};
use crate::store::ReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::messages::{NotificationKind, PaymentMessage, RefundReason, RefundRequest, encode};
use shared::sqs::Queue;
use shared::{ApiError, Clock, Role, caller, json_response};

pub async fn handle<S: ReservationStore, Q: Queue>(
    store: &S,
    payments: &Q,
    notifications: &Q,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let id = reservation_id(request)?;
    let reservation = match store.get(&id).await? {
        Some(r) if r.user_id == caller.user_id || caller.role == Role::Admin => r,
        _ => return Err(ApiError::not_found("no such reservation")),
    };
    let now = clock.now();
    let correlation = shared::correlation_id(request);
    let plan = cancellation(&reservation, now).map_err(|refusal| match refusal {
        CancelRefusal::EventStarted => {
            ApiError::conflict("event_started", "the event has started; tickets can no longer be cancelled")
        }
        CancelRefusal::NothingToCancel => ApiError::conflict("not_cancellable", "this reservation is already over"),
    })?;
    match plan {
        Cancellation::ReleaseHold => {
            store.release(&reservation, Status::Cancelled, false, now).await?;
            let cancelled =
                crate::domain::reservation::Reservation { status: Status::Cancelled, ..reservation.clone() };
            // The hold is released whatever happens to the email: a lost notice is logged, not fatal.
            if let Err(err) = notifications
                .send(encode(&cancelled.notification(NotificationKind::ReservationCancelled)), &correlation)
                .await
            {
                tracing::error!(reservation_id = %id, %err, "cancellation notice not queued");
            }
        }
        Cancellation::Refund => {
            store.release(&reservation, Status::Cancelled, true, now).await?;
            request_refund(payments, &id, &correlation).await?;
        }
        Cancellation::RepeatRefund => request_refund(payments, &id, &correlation).await?,
    }
    tracing::info!(reservation_id = %id, by = %caller.user_id, ?plan, "reservation cancelled");
    let after = store.get(&id).await?.ok_or_else(ApiError::internal)?;
    Ok(json_response(StatusCode::OK, &ReservationView::from(&after)))
}

/// Asks payments to refund. If the queue refuses, the reservation stays marked
/// `refundRequested` and the client's retry of DELETE asks again.
async fn request_refund<Q: Queue>(payments: &Q, id: &str, correlation: &str) -> Result<(), ApiError> {
    let message = PaymentMessage::Refund(RefundRequest {
        reservation_id: id.to_owned(),
        reason: RefundReason::CancelledByAttendee,
    });
    payments.send(encode(&message), correlation).await.map_err(|err| {
        tracing::error!(reservation_id = %id, %err, "refund request not queued");
        let mut unavailable =
            ApiError::service_unavailable("the cancellation is recorded but the refund could not be started; retry");
        unavailable.retry_after = Some(1);
        unavailable
    })
}
