//! DELETE /events/{id}/tiers/{tierId}/waiting-list: the caller leaves the line
//! (204; 404 `not_waiting` when they are not in it). Seats already offered stay
//! theirs until the offer ends: that is a reservation, cancelled like any other.

use super::get_waiting_place::not_waiting;
use super::waiting_list::tier_path;
use crate::store::dynamodb::DynamoReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, caller};

pub async fn handle(store: &DynamoReservationStore, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let (event_id, tier_id) = tier_path(request)?;
    let place = store.waiting_place(&event_id, &tier_id, &caller.user_id).await?.ok_or_else(not_waiting)?;
    if !store.leave_waiting_list(&place).await? {
        // Offered seats (or left from another tab) meanwhile.
        return Err(not_waiting());
    }
    tracing::info!(%event_id, %tier_id, "left the waiting list");
    Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).map_err(|_| ApiError::internal())
}
