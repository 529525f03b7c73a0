//! GET /users/me: the caller's profile.

use super::{own_account, profile_response};
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, caller};

pub async fn handle<S: UserStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    Ok(profile_response(StatusCode::OK, &own_account(store, &caller.user_id).await?))
}
