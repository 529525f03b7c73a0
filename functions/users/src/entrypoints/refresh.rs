//! Entry point: POST /auth/refresh

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::refresh::handle;

pub async fn run() -> Result<(), Error> {
    let tokens = &users::tokens_from_env()?;
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, tokens, &SystemClock, &request).await }).await
}
