//! GET /users?role=&limit=&cursor=: accounts, newest first (admins).

use super::{ADMINS, own_account};
use crate::domain::account::Profile;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shared::query::Query;
use shared::{ApiError, Role, caller, json_response};

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserPage {
    items: Vec<Profile>,
    next_cursor: Option<String>,
}

pub async fn handle<S: UserStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let admin = caller(request)?;
    admin.require(ADMINS)?;
    // Admin rights are re-read, not taken from a token that may predate a demotion.
    if own_account(store, &admin.user_id).await?.role != Role::Admin {
        return Err(ApiError::forbidden("this needs the admin role"));
    }
    let mut query = Query::new(request, &["role", "limit", "cursor"]);
    let role = query.parsed("role", "must be attendee, organizer or admin", Role::parse);
    let (limit, cursor) = query.page(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    query.finish()?;
    let page = store.list_users(role, limit as i32, cursor.as_deref()).await?;
    let body = UserPage { items: page.users.iter().map(Profile::from).collect(), next_cursor: page.next_cursor };
    Ok(json_response(StatusCode::OK, &body))
}
