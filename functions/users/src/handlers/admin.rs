//! GET /users and PATCH /users/{id}/role: administration.

use super::{now, profile_response};
use crate::domain::account::Profile;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use shared::body::{Fields, json_object};
use shared::{ApiError, FieldError, Role, caller, json_response};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserPage {
    items: Vec<Profile>,
    next_cursor: Option<String>,
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

/// `?role=organizer&limit=50&cursor=...`, newest accounts first.
pub async fn list_users<S: UserStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    caller(request)?.require(&[Role::Admin])?;
    let query = request.query_string_parameters();
    let mut errors = Vec::new();
    let role = match query.first("role") {
        Some(text) => match Role::parse(text) {
            Some(role) => Some(role),
            None => {
                errors.push(field("role", "must be attendee, organizer or admin"));
                None
            }
        },
        None => None,
    };
    let limit = match query.first("limit") {
        Some(text) => match text.parse::<i32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                errors.push(field("limit", format!("must be a whole number from 1 to {MAX_PAGE_SIZE}")));
                DEFAULT_PAGE_SIZE
            }
        },
        None => DEFAULT_PAGE_SIZE,
    };
    for name in query.iter().map(|(k, _)| k).filter(|k| !["role", "limit", "cursor"].contains(k)) {
        errors.push(field(name, "is not a known query parameter"));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let page = store.list_users(role, limit, query.first("cursor")).await?;
    let body = UserPage { items: page.users.iter().map(Profile::from).collect(), next_cursor: page.next_cursor };
    Ok(json_response(StatusCode::OK, &body))
}

/// Makes someone an organizer or admin (or back). The person's sessions are
/// revoked so the new role applies at their next sign-in, not 15 minutes later.
pub async fn set_role<S: UserStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let admin = caller(request)?;
    admin.require(&[Role::Admin])?;
    let target = request
        .path_parameters()
        .first("id")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    let mut fields = Fields::new(json_object(request)?);
    let role_text = fields.required_str("role");
    let role = role_text.as_deref().and_then(|text| {
        let role = Role::parse(text);
        if role.is_none() {
            fields.error("role", "must be attendee, organizer or admin");
        }
        role
    });
    fields.finish()?;
    let Some(role) = role else { return Err(ApiError::internal()) };
    if target == admin.user_id {
        // Keeps the platform from losing its last admin by accident.
        return Err(ApiError::conflict("own_role", "admins cannot change their own role"));
    }
    let (_, now_text) = now();
    let user = store.set_role(&target, role, &now_text).await?;
    store.revoke_user_sessions(&user.id, None, &now_text).await?;
    tracing::info!(user_id = %user.id, role = %role, by = %admin.user_id, "role changed");
    Ok(profile_response(StatusCode::OK, &user))
}
