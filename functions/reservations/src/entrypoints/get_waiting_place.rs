//! Entry point: GET /events/{id}/tiers/{tierId}/waiting-list (signed in: my place)

use lambda_http::{Error, Request};
use reservations::handlers::get_waiting_place::handle;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
