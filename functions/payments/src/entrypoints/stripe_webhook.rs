//! Entry point: POST /payments/stripe/webhook (Stripe's signed events).

use lambda_http::{Error, Request};
use payments::handlers::stripe_webhook::Webhook;
use payments::handlers::stripe_webhook::handle;
use shared::SystemClock;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let config = shared::aws_sdk_config().await;
    let secret = shared::env_required("STRIPE_WEBHOOK_SECRET")?;
    let payments =
        SqsQueue::new(aws_sdk_sqs::Client::new(&config), &shared::env_required("PAYMENT_REQUESTS_QUEUE_URL")?);
    let webhook = &Webhook { secret: &secret, payments: &payments };
    shared::http::run(move |request: Request| async move { handle(webhook, &SystemClock, &request).await }).await
}
