//! Entry point: POST /organizers/me/webhooks

use lambda_http::{Error, Request};
use notifications::handlers::create_webhook::handle;
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &notifications::webhook_store().await?;
    shared::http::run(move |request: Request| async move { handle(store, &SystemClock, &request).await }).await
}
