//! Entry point: POST /events/{id}/cancel

use events::handlers::cancel_event::handle;
use lambda_http::{Error, Request};
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let store = &events::store_from_env().await?;
    let cancellations = &SqsQueue::from_env("EVENT_CANCELLATIONS_QUEUE_URL").await?;
    shared::http::run(move |request: Request| async move { handle(store, cancellations, &SystemClock, &request).await })
        .await
}
