//! GET /events/{id}/seats[?section=<number>]: the event's seat map with every
//! seat's status, public for the events the public sees (drafts are not).
//! Sections → rows → seats, each seat with its id, label, place and status; the
//! section's tier prices it. `section` narrows the answer to one section; a map
//! over `FULL_MAP_SEATS` asked whole is an outline (sections and rows without their
//! seats: a stadium's seats would not fit in one Lambda answer). Cached for a few
//! seconds at the edge.

use super::event_id;
use crate::domain::event::Status;
use crate::domain::view::{SeatStatus, seat_map_view};
use crate::seats::SeatState;
use crate::store::EventStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use shared::{ApiError, FieldError, json_response};

/// How long the edge and browsers may keep an answer.
pub const CACHE_CONTROL: &str = "public, max-age=5";

pub async fn handle<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let id = event_id(request)?;
    let section = match request.query_string_parameters().first("section") {
        None => None,
        Some(text) => Some(text.parse::<u32>().ok().filter(|&n| n > 0).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new("section", "must be a section's number (1 or more)")])
        })?),
    };
    let event = match store.get(&id).await? {
        Some(event) if event.status != Status::Draft => event,
        _ => return Err(ApiError::not_found("no such event")),
    };
    let map = store.seat_map(&event).await?.ok_or_else(|| ApiError::not_found("this event has no seat map"))?;
    if section.is_some_and(|n| !map.sections.iter().any(|s| s.number == n)) {
        return Err(ApiError::not_found("this event's map has no such section"));
    }
    let taken = store.taken_seats(&event.id).await?;
    let view = seat_map_view(&event, &map, section, |id| match taken.get(&id) {
        None => SeatStatus::Available,
        Some(SeatState::Held) => SeatStatus::Held,
        Some(SeatState::Sold) => SeatStatus::Sold,
        Some(SeatState::Blocked) => SeatStatus::Blocked,
    });
    let mut response = json_response(StatusCode::OK, &view);
    response.headers_mut().insert("cache-control", CACHE_CONTROL.parse().expect("static header"));
    Ok(response)
}
