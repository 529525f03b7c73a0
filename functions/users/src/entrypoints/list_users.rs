//! Entry point: GET /users (admins)

use lambda_http::{Error, Request};
use users::handlers::list_users::handle;

pub async fn run() -> Result<(), Error> {
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
