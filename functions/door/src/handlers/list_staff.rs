//! GET /events/{id}/staff (the organizer): the event's door staff.

use super::{Access, Door, event_id};
use crate::store::DoorStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::{ApiError, caller, json_response};

pub async fn handle<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    door.authorize(&caller, &event_id, Access::Organizer).await?;
    let mut staff = door.store.staff(&event_id).await?;
    staff.sort_by(|a, b| a.email.cmp(&b.email));
    Ok(json_response(StatusCode::OK, &json!({ "staff": staff })))
}
