//! Entry point: POST /reservations/{id}/payment (the holder's next card)

use lambda_http::{Error, Request};
use reservations::handlers::retry_payment::handle;
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &SystemClock, &request).await }).await
}
