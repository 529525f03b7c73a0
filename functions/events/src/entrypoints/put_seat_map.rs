//! Entry point: PUT /events/{id}/seat-map

use events::handlers::put_seat_map::handle;
use lambda_http::{Error, Request};
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &events::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &SystemClock, &request).await }).await
}
