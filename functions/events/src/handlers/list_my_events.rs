//! GET /organizers/me/events?limit=&cursor=: the caller's events in every status,
//! newest first; for a member of an organizer's team, the organizer's.

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
    let mut caller = organizer(request)?;
    if let Some(team) = caller.membership.clone() {
        caller.confirm_team(&team.organization_id, |user| async move { store.current_team(&user).await }).await?;
        if caller.membership.is_none() {
            caller.require(super::ORGANIZERS)?;
        }
    }
    let mut query = Query::new(request, &["limit", "cursor"]);
    let (limit, cursor) = query.page(PAGE_DEFAULT, PAGE_MAX);
    query.finish()?;
    let page = store.list_by_organizer(caller.organization(), limit as usize, cursor.as_deref()).await?;
    let now = clock.now();
    let items = page.events.iter().map(|e| view(e, Audience::Organizer, now)).collect();
    Ok(json_response(StatusCode::OK, &Listing { items, next_cursor: page.next_cursor }))
}
