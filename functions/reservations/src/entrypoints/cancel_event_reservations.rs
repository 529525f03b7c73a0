//! Entry point: the event-cancellation queue's consumer (cancels and refunds every reservation).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use reservations::handlers::cancel_event_reservations::Consumer;
use reservations::handlers::cancel_event_reservations::handle;
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let events = &reservations::EventOffers::from_env().await?;
    let pages = &SqsQueue::from_env("EVENT_CANCELLATIONS_QUEUE_URL").await?;
    let consumer = &Consumer { store, events, pages, clock: &SystemClock };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(consumer, event.payload).await)
    })
    .await
}
