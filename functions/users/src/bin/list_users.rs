//! Lambda entry point: GET /users (admins)

use lambda_http::{Error, Request, service_fn};
use shared::respond;
use users::handlers::list_users::handle;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, &request).await))
    }))
    .await
}
