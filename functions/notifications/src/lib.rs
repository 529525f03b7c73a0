//! The notifications domain: emails for every step of a booking, rendered from
//! template files and sent once each through SES (v2).
//!
//! - `render`: templates → subject, text and HTML;
//! - `handlers`: the queue consumer;
//! - the SES and contact adapters below.

pub mod handlers;
pub mod render;

use handlers::send_notifications::{Contacts, Mailer};
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
    async fn send(&self, to: &str, email: &Email) -> Result<(), String> {
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
        let content = |text: &str| Content::builder().data(text).charset("UTF-8").build().map_err(|e| e.to_string());
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
            .map_err(|e| aws_sdk_sesv2::error::DisplayErrorContext(e).to_string())?;
        Ok(())
    }
}
