//! DELETE /organizers/me/members/{userId} (an organizer): the member leaves the
//! team; from their next request they may do nothing for it (204; 404 if they
//! were not in it).

use super::{ORGANIZERS, no_content};
use crate::store::dynamodb::DynamoUserStore;
use lambda_http::{Body, Request, RequestExt, Response};
use shared::{ApiError, caller};

pub async fn handle(store: &DynamoUserStore, request: &Request) -> Result<Response<Body>, ApiError> {
    let organizer = caller(request)?;
    organizer.require(ORGANIZERS)?;
    let not_found = || ApiError::not_found("no such member of your team");
    let user_id = request
        .path_parameters()
        .first("userId")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(not_found)?;
    if !store.remove_member(&organizer.user_id, &user_id).await? {
        return Err(not_found());
    }
    tracing::info!(member = %user_id, "team member removed");
    Ok(no_content())
}
