//! Answers any event with what it received, so tests can see the exact event.
//! Query parameters (HTTP) steer it: `status`, `sleep_ms`, `error`, `crash`, `binary`, `raw`.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let query = event.payload.get("queryStringParameters").cloned().unwrap_or(Value::Null);
    let param = |name: &str| query.get(name).and_then(Value::as_str).map(str::to_owned);
    if let Some(ms) = param("sleep_ms").and_then(|ms| ms.parse().ok()) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if param("crash").is_some() {
        std::process::exit(3);
    }
    if param("error").is_some() {
        return Err("asked to fail".into());
    }
    let seen = json!({
        "pid": std::process::id(),
        "requestId": event.context.request_id,
        "functionName": std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default(),
        "env": {
            "STAGE": std::env::var("STAGE").ok(),
            "QUEUE_URL": std::env::var("QUEUE_URL").ok(),
            "_HANDLER": std::env::var("_HANDLER").ok(),
        },
        "event": event.payload,
    });
    // Not an HTTP event (a schedule, a direct invocation): answer with what was seen.
    if param("raw").is_some() || event_is_not_http(&seen["event"]) {
        return Ok(seen);
    }
    if param("binary").is_some() {
        return Ok(json!({
            "statusCode": 200,
            "headers": {"content-type": "application/octet-stream"},
            "body": "AAECAwT/",
            "isBase64Encoded": true,
        }));
    }
    let status: u16 = param("status").and_then(|s| s.parse().ok()).unwrap_or(200);
    Ok(json!({
        "statusCode": status,
        "headers": {"content-type": "application/json", "x-fixture": "echo"},
        "cookies": ["a=1; Path=/", "b=2; Path=/"],
        "body": seen.to_string(),
    }))
}

fn event_is_not_http(event: &Value) -> bool {
    event.get("requestContext").is_none()
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handle)).await
}
