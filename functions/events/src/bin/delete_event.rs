//! Lambda entry point: DELETE /events/{id}

use events::handlers::delete_event::handle;
use lambda_http::{Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &events::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
