//! Lambda entry point: POST /auth/logout

use lambda_http::{Error, Request, service_fn};
use shared::{SystemClock, respond};
use users::handlers::logout::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, &SystemClock, &request).await))
    }))
    .await
}
