//! GET /reservations/{id}: its holder, the event's organizer (or a member of their
//! team who reads sales), or an admin; anyone else gets 404, as if it did not exist.

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
    let found = store.get(&id).await?;
    let mut caller = caller.clone();
    if let Some(r) = found.as_ref().filter(|r| r.user_id != caller.user_id) {
        caller.confirm_team(&r.organizer_id, |user| async move { store.current_team(&user).await }).await?;
    }
    match found {
        Some(r) if r.user_id == caller.user_id => {
            Ok(json_response(StatusCode::OK, &ReservationView::from(&r).with_passes(keys, &r)))
        }
        // The organizer's team sees it too when their part reads sales.
        Some(r) if r.visible_to(viewer) || caller.may(shared::auth::Permission::ReadSales, &r.organizer_id) => {
            Ok(json_response(StatusCode::OK, &ReservationView::from(&r).without_secret()))
        }
        _ => Err(ApiError::not_found("no such reservation")),
    }
}
