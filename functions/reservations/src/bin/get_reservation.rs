//! Lambda entry point: GET /reservations/{id} (holder, organizer, admin)

use lambda_http::{Error, Request};
use reservations::handlers::get_reservation::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &reservations::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
