//! Entry point: POST /events/{id}/check-ins/batch (door, offline scans)

use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let door = &door::door_from_env().await?;
    shared::http::run(move |request: Request| async move {
        door::handlers::check_in_batch::handle(door, &shared::SystemClock, &request).await
    })
    .await
}
