//! PUT /events/{id}/seat-map: the event's seat map, as JSON (`{"sections": [...]}`)
//! or as a venue's CSV (`Content-Type: text/csv`, `seating::venue_csv`). While the
//! event is a draft the map may change freely; once published an edit only adds
//! seats. Answers the map as `GET /events/{id}/seats` shows it.

use super::{event_id, organizer, owned_event};
use crate::domain::seat_map;
use crate::domain::view::{SeatStatus, seat_map_view};
use crate::store::EventStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::json_object_up_to;
use shared::{ApiError, Clock, FieldError, json_response};

/// A 60,000-seat map is about 3 MB of JSON; Lambda takes 6 MB at most.
pub const MAX_MAP_BYTES: usize = 5 * 1024 * 1024;

pub async fn handle<S: EventStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let id = event_id(request)?;
    let csv = request
        .headers()
        .get(lambda_http::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("text/csv"));
    // Read the body before the store: a bad document costs no read.
    let body = if csv {
        Document::Csv(csv_text(request)?)
    } else {
        Document::Json(json_object_up_to(request, MAX_MAP_BYTES)?)
    };
    let before = owned_event(store, &caller, &id, shared::auth::Permission::Manage).await?;
    let specs = match body {
        Document::Csv(text) => {
            let tiers: Vec<(&str, &str)> = before.tiers.iter().map(|t| (t.id.as_str(), t.name.as_str())).collect();
            seating::venue_csv::parse(&text, &tiers)
        }
        Document::Json(object) => seating::map::parse(&object),
    }
    .map_err(|problems| {
        ApiError::validation(problems.into_iter().map(|p| FieldError::new(p.field, p.message)).collect())
    })?;
    let previous = store.seat_map(&before).await?;
    let now = clock.now();
    let seating = seat_map::apply(&before, previous.as_ref(), &specs, now)?;
    store.put_seat_map(&before, &seating).await?;
    tracing::info!(
        event_id = %id,
        version = seating.event.seat_map.map_or(0, |m| m.version),
        seats = seating.map.seat_count(),
        "seat map put"
    );
    // No seat of a new map is held or sold yet; a published map's new version keeps
    // its seats' states, which the map's GET shows.
    Ok(json_response(StatusCode::OK, &seat_map_view(&seating.event, &seating.map, None, |_| SeatStatus::Available)))
}

enum Document {
    Csv(String),
    Json(serde_json::Map<String, serde_json::Value>),
}

fn csv_text(request: &Request) -> Result<String, ApiError> {
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_MAP_BYTES {
        return Err(ApiError::payload_too_large(MAX_MAP_BYTES));
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::bad_request("the CSV must be UTF-8 text"))
}
