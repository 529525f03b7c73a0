//! Entry point: POST /reservations/{id}/transfer (the holder)

use lambda_http::{Error, Request};
use reservations::handlers::transfer_reservation::TransferReads;
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let reads = &TransferReads {
        client: store.client().clone(),
        users_table: shared::env_required("USERS_TABLE")?,
        events_table: shared::env_required("EVENTS_TABLE")?,
        door_table: shared::env_required("DOOR_TABLE")?,
    };
    shared::http::run(move |request: Request| async move {
        reservations::handlers::transfer_reservation::handle(store, reads, &SystemClock, &request).await
    })
    .await
}
