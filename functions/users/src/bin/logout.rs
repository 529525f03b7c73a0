//! Lambda entry point: POST /auth/logout

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::logout::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &SystemClock, &request).await }).await
}
