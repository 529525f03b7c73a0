//! GET /reservations/{id}/tickets.pdf (the holder): a page per ticket with its QR code.

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
    serve(store, reads, clock, Document::Pdf, request).await
}
