//! POST /events/{id}/publish: the draft must be complete and in the future.

use super::{event_id, organizer, owned_event};
use crate::domain::event::TierPlan;
use crate::domain::lifecycle;
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
    let caller = organizer(request)?;
    let before = owned_event(store, &caller, &event_id(request)?, shared::auth::Permission::Manage).await?;
    let now = clock.now();
    let after = lifecycle::publish(&before, now)?;
    store.update(&before, &after, &TierPlan::default()).await?;
    tracing::info!(event_id = %after.id, by = %caller.user_id, "event published");
    Ok(json_response(StatusCode::OK, &view(&after, Audience::Organizer, now)))
}
