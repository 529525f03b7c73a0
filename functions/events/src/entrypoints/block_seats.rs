//! Entry point: POST /events/{id}/seat-blocks

use events::handlers::block_seats::handle;
use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let store = &events::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
