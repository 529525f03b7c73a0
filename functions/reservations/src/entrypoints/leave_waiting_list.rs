//! Entry point: DELETE /events/{id}/tiers/{tierId}/waiting-list (signed in)

use lambda_http::{Error, Request};
use reservations::handlers::leave_waiting_list::handle;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &request).await }).await
}
