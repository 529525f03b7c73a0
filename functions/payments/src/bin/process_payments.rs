//! Lambda entry point: the payment queue's consumer (charges and refunds).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use payments::handlers::process_payments::Consumer;
use payments::handlers::process_payments::handle;
use payments::provider::Stripe;
use payments::store::PaymentStore;
use shared::SystemClock;
use shared::sqs::SqsQueue;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let config = shared::aws_sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let reservations = &reservations::store_from_env().await?;
    let payments = &PaymentStore::new(dynamodb.clone(), shared::env_required("PAYMENTS_TABLE")?);
    let stripe = &Stripe::new(
        &shared::env_required("STRIPE_API_BASE")?,
        &shared::env_required("STRIPE_SECRET_KEY")?,
        Duration::from_secs(10),
    );
    let notifications = &SqsQueue::from_env("NOTIFICATIONS_QUEUE_URL").await?;
    let names = &payments::UserNames { client: dynamodb, users_table: shared::env_required("USERS_TABLE")? };
    let consumer = &Consumer { reservations, payments, provider: stripe, notifications, names, clock: &SystemClock };
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(consumer, event.payload).await)
    }))
    .await
}
