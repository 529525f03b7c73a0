//! Entry point: the notification queue's consumer (emails through SES).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use notifications::handlers::send_notifications::Consumer;
use notifications::handlers::send_notifications::handle;
use notifications::render::Renderer;
use shared::SystemClock;
use shared::idempotency::{IdempotencyStore, Lifetimes};

pub async fn run() -> Result<(), Error> {
    let config = shared::aws_sdk_config().await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    // A sent email's record lives a year: a duplicate message never sends it again.
    let lifetimes = Lifetimes { expires_seconds: 366 * 24 * 3600, in_progress_seconds: 60 };
    let sent =
        &IdempotencyStore::new(dynamodb.clone(), shared::env_required("NOTIFICATIONS_TABLE")?, "sent", lifetimes);
    let contacts = &notifications::UserContacts { client: dynamodb, users_table: shared::env_required("USERS_TABLE")? };
    let mailer = &notifications::Ses {
        client: notifications::ses_client(&config),
        sender: shared::env_required("SENDER_EMAIL")?,
    };
    // Links in emails point at the public site (`PublicBaseUrl`); without it, emails carry no links.
    let renderer = &match std::env::var("PUBLIC_BASE_URL") {
        Ok(base) => Renderer::with_base_url(base),
        Err(_) => Renderer::default(),
    };
    let consumer = &Consumer { sent, contacts, mailer, renderer, clock: &SystemClock };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(consumer, event.payload).await)
    })
    .await
}
