//! Entry point: GET /users/me/door-events

use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let door = &door::door_from_env().await?;
    shared::http::run(move |request: Request| async move {
        door::handlers::list_my_door_events::handle(door, &request).await
    })
    .await
}
