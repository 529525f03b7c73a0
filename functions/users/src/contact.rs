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

/// DynamoDB's limit of keys per BatchGetItem.
const BATCH_GET: usize = 100;

/// [`contact`] for many users at once (BatchGetItem, a call per hundred): the ones
/// that exist and are not erased, by user id.
pub async fn contacts(
    client: &Client,
    users_table: &str,
    user_ids: &[String],
) -> Result<std::collections::HashMap<String, Contact>, Failure> {
    use aws_sdk_dynamodb::types::KeysAndAttributes;
    let mut found = std::collections::HashMap::new();
    let mut unique: Vec<&String> = user_ids.iter().collect();
    unique.sort_unstable();
    unique.dedup();
    for chunk in unique.chunks(BATCH_GET) {
        let by_pk: std::collections::HashMap<String, &String> =
            chunk.iter().map(|id| (crate::store::dynamodb::user_pk(id), *id)).collect();
        let keys = by_pk.keys().map(|pk| dynamo::key(pk.clone(), crate::store::dynamodb::PROFILE)).collect();
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .projection_expression("pk, email, displayName")
                .build()
                .map_err(dynamo::failure)?,
        );
        for attempt in 0..8 {
            let Some(request) = pending.take() else { break };
            if attempt > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt.min(5))).await;
            }
            let out = client
                .batch_get_item()
                .request_items(users_table, request)
                .send()
                .await
                .map_err(dynamo::sdk_failure)?;
            for item in out.responses.and_then(|mut r| r.remove(users_table)).unwrap_or_default() {
                let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
                let (Some(pk), Some(email)) = (text("pk"), text("email")) else { continue };
                if let Some(id) = by_pk.get(&pk) {
                    found.insert((*id).clone(), Contact { email, name: text("displayName").unwrap_or_default() });
                }
            }
            pending = out.unprocessed_keys.and_then(|mut u| u.remove(users_table));
        }
        if pending.is_some() {
            return Err(Failure::Throttled("batch read left keys unprocessed".into()));
        }
    }
    Ok(found)
}
