//! Entry point: the payment-outcomes queue's consumer (confirm, release, tell the holder).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use reservations::handlers::apply_payment_outcomes::Consumer;
use reservations::handlers::apply_payment_outcomes::handle;
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let payments = &SqsQueue::from_env("PAYMENT_REQUESTS_QUEUE_URL").await?;
    let notifications = &SqsQueue::from_env("NOTIFICATIONS_QUEUE_URL").await?;
    let names =
        &reservations::UserNames { client: store.client().clone(), users_table: shared::env_required("USERS_TABLE")? };
    let consumer = &Consumer { store, payments, notifications, names, clock: &SystemClock };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(consumer, event.payload).await)
    })
    .await
}
