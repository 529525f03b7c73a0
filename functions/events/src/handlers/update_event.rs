//! PATCH /events/{id}: present fields replace, `tiers` replaces the list (existing
//! tiers by `id`); the rules are `lifecycle::edit`.

use super::{event_id, organizer, owned_event};
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
    let id = event_id(request)?;
    let patch = input::parse(&json_object(request)?).map_err(ApiError::validation)?;
    let before = owned_event(store, &caller, &id, shared::auth::Permission::Manage).await?;
    let now = clock.now();
    let (after, plan) = lifecycle::edit(&before, &patch, now)?;
    store.update(&before, &after, &plan).await?;
    Ok(json_response(StatusCode::OK, &view(&after, Audience::Organizer, now)))
}
