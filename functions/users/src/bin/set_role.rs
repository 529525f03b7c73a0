//! Lambda entry point: PATCH /users/{id}/role (admins)

use lambda_http::{Error, Request, service_fn};
use shared::respond;
use users::handlers::admin::set_role;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();

    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(set_role(store, &request).await))
    }))
    .await
}
