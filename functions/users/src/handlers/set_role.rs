//! PATCH /users/{id}/role: `{role}` (admins). The change bumps the person's
//! credentials version, so their sessions end and the new role applies at their
//! next sign-in. The caller's own role is checked again in the same transaction:
//! a token issued before a demotion cannot grant anything.

use super::{ADMINS, now, profile_response};
use crate::domain::account::check_role_change;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, Role, caller};

pub async fn handle<S: UserStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let admin = caller(request)?;
    admin.require(ADMINS)?;
    let target = request
        .path_parameters()
        .first("id")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    let mut fields = Fields::new(json_object(request)?);
    let role = fields.required_str("role").and_then(|text| {
        let role = Role::parse(&text);
        if role.is_none() {
            fields.error("role", "must be attendee, organizer or admin");
        }
        role
    });
    let role = fields.finish_with(|| role)?;
    check_role_change(&admin.user_id, &target).map_err(|why| ApiError::conflict("own_role", why))?;
    let (_, now_text) = now(clock);
    let user = store.set_role(&target, role, Some(&admin.user_id), &now_text).await?;
    tracing::info!(user_id = %user.id, role = %role, by = %admin.user_id, "role changed");
    Ok(profile_response(StatusCode::OK, &user))
}
