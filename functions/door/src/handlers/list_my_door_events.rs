//! GET /users/me/door-events: the events the caller was made door staff of.

use super::Door;
use crate::store::DoorStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::{ApiError, caller, json_response};

pub async fn handle<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let mut grants = door.store.grants_of(&caller.user_id).await?;
    grants.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then_with(|| a.event_id.cmp(&b.event_id)));
    let events: Vec<_> = grants
        .iter()
        .map(|g| json!({"eventId": g.event_id, "title": g.title, "startsAt": g.starts_at, "as": "staff"}))
        .collect();
    Ok(json_response(StatusCode::OK, &json!({ "events": events })))
}
