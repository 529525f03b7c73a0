//! Entry point: GET /events/{id}/queue (public, cacheable).

use lambda_http::{Error, Request};
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let settings = &waiting_room::EventSettings::from_env().await?;
    let store = &waiting_room::store::RoomStore::from_env().await?;
    shared::http::run(move |request: Request| async move {
        waiting_room::handlers::room_status::handle(settings, store, &SystemClock, &request).await
    })
    .await
}
