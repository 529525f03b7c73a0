//! POST /organizers/me/members: `{email, role}` (an organizer): the account with
//! that email joins the caller's team as `manager`, `viewer` or `door`; sent again
//! for a member, it changes their part. 201 (or 200 for a change) and the member.
//! The member's rights follow on their next request (the authorizer reads the team
//! from their account every time).

use super::ORGANIZERS;
use crate::domain::account::normalize_email;
use crate::store::UserStore;
use crate::store::dynamodb::DynamoUserStore;
use crate::store::team::{Added, Member};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::auth::TeamRole;
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, caller, json_response};

pub async fn handle(
    store: &DynamoUserStore,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let organizer = caller(request)?;
    organizer.require(ORGANIZERS)?;
    let mut fields = Fields::new(json_object(request)?);
    let email = fields.required_str("email").and_then(|text| match normalize_email(&text) {
        Ok(email) => Some(email),
        Err(why) => {
            fields.error("email", why.message);
            None
        }
    });
    let role = fields.required_str("role").and_then(|text| {
        let role = TeamRole::parse(&text);
        if role.is_none() {
            fields.error("role", "must be manager, viewer or door");
        }
        role
    });
    let (email, role) = fields.finish_with(|| Some((email?, role?)))?;
    let account = store.user_by_email(&email).await?.filter(|u| !u.deleted).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "no_account", "no account has this email: ask them to sign up first")
    })?;
    if account.id == organizer.user_id {
        return Err(ApiError::conflict("own_team", "you run this team already: add someone else"));
    }
    let existing = account.team.as_ref().is_some_and(|t| t.organization_id == organizer.user_id);
    let member = Member {
        user_id: account.id.clone(),
        email,
        display_name: account.display_name.clone(),
        role,
        added_at: shared::clock::stored(clock.now()),
    };
    let added = store.put_member(&organizer.user_id, &member, existing).await?;
    tracing::info!(member = %member.user_id, role = role.as_str(), ?added, "team member set");
    let status = if added == Added::New { StatusCode::CREATED } else { StatusCode::OK };
    Ok(json_response(status, &member))
}
