//! Lambda entry point: PATCH /users/{id}/role (admins)

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::set_role::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &SystemClock, &request).await }).await
}
