//! Lambda entry point: GET /events/{id}/participants (the event's organizer, admins)

use events::handlers::list_participants::handle;
use lambda_http::{Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &events::store_from_env().await?;
    let reservations = &events::participants_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, reservations, &request).await }).await
}
