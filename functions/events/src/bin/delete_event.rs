//! Lambda entry point: DELETE /events/{id}

use events::handlers::delete_event::handle;
use lambda_http::{Error, Request, service_fn};
use shared::respond;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &events::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, &request).await))
    }))
    .await
}
