//! The notifications domain: emails for every step of a booking, rendered from
//! template files and sent once each through SES (v2), and organizers' signed
//! webhooks, delivered with retries.
//!
//! - `render`: templates → subject, text and HTML;
//! - `handlers`: the queue consumers and the webhook routes;
//! - `webhooks`: organizers' webhook endpoints (Standard Webhooks), their rules and adapters;
//! - the SES and contact adapters below.

pub mod handlers;
pub mod render;
pub mod webhooks;

use handlers::send_notifications::{Contacts, Mailer, SendError};
use render::Email;
use shared::dynamo::Failure;
use std::collections::HashMap;
use users::contact::Contact;

/// Recipients, from the users domain's contact contract.
pub struct UserContacts {
    pub client: aws_sdk_dynamodb::Client,
    pub users_table: String,
}

impl Contacts for UserContacts {
    async fn contacts(&self, user_ids: &[String]) -> Result<HashMap<String, Contact>, Failure> {
        users::contact::contacts(&self.client, &self.users_table, user_ids).await
    }
}

/// SES v2 from the template's sender address.
pub struct Ses {
    pub client: aws_sdk_sesv2::Client,
    pub sender: String,
}

impl Mailer for Ses {
    async fn send(&self, to: &str, email: &Email) -> Result<(), SendError> {
        use aws_sdk_sesv2::error::SdkError;
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
        let content = |text: &str| {
            Content::builder().data(text).charset("UTF-8").build().map_err(|e| SendError::NotSent(e.to_string()))
        };
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(Body::builder().text(content(&email.text)?).html(content(&email.html)?).build())
            .build();
        self.client
            .send_email()
            .from_email_address(&self.sender)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|err| {
                let text = aws_sdk_sesv2::error::DisplayErrorContext(&err).to_string();
                match &err {
                    SdkError::ServiceError(_) | SdkError::ConstructionFailure(_) => SendError::NotSent(text),
                    SdkError::DispatchFailure(failure)
                        if failure.as_connector_error().is_some_and(|e| never_connected(e)) =>
                    {
                        SendError::NotSent(text)
                    }
                    _ => SendError::Unknown(text),
                }
            })?;
        Ok(())
    }
}

/// Whether the request failed before a connection to SES existed (so SES never
/// saw it), as opposed to a connection lost or timed out while SES had it.
fn never_connected(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.downcast_ref::<hyper_util::client::legacy::Error>().is_some_and(|e| e.is_connect()) {
            return true;
        }
        current = error.source();
    }
    false
}

/// An SES client that never resends on its own: a resend after a lost answer
/// could email twice (SES takes no idempotency key); the consumer decides.
pub fn ses_client(config: &aws_config::SdkConfig) -> aws_sdk_sesv2::Client {
    let config = aws_sdk_sesv2::config::Builder::from(config)
        .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::standard().with_max_attempts(1))
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
}

/// The webhook store from `NOTIFICATIONS_TABLE`.
pub async fn webhook_store() -> Result<webhooks::store::WebhookStore, shared::ConfigError> {
    let config = shared::aws_sdk_config().await;
    Ok(webhooks::store::WebhookStore {
        client: aws_sdk_dynamodb::Client::new(&config),
        table: shared::env_required("NOTIFICATIONS_TABLE")?,
    })
}
