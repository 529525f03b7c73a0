//! Entry point: GET /organizers/me/webhooks

use lambda_http::{Error, Request};
use notifications::handlers::list_webhooks::handle;

pub async fn run() -> Result<(), Error> {
    let store = &notifications::webhook_store().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
