//! Entry point: DELETE /reservations/{id} (holder, admin)

use lambda_http::{Error, Request};
use reservations::handlers::cancel_reservation::handle;
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let payments = &SqsQueue::from_env("PAYMENT_REQUESTS_QUEUE_URL").await?;
    let notifications = &SqsQueue::from_env("NOTIFICATIONS_QUEUE_URL").await?;
    shared::http::run(move |request: Request| async move {
        handle(store, payments, notifications, &SystemClock, &request).await
    })
    .await
}
