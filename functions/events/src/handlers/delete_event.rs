//! DELETE /events/{id}: a draft goes away for good (its organizer or an admin).
//! Published events are cancelled instead, which refunds and tells their buyers.

use super::{event_id, organizer, owned_event};
use crate::domain::lifecycle;
use crate::store::EventStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::ApiError;

pub async fn handle<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let before = owned_event(store, &caller, &event_id(request)?, shared::auth::Permission::Manage).await?;
    lifecycle::remove(&before)?;
    store.delete(&before).await?;
    tracing::info!(event_id = %before.id, by = %caller.user_id, "draft deleted");
    Ok(Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).expect("static response"))
}
