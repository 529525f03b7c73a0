//! Lambda entry point: POST /auth/refresh

use lambda_http::{Error, Request, service_fn};
use shared::{SystemClock, respond};
use users::handlers::refresh::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let tokens = &users::tokens_from_env()?;
    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, tokens, &SystemClock, &request).await))
    }))
    .await
}
