//! Entry point: the reminder schedule (EventBridge Scheduler, every 15 minutes by default).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent};
use reservations::handlers::start_reminders::handle;
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let events = &reservations::EventOffers::from_env().await?;
    let pages = &SqsQueue::from_env("REMINDER_PAGES_QUEUE_URL").await?;
    let page_timeout = chrono::Duration::seconds(shared::env_required("REMINDER_PAGE_TIMEOUT_SECONDS")?.parse()?);
    shared::telemetry::run(move |_: LambdaEvent<EventBridgeEvent>| async move {
        Ok::<_, Error>(handle(events, store, pages, page_timeout, &SystemClock).await?)
    })
    .await
}
