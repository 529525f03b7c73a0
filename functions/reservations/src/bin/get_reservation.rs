//! Lambda entry point: GET /reservations/{id} (holder, organizer, admin)

use lambda_http::{Error, Request, service_fn};
use reservations::handlers::get_reservation::handle;
use shared::respond;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &reservations::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, &request).await))
    }))
    .await
}
