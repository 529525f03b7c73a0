//! Entry point: the events table's stream (an event cancelled → its reservations' cancellation starts, its webhooks told; a tier's added seats → its waiting list).

use aws_lambda_events::event::dynamodb::Event;
use events::handlers::forward_event_changes::Queues;
use events::handlers::forward_event_changes::handle;
use lambda_runtime::{Error, LambdaEvent};
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let cancellations = &SqsQueue::from_env("EVENT_CANCELLATIONS_QUEUE_URL").await?;
    let webhooks = &SqsQueue::from_env("WEBHOOK_EVENTS_QUEUE_URL").await?;
    let waiting_lists = &SqsQueue::from_env("WAITING_LIST_QUEUE_URL").await?;
    let queues = &Queues { cancellations, webhooks, waiting_lists };
    shared::telemetry::run(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(handle(queues, event.payload).await)
    })
    .await
}
