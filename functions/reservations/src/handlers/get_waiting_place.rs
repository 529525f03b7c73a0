//! GET /events/{id}/tiers/{tierId}/waiting-list: the caller's place in line
//! (404 `not_waiting` when they are not in it: never joined, left, or offered seats).

use super::waiting_list::{PlaceView, tier_path};
use crate::store::dynamodb::DynamoReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, caller, json_response};

pub async fn handle(store: &DynamoReservationStore, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let (event_id, tier_id) = tier_path(request)?;
    let place = store.waiting_place(&event_id, &tier_id, &caller.user_id).await?.ok_or_else(not_waiting)?;
    let position = store.waiting_position(&place).await?;
    Ok(json_response(StatusCode::OK, &PlaceView::new(&place, position)))
}

pub(crate) fn not_waiting() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_waiting", "you are not on this waiting list")
}
