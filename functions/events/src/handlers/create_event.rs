//! POST /events: a new draft owned by the caller.

use super::organizer;
use crate::domain::input;
use crate::domain::lifecycle;
use crate::domain::view::{Audience, view};
use crate::store::EventStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::json_object;
use shared::{ApiError, Clock, json_response};

pub async fn handle<S: EventStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let input = input::parse(&json_object(request)?).map_err(ApiError::validation)?;
    let now = clock.now();
    let event = lifecycle::draft(uuid::Uuid::new_v4().to_string(), &caller.user_id, input, now)?;
    store.create(&event).await?;
    tracing::info!(event_id = %event.id, organizer = %caller.user_id, "event drafted");
    let mut response = json_response(StatusCode::CREATED, &view(&event, Audience::Organizer, now));
    response.headers_mut().insert("location", format!("/events/{}", event.id).parse().expect("uuid header"));
    Ok(response)
}
