//! Entry point: GET /reservations/{id}/tickets.pdf (the holder)

use lambda_http::{Error, Request};
use reservations::handlers::get_documents::DocumentReads;
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let reads = &DocumentReads::from_env(store.client().clone())?;
    shared::http::run(move |request: Request| async move {
        reservations::handlers::get_tickets_pdf::handle(store, reads, &SystemClock, &request).await
    })
    .await
}
