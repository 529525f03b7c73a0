//! POST /reservations/{id}/transfer `{"email"}`: the holder hands the tickets to
//! another account before the event. New codes are issued and the old ones stop
//! opening the door, in one conditional write; both holders are told by email and
//! the door hears of it, from the committed change (the table's stream). The
//! organizer's participants list follows (it reads the holder from the booking).

use super::{ReservationView, reservation_id};
use crate::domain::tickets;
use crate::domain::transfer::may_transfer;
use crate::store::ReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, caller, json_response};

/// What a transfer reads besides the reservation: the recipient's account, the
/// event's rule and start, whether a ticket was used at the door.
pub struct TransferReads {
    pub client: aws_sdk_dynamodb::Client,
    pub users_table: String,
    pub events_table: String,
    pub door_table: String,
}

pub async fn handle<S: ReservationStore>(
    store: &S,
    reads: &TransferReads,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let id = reservation_id(request)?;
    let mut fields = Fields::new(json_object(request)?);
    let email = fields.required_str("email");
    let email = fields.finish_with(|| email)?;
    let reservation = match store.get(&id).await? {
        Some(r) if r.user_id == caller.user_id => r,
        _ => return Err(ApiError::not_found("no such reservation")),
    };
    let Some((recipient, _)) = users::contact::user_by_email(&reads.client, &reads.users_table, &email).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_account",
            "no account has this email: ask them to sign up first, then hand the tickets on",
        ));
    };
    let offer =
        events::inventory::offer(&reads.client, &reads.events_table, &reservation.event_id, &reservation.tier_id)
            .await?
            .ok_or_else(|| ApiError::conflict("not_transferable", "the event of these tickets is gone"))?;
    let checked_in = door::contract::any_checked_in(&reads.client, &reads.door_table, &reservation.tickets).await?;
    let now = clock.now();
    may_transfer(&reservation, &recipient, offer.ticket_transfers, offer.starts_at, checked_in, now)
        .map_err(|refusal| ApiError::conflict(refusal.code(), refusal.message()))?;
    let codes = tickets::new_codes(reservation.quantity);
    store.transfer(&reservation, &recipient, &codes, now).await?;
    tracing::info!(reservation_id = %id, from = %caller.user_id, to = %recipient, "tickets handed on");
    let after = store.get(&id).await?.ok_or_else(ApiError::internal)?;
    // The former holder's last view of it: without the new codes.
    let mut view = ReservationView::from(&after);
    view.tickets.clear();
    Ok(json_response(StatusCode::OK, &view))
}
