//! Entry point: POST /events/{id}/check-ins (door)

use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let door = &door::door_from_env().await?;
    shared::http::run(move |request: Request| async move {
        door::handlers::check_in::handle(door, &shared::SystemClock, &request).await
    })
    .await
}
