//! POST /events/{id}/staff `{"email"}` (the organizer): grants an existing account
//! the door role for this event only (grants are read on every scan).

use super::{Access, Door, event_id};
use crate::store::{DoorStore, StaffGrant};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, caller, json_response};

pub async fn handle<S: DoorStore>(
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
