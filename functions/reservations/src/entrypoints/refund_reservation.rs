//! Entry point: POST /reservations/{id}/refunds (the event's organizer, an admin)

use lambda_http::{Error, Request};
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    shared::http::run(move |request: Request| async move {
        reservations::handlers::refund_reservation::handle(store, &SystemClock, &request).await
    })
    .await
}
