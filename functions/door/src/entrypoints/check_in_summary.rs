//! Entry point: GET /events/{id}/check-ins/summary (door)

use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let door = &door::door_from_env().await?;
    shared::http::run(
        move |request: Request| async move { door::handlers::check_in_summary::handle(door, &request).await },
    )
    .await
}
