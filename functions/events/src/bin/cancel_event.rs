//! Lambda entry point: POST /events/{id}/cancel

use events::handlers::cancel_event::handle;
use lambda_http::{Error, Request};
use shared::SystemClock;
use shared::sqs::SqsQueue;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &events::store_from_env().await?;
    let cancellations = &SqsQueue::from_env("EVENT_CANCELLATIONS_QUEUE_URL").await?;
    shared::http::run(move |request: Request| async move { handle(store, cancellations, &SystemClock, &request).await })
        .await
}
