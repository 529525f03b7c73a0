//! Lambda entry point: GET /users/me

use lambda_http::{Error, Request, service_fn};
use shared::respond;
use users::handlers::get_me::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, &request).await))
    }))
    .await
}
