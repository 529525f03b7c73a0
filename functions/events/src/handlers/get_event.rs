//! GET /events/{id}: published, completed and cancelled events; drafts are not public.

use super::event_id;
use crate::domain::event::Status;
use crate::domain::view::{Audience, view};
use crate::store::EventStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, Clock, json_response};

pub async fn handle<S: EventStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let id = event_id(request)?;
    match store.get(&id).await? {
        Some(event) if event.status != Status::Draft => {
            Ok(json_response(StatusCode::OK, &view(&event, Audience::Public, clock.now())))
        }
        _ => Err(ApiError::not_found("no such event")),
    }
}
