//! The event's door staff, set by its organizer: POST /events/{id}/staff
//! `{"email"}` grants an existing account the door role for this event only; GET
//! lists them; DELETE /events/{id}/staff/{userId} revokes at once (grants are read
//! on every scan).

use super::{Access, Door, event_id};
use crate::store::{DoorStore, StaffGrant};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, caller, json_response};

pub async fn grant<S: DoorStore>(
    door: &Door<S>,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let mut fields = Fields::new(json_object(request)?);
    let email = fields.required_str("email");
    let email = fields.finish_with(|| email)?;
    let event = door.authorize(&caller, &event_id, Access::Organizer).await?;
    let Some((user_id, contact)) = users::contact::user_by_email(&door.client, &door.users_table, &email).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_account",
            "no account has this email: ask them to sign up first, then add them",
        ));
    };
    let grant = StaffGrant {
        event_id: event_id.clone(),
        user_id,
        email: contact.email,
        name: contact.name,
        granted_at: clock.now(),
        title: event.title.clone(),
        starts_at: event.starts_at,
    };
    door.store.grant(&grant).await?;
    tracing::info!(%event_id, user_id = %grant.user_id, "door staff granted");
    Ok(json_response(StatusCode::CREATED, &grant))
}

pub async fn list<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    door.authorize(&caller, &event_id, Access::Organizer).await?;
    let mut staff = door.store.staff(&event_id).await?;
    staff.sort_by(|a, b| a.email.cmp(&b.email));
    Ok(json_response(StatusCode::OK, &json!({ "staff": staff })))
}

pub async fn revoke<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
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
