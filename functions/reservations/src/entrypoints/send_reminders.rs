//! Entry point: the reminder pages queue's consumer (a page of holders per message).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use reservations::handlers::send_reminders::Consumer;
use reservations::handlers::send_reminders::handle;
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let events = &reservations::EventOffers::from_env().await?;
    let pages = &SqsQueue::from_env("REMINDER_PAGES_QUEUE_URL").await?;
    let notifications = &SqsQueue::from_env("NOTIFICATIONS_QUEUE_URL").await?;
    let page_size = shared::env_required("REMINDER_PAGE_SIZE")?.parse()?;
    let claims_in_flight = shared::env_required("REMINDER_CLAIMS_IN_FLIGHT")?.parse()?;
    let consumer = &Consumer { events, store, pages, notifications, clock: &SystemClock, page_size, claims_in_flight };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        let deadline = chrono::DateTime::<chrono::Utc>::from(event.context.deadline());
        Ok::<_, Error>(handle(consumer, event.payload, deadline).await)
    })
    .await
}
