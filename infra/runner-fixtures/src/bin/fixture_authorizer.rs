//! A Lambda REQUEST authorizer (payload 2.0, simple responses) for the runner's
//! tests: `Bearer allow...` is allowed, `Bearer explode` fails, anything else is denied.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let token = event.payload["identitySource"][0].as_str().unwrap_or_default().to_owned();
    if token == "Bearer explode" {
        return Err("authorizer failure".into());
    }
    Ok(json!({
        "isAuthorized": token.starts_with("Bearer allow"),
        "context": {
            "principal": token,
            // Lets a test tell a cached decision from a fresh one.
            "authorizerRequestId": event.context.request_id,
            "eventType": event.payload["type"],
        },
    }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handle)).await
}
