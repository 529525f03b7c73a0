//! Entry point: the events table's stream (an event cancelled → its reservations' cancellation starts, its webhooks told).

use aws_lambda_events::event::dynamodb::Event;
use events::handlers::forward_event_changes::handle;
use lambda_runtime::{Error, LambdaEvent};
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let cancellations = &SqsQueue::from_env("EVENT_CANCELLATIONS_QUEUE_URL").await?;
    let webhooks = &SqsQueue::from_env("WEBHOOK_EVENTS_QUEUE_URL").await?;
    shared::telemetry::run(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(handle(cancellations, webhooks, event.payload).await)
    })
    .await
}
