//! Entry point: GET /events/{id}/waiting-list (the event's organizer)

use lambda_http::{Error, Request};
use reservations::handlers::list_waiting_lists::handle;
use reservations::handlers::promo_codes::EventReads;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let reads = &EventReads {
        client: store.client().clone(),
        events_table: shared::env_required("EVENTS_TABLE")?,
        users_table: std::env::var("USERS_TABLE").ok(),
    };
    shared::http::run(move |request: Request| async move { handle(store, reads, &request).await }).await
}
