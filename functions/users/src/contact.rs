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
    /// The language the person chose; `None`: not chosen (English is the default).
    pub language: Option<shared::locale::Language>,
}

/// The user's email and display name, if the account exists and is not erased.
pub async fn contact(client: &Client, users_table: &str, user_id: &str) -> Result<Option<Contact>, Failure> {
    let out = client
        .get_item()
        .table_name(users_table)
        .set_key(Some(dynamo::key(crate::store::dynamodb::user_pk(user_id), crate::store::dynamodb::PROFILE)))
        .projection_expression("email, displayName, preferredLanguage")
        .send()
        .await
        .map_err(dynamo::sdk_failure)?;
    Ok(out.item.as_ref().and_then(contact_of))
}

/// The account registered with `email` (normalised as registration does), if it
/// exists and is not erased: its id and contact. For granting an account a role
/// somewhere else (door staff of an event).
pub async fn user_by_email(
    client: &Client,
    users_table: &str,
    email: &str,
) -> Result<Option<(String, Contact)>, Failure> {
    let Ok(email) = crate::domain::account::normalize_email(email) else { return Ok(None) };
    let claim = client
        .get_item()
        .table_name(users_table)
        .set_key(Some(dynamo::key(crate::store::dynamodb::email_pk(&email), "EMAIL")))
        .projection_expression("userId")
        .send()
        .await
        .map_err(dynamo::sdk_failure)?;
    let Some(user_id) = claim.item.as_ref().and_then(|i| i.get("userId")).and_then(|v| v.as_s().ok()).cloned() else {
        return Ok(None);
    };
    Ok(contact(client, users_table, &user_id).await?.map(|c| (user_id, c)))
}

/// A profile item's contact; `None` once the account is erased (no email).
fn contact_of(item: &dynamo::Item) -> Option<Contact> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    text("email").map(|email| Contact {
        email,
        name: text("displayName").unwrap_or_default(),
        language: text("preferredLanguage").as_deref().and_then(shared::locale::Language::parse),
    })
}

/// [`contact`] for many users at once (BatchGetItem, a call per hundred): the ones
/// that exist and are not erased, by user id.
pub async fn contacts(
    client: &Client,
    users_table: &str,
    user_ids: &[String],
) -> Result<std::collections::HashMap<String, Contact>, Failure> {
    let by_pk: std::collections::HashMap<String, &String> =
        user_ids.iter().map(|id| (crate::store::dynamodb::user_pk(id), id)).collect();
    let keys = by_pk.keys().map(|pk| dynamo::key(pk.clone(), crate::store::dynamodb::PROFILE)).collect();
    let items =
        dynamo::batch_get(client, users_table, keys, false, Some("pk, email, displayName, preferredLanguage")).await?;
    Ok(items
        .iter()
        .filter_map(|item| {
            let id = by_pk.get(item.get("pk")?.as_s().ok()?)?;
            Some(((*id).clone(), contact_of(item)?))
        })
        .collect())
}
