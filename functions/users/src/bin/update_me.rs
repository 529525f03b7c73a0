//! Lambda entry point: PATCH /users/me

use lambda_http::{Error, Request, service_fn};
use shared::{SystemClock, respond};
use users::handlers::update_me::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let policy = users::domain::throttle::ThrottlePolicy::default();
    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, &policy, &SystemClock, &request).await))
    }))
    .await
}
