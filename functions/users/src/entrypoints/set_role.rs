//! Entry point: PATCH /users/{id}/role (admins)

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::set_role::handle;

pub async fn run() -> Result<(), Error> {
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &SystemClock, &request).await }).await
}
