//! DELETE /events/{id}/staff/{userId} (the organizer): revokes a door grant at once
//! (grants are read on every scan).

use super::{Access, Door, event_id};
use crate::store::DoorStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use shared::{ApiError, caller};

pub async fn handle<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let user_id = request
        .path_parameters()
        .first("userId")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("no such door staff"))?;
    door.authorize(&caller, &event_id, Access::Organizer).await?;
    if !door.store.revoke(&event_id, &user_id).await? {
        return Err(ApiError::not_found("no such door staff"));
    }
    tracing::info!(%event_id, %user_id, "door staff revoked");
    Ok(lambda_http::Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).expect("a valid response"))
}
