//! POST /reservations/{id}/refunds `{amountMinor?, reason?}` (the event's organizer,
//! an admin): without an amount, or with all that is left, the booking is
//! cancelled and refunded in full (seats back, tickets void, the holder told),
//! through the same path as the holder's cancellation; with less, that part goes
//! back and the tickets stay valid. Never more than was paid in total. With an
//! `Idempotency-Key` the same key is the same refund, however often it is sent.
//! The money moves from the committed change (the table's stream), as every refund.

use super::{ReservationView, reservation_id};
use crate::domain::refund::{self, PartialRefund, RefundPlan};
use crate::domain::reservation::{CancelReason, Ending, Status};
use crate::store::{ReservationStore, StoreError};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, caller, json_response};

/// Namespace of refund ids derived from idempotency keys (UUID v5).
const REFUND_IDS: uuid::Uuid = uuid::Uuid::from_u128(0x2b8e_61f4_0c3a_4d7e_9f15_a6b2_c4d8_e031);

/// Tries when another refund of the same booking lands between the read and the write.
const TRIES: usize = 5;

pub async fn handle<S: ReservationStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let id = reservation_id(request)?;
    let ask = refund::read(Fields::new(json_object(request)?))?;
    let refund_id = match super::idempotency_key(request)? {
        Some(key) => uuid::Uuid::new_v5(&REFUND_IDS, format!("{id}:{}:{key}", caller.user_id).as_bytes()),
        None => uuid::Uuid::new_v4(),
    }
    .to_string();
    let mut caller = caller;
    for _ in 0..TRIES {
        let reservation = store.get(&id).await?.ok_or_else(|| ApiError::not_found("no such reservation"))?;
        caller.confirm_team(&reservation.organizer_id, |user| async move { store.current_team(&user).await }).await?;
        if !caller.may(shared::auth::Permission::Manage, &reservation.organizer_id) {
            return Err(ApiError::not_found("no such reservation"));
        }
        // Asked again: the refund it made stands.
        let done_before = reservation.refunds.iter().any(|p| p.id == refund_id)
            || (ask.amount_minor.is_none()
                && reservation.status == Status::Cancelled
                && reservation.cancel_reason == Some(CancelReason::Organizer));
        if done_before {
            return Ok(json_response(StatusCode::OK, &ReservationView::from(&reservation).without_secret()));
        }
        let now = clock.now();
        let written = match refund::plan(&reservation, &ask).map_err(|r| r.error())? {
            RefundPlan::Full => {
                let paid = refund::refundable(&reservation) > 0;
                store.release(&reservation, Ending::cancelled(CancelReason::Organizer, paid), now).await
            }
            RefundPlan::Partial(amount_minor) => {
                let part = PartialRefund {
                    id: refund_id.clone(),
                    amount_minor,
                    reason: ask.reason.clone(),
                    requested_at: now,
                    by: caller.user_id.clone(),
                };
                store.add_partial_refund(&reservation, &part, now).await
            }
        };
        match written {
            Ok(()) => {
                tracing::info!(reservation_id = %id, by = %caller.user_id, amount = ?ask.amount_minor, "organizer refund");
                let after = store.get(&id).await?.ok_or_else(ApiError::internal)?;
                return Ok(json_response(StatusCode::OK, &ReservationView::from(&after).without_secret()));
            }
            // Another refund, a cancellation or a dispute got there first: read again.
            Err(StoreError::Changed) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::service_unavailable("this booking is changing right now; try again"))
}
