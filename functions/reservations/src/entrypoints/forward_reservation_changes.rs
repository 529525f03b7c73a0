//! Entry point: the reservations table's stream (committed changes → charge, refund, notice, door, webhook and waiting-list messages).

use aws_lambda_events::event::dynamodb::Event;
use lambda_runtime::{Error, LambdaEvent};
use reservations::handlers::forward_reservation_changes::Forwarder;
use reservations::handlers::forward_reservation_changes::handle;
use shared::sqs::SqsQueue;

pub async fn run() -> Result<(), Error> {
    let payments = &SqsQueue::from_env("PAYMENT_REQUESTS_QUEUE_URL").await?;
    let notifications = &SqsQueue::from_env("NOTIFICATIONS_QUEUE_URL").await?;
    let door = &SqsQueue::from_env("TICKET_CHANGES_QUEUE_URL").await?;
    let webhooks = &SqsQueue::from_env("WEBHOOK_EVENTS_QUEUE_URL").await?;
    let waiting_lists = &SqsQueue::from_env("WAITING_LIST_QUEUE_URL").await?;
    let forwarder = &Forwarder { payments, notifications, door, webhooks, waiting_lists };
    shared::telemetry::run(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(handle(forwarder, event.payload).await)
    })
    .await
}
