//! Entry point: GET /reservations/{id} (holder, organizer, admin)

use lambda_http::{Error, Request};
use reservations::handlers::get_reservation::handle;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let keys = &shared::ticket_pass::PassKeys::from_env()?;
    shared::http::run(move |request: Request| async move { handle(store, keys, &request).await }).await
}
