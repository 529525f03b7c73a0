//! Entry point: PUT /events/{id}/door (organizer)

use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let door = &door::door_from_env().await?;
    shared::http::run(move |request: Request| async move { door::handlers::put_door::handle(door, &request).await })
        .await
}
