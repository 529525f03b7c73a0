//! A DynamoDB stream consumer: for each record, in order, the new image's `body`
//! is forwarded to OUTPUT_QUEUE_URL, except that a body starting with "fail" is
//! reported as failed (by its sequence number) and one starting with "error" makes
//! the whole invocation fail, so a test can watch the mapping's retries, bisection
//! and failure destination. Each invocation's batch size is forwarded too
//! ("batch:<n>").

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let output = std::env::var("OUTPUT_QUEUE_URL")?;
    let (sqs, output) = (&sqs, output.as_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let records = event.payload["Records"].as_array().cloned().unwrap_or_default();
        let mut failures = Vec::new();
        for record in &records {
            let body = record["dynamodb"]["NewImage"]["body"]["S"].as_str().unwrap_or_default();
            if body.starts_with("error") {
                return Err(Error::from(format!("cannot process {body}")));
            }
            if body.starts_with("fail") {
                failures.push(json!({"itemIdentifier": record["dynamodb"]["SequenceNumber"]}));
                // Later records are retried anyway: stop here, as a consumer keeping order does.
                break;
            }
            sqs.send_message().queue_url(output).message_body(body).send().await?;
        }
        Ok::<_, Error>(json!({"batchItemFailures": failures}))
    }))
    .await
}
