//! DELETE /reservations/{id}: the holder (or an admin) cancels. A pending hold is
//! released; a confirmed reservation's seats are released and its payment refunded,
//! until the event starts. The state change and the seat return are one
//! transaction, so seats come back once whatever races (a payment, the sweeper, a
//! second DELETE). The refund and the holder's notice follow from the committed
//! change (the table's stream, `forward_reservation_changes`): a repeated DELETE
//! answers with the cancellation as it stands and starts nothing new.

use super::{ReservationView, reservation_id};
use crate::domain::reservation::{CancelReason, CancelRefusal, Cancellation, Ending, cancellation};
use crate::store::ReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, Clock, Role, caller, json_response};

pub async fn handle<S: ReservationStore>(
    store: &S,
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
    let plan = cancellation(&reservation, now).map_err(|refusal| match refusal {
        CancelRefusal::EventStarted => {
            ApiError::conflict("event_started", "the event has started; tickets can no longer be cancelled")
        }
        CancelRefusal::NothingToCancel => ApiError::conflict("not_cancellable", "this reservation is already over"),
    })?;
    match plan {
        Cancellation::ReleaseHold => {
            store.release(&reservation, Ending::cancelled(CancelReason::Attendee, false), now).await?
        }
        Cancellation::Refund => {
            store.release(&reservation, Ending::cancelled(CancelReason::Attendee, true), now).await?
        }
        Cancellation::AlreadyCancelled => {}
    }
    tracing::info!(reservation_id = %id, by = %caller.user_id, ?plan, "reservation cancelled");
    let after = store.get(&id).await?.ok_or_else(ApiError::internal)?;
    Ok(json_response(StatusCode::OK, &ReservationView::from(&after)))
}
