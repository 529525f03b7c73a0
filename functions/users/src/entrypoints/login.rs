//! Entry point: POST /auth/login

use lambda_http::{Error, Request};
use shared::SystemClock;
use users::handlers::login::handle;

pub async fn run() -> Result<(), Error> {
    let tokens = &users::tokens_from_env()?;
    let policy = users::domain::throttle::ThrottlePolicy::default();
    // The viewer's address behind CloudFront (ORIGIN_VERIFY_SECRET), else sourceIp.
    let clients = &shared::ClientAddress::from_env();
    let store = &users::store_from_env().await?;
    shared::http::run(move |request: Request| async move {
        handle(store, tokens, &policy, clients, &SystemClock, &request).await
    })
    .await
}
