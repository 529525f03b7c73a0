//! Entry point: the payment queue's consumer (charges and refunds).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use payments::circuit::{CircuitStore, Policy};
use payments::handlers::process_payments::Consumer;
use payments::handlers::process_payments::handle;
use payments::provider::Stripe;
use payments::store::PaymentStore;
use reservations::store::dynamodb::DynamoReservationStore;
use shared::SystemClock;
use shared::sqs::{Backoff, SqsQueue};
use std::time::Duration;

pub async fn run() -> Result<(), Error> {
    let config = shared::aws_sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    // Read only: is the hold still live? (payments never write the reservations table)
    let reservations = &DynamoReservationStore::reader(dynamodb.clone(), shared::env_required("RESERVATIONS_TABLE")?);
    let payments = &PaymentStore::new(dynamodb.clone(), shared::env_required("PAYMENTS_TABLE")?);
    let stripe = &Stripe::new(
        &shared::env_required("STRIPE_API_BASE")?,
        &shared::env_required("STRIPE_SECRET_KEY")?,
        Duration::from_secs(10),
    );
    let own_queue = shared::env_required("PAYMENT_REQUESTS_QUEUE_URL")?;
    let requeue = &SqsQueue::new(aws_sdk_sqs::Client::new(&config), &own_queue);
    let backoff = &Backoff::new(aws_sdk_sqs::Client::new(&config), &own_queue, 2, 60);
    let policy = Policy {
        threshold: 5,
        window_seconds: 30,
        cooldown_seconds: shared::env_required("CIRCUIT_COOLDOWN_SECONDS")?.parse()?,
        probe_seconds: 15,
    };
    let circuit = &CircuitStore::new(dynamodb.clone(), shared::env_required("PAYMENTS_TABLE")?, "stripe", policy);
    let consumer = &Consumer {
        reservations,
        payments,
        provider: stripe,
        circuit,
        requeue,
        backoff: Some(backoff),
        clock: &SystemClock,
        reconcile_after_seconds: shared::env_required("RECONCILE_AFTER_SECONDS")?.parse()?,
    };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(consumer, event.payload).await)
    })
    .await
}
