//! GET /events/{id}/participants: confirmed ticket holders, for the event's
//! organizer or an admin; JSON, or CSV with `Accept: text/csv`.

use super::{event_id, limit, owned_event};
use crate::store::EventStore;
use crate::store::participants::{Participant, ParticipantSource, to_csv};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use shared::{ApiError, Role, caller, json_response};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    items: Vec<Participant>,
    next_cursor: Option<String>,
}

pub async fn list<S: EventStore, P: ParticipantSource>(
    events: &S,
    participants: &P,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    caller.require(&[Role::Organizer, Role::Admin])?;
    let event = owned_event(events, &caller, &event_id(request)?).await?;
    let params = request.query_string_parameters();
    let limit = limit(params.first("limit"), 100, 1000).map_err(|e| ApiError::validation(vec![e]))?;
    let page = participants.participants(&event.id, limit as i32, params.first("cursor")).await?;
    let wants_csv = request
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("text/csv"));
    if wants_csv {
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "text/csv; charset=utf-8")
            .header("content-disposition", format!("attachment; filename=\"participants-{}.csv\"", event.id))
            .body(Body::Text(to_csv(&page.participants)))
            .map_err(|_| ApiError::internal())?;
        if let Some(next) = page.next_cursor {
            response.headers_mut().insert("x-next-cursor", next.parse().map_err(|_| ApiError::internal())?);
        }
        return Ok(response);
    }
    Ok(json_response(StatusCode::OK, &Listing { items: page.participants, next_cursor: page.next_cursor }))
}
