//! Entry point: the webhook deliveries queue's consumer (signed posts, retried with backoff).

use aws_lambda_events::event::sqs::SqsEvent;
use chrono::Duration;
use lambda_runtime::{Error, LambdaEvent};
use notifications::handlers::deliver_webhooks::Deliverer;
use notifications::handlers::deliver_webhooks::handle;
use notifications::handlers::webhook_routes::destinations_from_env;
use notifications::webhooks::RetrySchedule;
use notifications::webhooks::sender::Sender;
use shared::SystemClock;
use shared::sqs::SqsQueue;

fn seconds(name: &str) -> Result<Duration, Error> {
    let text = shared::env_required(name)?;
    let seconds: i64 = text.parse().map_err(|_| format!("{name} must be a number of seconds, not {text:?}"))?;
    Ok(Duration::seconds(seconds))
}

pub async fn run() -> Result<(), Error> {
    let store = &notifications::webhook_store().await?;
    let deliveries = &SqsQueue::from_env("WEBHOOK_DELIVERIES_QUEUE_URL").await?;
    let notifications = &SqsQueue::from_env("NOTIFICATIONS_QUEUE_URL").await?;
    let schedule_text = shared::env_required("WEBHOOK_RETRY_SCHEDULE")?;
    let schedule = &RetrySchedule::parse(&schedule_text)
        .ok_or_else(|| format!("WEBHOOK_RETRY_SCHEDULE must list seconds, e.g. 5,300,1800, not {schedule_text:?}"))?;
    let timeout = std::time::Duration::from_secs(seconds("WEBHOOK_TIMEOUT_SECONDS")?.num_seconds().max(1) as u64);
    let sender = &Sender { destinations: destinations_from_env(), timeout };
    let deliverer = &Deliverer {
        store,
        deliveries,
        notifications,
        sender,
        clock: &SystemClock,
        schedule,
        give_up_after: seconds("WEBHOOK_GIVE_UP_SECONDS")?,
        disable_after: seconds("WEBHOOK_DISABLE_AFTER_SECONDS")?,
    };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(deliverer, event.payload).await)
    })
    .await
}
