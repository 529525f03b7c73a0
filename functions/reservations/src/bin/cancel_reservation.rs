//! Lambda entry point: DELETE /reservations/{id} (holder, admin)

use lambda_http::{Error, Request, service_fn};
use reservations::handlers::cancel_reservation::handle;
use shared::sqs::SqsQueue;
use shared::{SystemClock, respond};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &reservations::store_from_env().await?;
    let payments = &SqsQueue::from_env("PAYMENT_REQUESTS_QUEUE_URL").await?;
    let notifications = &SqsQueue::from_env("NOTIFICATIONS_QUEUE_URL").await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, payments, notifications, &SystemClock, &request).await))
    }))
    .await
}
