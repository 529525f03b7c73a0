//! Entry point: GET /events/{id}/participants (the event's organizer, admins)

use events::handlers::list_participants::handle;
use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let store = &events::store_from_env().await?;
    let reservations = &events::participants_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, reservations, &request).await }).await
}
