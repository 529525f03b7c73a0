//! GET /organizers/me/members (an organizer): the caller's team, by when each was added.

use super::ORGANIZERS;
use crate::store::dynamodb::DynamoUserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, caller, json_response};

pub async fn handle(store: &DynamoUserStore, request: &Request) -> Result<Response<Body>, ApiError> {
    let organizer = caller(request)?;
    organizer.require(ORGANIZERS)?;
    let members = store.members(&organizer.user_id).await?;
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "members": members })))
}
