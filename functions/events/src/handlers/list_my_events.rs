//! GET /organizers/me/events?limit=&cursor=: the caller's events in every status,
//! newest first.

use super::{Listing, PAGE_DEFAULT, PAGE_MAX, organizer};
use crate::domain::view::{Audience, view};
use crate::store::EventStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::query::Query;
use shared::{ApiError, Clock, json_response};

pub async fn handle<S: EventStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let mut query = Query::new(request, &["limit", "cursor"]);
    let (limit, cursor) = query.page(PAGE_DEFAULT, PAGE_MAX);
    query.finish()?;
    let page = store.list_by_organizer(&caller.user_id, limit as usize, cursor.as_deref()).await?;
    let now = clock.now();
    let items = page.events.iter().map(|e| view(e, Audience::Organizer, now)).collect();
    Ok(json_response(StatusCode::OK, &Listing { items, next_cursor: page.next_cursor }))
}
