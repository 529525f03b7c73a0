//! Entry point: GET /reservations/{id}/tickets.pdf (the holder)

use lambda_http::{Error, Request};
use reservations::handlers::get_documents::DocumentReads;
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let reads = &DocumentReads {
        client: store.client().clone(),
        events_table: shared::env_required("EVENTS_TABLE")?,
        users_table: shared::env_required("USERS_TABLE")?,
        keys: shared::ticket_pass::PassKeys::from_env()?,
    };
    shared::http::run(move |request: Request| async move {
        reservations::handlers::get_tickets_pdf::handle(store, reads, &SystemClock, &request).await
    })
    .await
}
