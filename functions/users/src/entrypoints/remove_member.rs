//! Entry point: DELETE /organizers/me/members/{userId} (organizers)

use lambda_http::{Error, Request};
use users::handlers::remove_member::handle;

pub async fn run() -> Result<(), Error> {
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
