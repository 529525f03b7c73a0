//! Entry point: GET /events/{id}/door/tickets (door)

use lambda_http::{Error, Request};

pub async fn run() -> Result<(), Error> {
    let door = &door::door_from_env().await?;
    shared::http::run(
        move |request: Request| async move { door::handlers::list_door_tickets::handle(door, &request).await },
    )
    .await
}
