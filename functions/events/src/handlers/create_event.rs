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
    let mut caller = organizer(request)?;
    if let Some(team) = caller.membership.clone() {
        caller.confirm_team(&team.organization_id, |user| async move { store.current_team(&user).await }).await?;
    }
    if !caller.runs_events() {
        return Err(ApiError::forbidden("your part in the organizer's team does not allow creating events"));
    }
    let input = input::parse(&json_object(request)?).map_err(ApiError::validation)?;
    let now = clock.now();
    // A manager in an organizer's team creates the team's events.
    let event = lifecycle::draft(uuid::Uuid::new_v4().to_string(), caller.organization(), input, now)?;
    store.create(&event).await?;
    tracing::info!(event_id = %event.id, organizer = %caller.organization(), by = %caller.user_id, "event drafted");
    let mut response = json_response(StatusCode::CREATED, &view(&event, Audience::Organizer, now));
    response.headers_mut().insert("location", format!("/events/{}", event.id).parse().expect("uuid header"));
    Ok(response)
}
