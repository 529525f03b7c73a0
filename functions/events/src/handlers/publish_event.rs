//! POST /events/{id}/publish: the draft must be complete and in the future.

use super::change_status;
use crate::domain::lifecycle;
use crate::store::EventStore;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, Clock};

pub async fn handle<S: EventStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    change_status(store, clock, request, lifecycle::publish).await
}
