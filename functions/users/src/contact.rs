//! Contact contract: how other domains (notifications) find whom to write to.
//!
//! Reads a user's profile item (`USER#<id>` / `PROFILE`) for its `email` and
//! `displayName`. An erased account has no email any more: [`contact`] answers
//! `None`, and nothing is sent to a person who asked to be forgotten.

use aws_sdk_dynamodb::Client;
use shared::dynamo::{self, Failure};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub email: String,
    pub name: String,
}

/// The user's email and display name, if the account exists and is not erased.
pub async fn contact(client: &Client, users_table: &str, user_id: &str) -> Result<Option<Contact>, Failure> {
    let out = client
        .get_item()
        .table_name(users_table)
        .set_key(Some(dynamo::key(crate::store::dynamodb::user_pk(user_id), crate::store::dynamodb::PROFILE)))
        .projection_expression("email, displayName")
        .send()
        .await
        .map_err(dynamo::sdk_failure)?;
    let Some(item) = out.item else { return Ok(None) };
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    Ok(text("email").map(|email| Contact { email, name: text("displayName").unwrap_or_default() }))
}
