//! Entry point: the payments table's stream (a settled payment → its outcome for the reservations domain).

use aws_lambda_events::event::dynamodb::Event;
use lambda_runtime::{Error, LambdaEvent};
use payments::handlers::forward_payment_outcomes::handle;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let outcomes = &SqsQueue::from_env("PAYMENT_OUTCOMES_QUEUE_URL").await?;
    shared::telemetry::run(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(handle(outcomes, event.payload).await)
    })
    .await
}
