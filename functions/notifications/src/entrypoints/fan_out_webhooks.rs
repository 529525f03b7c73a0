//! Entry point: the webhook events queue's consumer (one delivery per subscribed endpoint).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use notifications::handlers::fan_out_webhooks::FanOut;
use notifications::handlers::fan_out_webhooks::handle;
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let store = &notifications::webhook_store().await?;
    let deliveries = &SqsQueue::from_env("WEBHOOK_DELIVERIES_QUEUE_URL").await?;
    let fan_out = &FanOut { store, deliveries, clock: &SystemClock };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(fan_out, event.payload).await)
    })
    .await
}
