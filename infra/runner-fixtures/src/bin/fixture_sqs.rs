//! An SQS consumer with partial batch failures: a message whose body starts with
//! "fail" is reported as failed; every other body is forwarded to OUTPUT_QUEUE_URL
//! so a test can see what was processed.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let output = std::env::var("OUTPUT_QUEUE_URL")?;
    let (sqs, output) = (&sqs, output.as_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let mut response = SqsBatchResponse::default();
        for record in event.payload.records {
            let id = record.message_id.clone().unwrap_or_default();
            let body = record.body.unwrap_or_default();
            if body.starts_with("fail") {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                response.batch_item_failures.push(failure);
                continue;
            }
            sqs.send_message().queue_url(output).message_body(body).send().await?;
        }
        Ok::<_, Error>(response)
    }))
    .await
}
