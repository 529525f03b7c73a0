//! Lambda entry point: GET /reservations (the caller's)

use lambda_http::{Error, Request, service_fn};
use reservations::handlers::list_my_reservations::handle;
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
