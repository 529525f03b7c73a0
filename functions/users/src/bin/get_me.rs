//! Lambda entry point: GET /users/me

use lambda_http::{Error, Request, service_fn};
use shared::respond;
use users::handlers::me::get_me;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();

    let store = &users::store_from_env().await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(get_me(store, &request).await))
    }))
    .await
}
