//! Entry point: POST /organizers/me/members (organizers)

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::add_member::handle;

pub async fn run() -> Result<(), Error> {
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &SystemClock, &request).await }).await
}
