//! Entry point: GET /users/me

use lambda_http::{Error, Request};
use users::handlers::get_me::handle;

pub async fn run() -> Result<(), Error> {
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
