//! Entry point: GET /reservations (the caller's)

use lambda_http::{Error, Request};
use reservations::handlers::list_my_reservations::handle;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let keys = &shared::ticket_pass::PassKeys::from_env()?;
    shared::http::run(move |request: Request| async move { handle(store, keys, &request).await }).await
}
