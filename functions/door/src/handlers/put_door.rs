//! PUT /events/{id}/door (the organizer): the gates and re-entry,
//! `{"gates": [{"name", "tierIds"?}], "reentry": bool}`; answers as GET does.

use super::get_door::view;
use super::{Access, Door, event_id};
use crate::domain::rules::DoorRules;
use crate::store::DoorStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::json_object;
use shared::{ApiError, FieldError, caller, json_response};

pub async fn handle<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let mut body = json_object(request)?;
    let (gates, reentry) = (body.remove("gates"), body.remove("reentry"));
    let unknown: Vec<FieldError> = body.keys().map(|k| FieldError::new(k.clone(), "is not a known field")).collect();
    if !unknown.is_empty() {
        return Err(ApiError::validation(unknown));
    }
    let event = door.authorize(&caller, &event_id, Access::Organizer).await?;
    let tier_ids: Vec<String> = event.tiers.iter().map(|(id, _)| id.clone()).collect();
    let rules = DoorRules::parse(gates.as_ref(), reentry.as_ref(), &tier_ids).map_err(ApiError::validation)?;
    door.store.put_rules(&event_id, &rules).await?;
    tracing::info!(%event_id, gates = rules.gates.len(), reentry = rules.reentry, "door set up");
    Ok(json_response(StatusCode::OK, &view(door, &event, &rules)))
}
