//! Entry point: the door table's stream (a ticket's first admission → its organizer's webhooks).

use aws_lambda_events::event::dynamodb::Event;
use door::handlers::forward_door_changes::handle;
use lambda_runtime::{Error, LambdaEvent};
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let webhooks = &SqsQueue::from_env("WEBHOOK_EVENTS_QUEUE_URL").await?;
    shared::telemetry::run(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(handle(webhooks, event.payload).await)
    })
    .await
}
