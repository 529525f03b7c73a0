//! POST /events/{id}/cancel: the status changes now; refunds and telling ticket
//! holders belong to the reservations domain, through its queues.

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
    change_status(store, clock, request, lifecycle::cancel).await
}
