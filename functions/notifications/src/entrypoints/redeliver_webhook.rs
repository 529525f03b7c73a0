//! Entry point: POST /organizers/me/webhooks/{id}/deliveries/{messageId}/redeliver

use lambda_http::{Error, Request};
use notifications::handlers::redeliver_webhook::handle;
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let store = &notifications::webhook_store().await?;
    let deliveries = &SqsQueue::from_env("WEBHOOK_DELIVERIES_QUEUE_URL").await?;
    shared::http::run(move |request: Request| async move { handle(store, deliveries, &SystemClock, &request).await })
        .await
}
