//! Entry point: GET /events/{id}/waiting-list (the event's organizer)

use lambda_http::{Error, Request};
use reservations::handlers::list_waiting_lists::handle;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let events_table = &shared::env_required("EVENTS_TABLE")?;
    shared::http::run(move |request: Request| async move { handle(store, events_table, &request).await }).await
}
