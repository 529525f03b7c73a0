//! Entry point: PATCH /users/me

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::update_me::handle;

pub async fn run() -> Result<(), Error> {
    let policy = users::domain::throttle::ThrottlePolicy::default();
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move { handle(store, &policy, &SystemClock, &request).await }).await
}
