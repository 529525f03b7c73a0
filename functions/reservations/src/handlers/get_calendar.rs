//! GET /reservations/{id}/calendar.ics (the holder): the event for a calendar (RFC 5545, in
//! the event's zone).

use super::get_documents::{Document, DocumentReads, serve};
use crate::store::ReservationStore;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, Clock};

pub async fn handle<S: ReservationStore>(
    store: &S,
    reads: &DocumentReads,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    serve(store, reads, clock, Document::Calendar, request).await
}
