//! Entry point: GET /events/{id}/staff (organizer)

use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let door = &door::door_from_env().await?;
    shared::http::run(move |request: Request| async move { door::handlers::list_staff::handle(door, &request).await })
        .await
}
