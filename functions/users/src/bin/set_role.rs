//! Lambda entry point: PATCH /users/{id}/role (admins)

use lambda_http::{Error, Request, service_fn};
use shared::{SystemClock, respond};
use users::handlers::set_role::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, &SystemClock, &request).await))
    }))
    .await
}
