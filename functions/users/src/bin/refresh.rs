//! Lambda entry point: POST /auth/refresh

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::refresh::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let tokens = &users::tokens_from_env()?;
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, tokens, &SystemClock, &request).await }).await
}
