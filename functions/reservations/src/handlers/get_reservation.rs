//! GET /reservations/{id}: its holder, the event's organizer, or an admin; anyone
//! else gets 404, as if it did not exist.

use super::{ReservationView, reservation_id};
use crate::domain::reservation::Viewer;
use crate::store::ReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::ticket_pass::PassKeys;
use shared::{ApiError, Role, caller, json_response};

pub async fn handle<S: ReservationStore>(
    store: &S,
    keys: &PassKeys,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let id = reservation_id(request)?;
    let viewer = Viewer { user_id: &caller.user_id, is_admin: caller.role == Role::Admin };
    match store.get(&id).await? {
        Some(r) if r.user_id == caller.user_id => {
            Ok(json_response(StatusCode::OK, &ReservationView::from(&r).with_passes(keys, &r)))
        }
        Some(r) if r.visible_to(viewer) => {
            Ok(json_response(StatusCode::OK, &ReservationView::from(&r).without_secret()))
        }
        _ => Err(ApiError::not_found("no such reservation")),
    }
}
