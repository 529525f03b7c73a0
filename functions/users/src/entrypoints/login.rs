//! Entry point: POST /auth/login

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::login::handle;

pub async fn run() -> Result<(), Error> {
    let tokens = &users::tokens_from_env()?;
    let policy = users::domain::throttle::ThrottlePolicy::default();
    let store = &users::store_from_env().await?;
    shared::http::run(
        move |request: Request| async move { handle(store, tokens, &policy, &SystemClock, &request).await },
    )
    .await
}
