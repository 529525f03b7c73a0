//! Lambda entry point: POST /events/{id}/publish

use events::handlers::publish_event::handle;
use lambda_http::{Error, Request};
use shared::SystemClock;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &events::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &SystemClock, &request).await }).await
}
