//! Entry point for `GET /health`.

use health::handler::HealthCheck;
use health::probe::DynamoDbProbe;
use lambda_http::{Error, Request};
use std::time::Duration;

pub async fn run() -> Result<(), Error> {
    let config = shared::aws_sdk_config().await;
    let check = HealthCheck {
        probe: DynamoDbProbe::new(aws_sdk_dynamodb::Client::new(&config), Duration::from_secs(2)),
        tables: shared::env_list("CHECK_TABLES")?,
    };
    let check = &check;
    shared::http::run(move |_: Request| async move { Ok(check.handle().await) }).await
}
