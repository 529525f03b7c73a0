//! Lambda entry point: POST /auth/login

use lambda_http::{Error, Request, service_fn};
use shared::{SystemClock, respond};
use users::handlers::login::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let tokens = &users::tokens_from_env()?;
    let policy = users::domain::throttle::ThrottlePolicy::default();
    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, tokens, &policy, &SystemClock, &request).await))
    }))
    .await
}
