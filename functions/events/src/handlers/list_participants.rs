//! GET /events/{id}/participants?limit=&cursor=: confirmed ticket holders, for the
//! event's organizer or an admin; JSON, or CSV with `Accept: text/csv`.

use super::{Listing, event_id, organizer, owned_event};
use crate::store::EventStore;
use crate::store::participants::{ParticipantSource, to_csv};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::query::Query;
use shared::{ApiError, json_response};

pub const PAGE_DEFAULT: u32 = 100;
pub const PAGE_MAX: u32 = 1000;

pub async fn handle<S: EventStore, P: ParticipantSource>(
    events: &S,
    participants: &P,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let mut query = Query::new(request, &["limit", "cursor"]);
    let (limit, cursor) = query.page(PAGE_DEFAULT, PAGE_MAX);
    query.finish()?;
    let event = owned_event(events, &caller, &event_id(request)?, shared::auth::Permission::ReadSales).await?;
    let page = participants.participants(&event.id, limit as i32, cursor.as_deref()).await?;
    let wants_csv = request
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/csv"));
    if !wants_csv {
        return Ok(json_response(StatusCode::OK, &Listing { items: page.participants, next_cursor: page.next_cursor }));
    }
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", format!("attachment; filename=\"participants-{}.csv\"", event.id))
        .body(Body::Text(to_csv(&page.participants)))
        .map_err(|_| ApiError::internal())?;
    if let Some(next) = page.next_cursor {
        // Our cursors are base64url: always a valid header value.
        response.headers_mut().insert("x-next-cursor", next.parse().map_err(|_| ApiError::internal())?);
    }
    Ok(response)
}
