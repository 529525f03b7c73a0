//! GET /reservations?limit=&cursor=: the caller's reservations, newest first.

use super::ReservationView;
use crate::store::ReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shared::query::Query;
use shared::ticket_pass::PassKeys;
use shared::{ApiError, caller, json_response};

pub const PAGE_DEFAULT: u32 = 20;
pub const PAGE_MAX: u32 = 50;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    items: Vec<ReservationView>,
    next_cursor: Option<String>,
}

pub async fn handle<S: ReservationStore>(
    store: &S,
    keys: &PassKeys,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let mut query = Query::new(request, &["limit", "cursor"]);
    let (limit, cursor) = query.page(PAGE_DEFAULT, PAGE_MAX);
    query.finish()?;
    let page = store.list_for_user(&caller.user_id, limit, cursor.as_deref()).await?;
    let items = page.reservations.iter().map(|r| ReservationView::from(r).with_passes(keys, r)).collect();
    Ok(json_response(StatusCode::OK, &Listing { items, next_cursor: page.next_cursor }))
}
