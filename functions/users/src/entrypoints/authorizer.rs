//! Entry point: the HttpApi's REQUEST authorizer.

use aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use lambda_runtime::{Error, LambdaEvent};
use shared::SystemClock;
use users::handlers::authorizer::handle;

pub async fn run() -> Result<(), Error> {
    let tokens = &users::tokens_from_env()?;
    let store = &users::store_from_env().await?;
    shared::telemetry::run(move |event: LambdaEvent<ApiGatewayV2CustomAuthorizerV2Request>| async move {
        Ok::<_, Error>(handle(store, tokens, &SystemClock, &event.payload).await?)
    })
    .await
}
