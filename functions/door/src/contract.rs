//! The door's read contract: whether any of some tickets went through a gate.
//! The reservations domain asks before moving tickets to someone else (a ticket
//! that was used is not handed on). Read-only.

use shared::dynamo::{self, Failure};

/// Whether any of `codes` was admitted at the door.
pub async fn any_checked_in(
    client: &aws_sdk_dynamodb::Client,
    door_table: &str,
    codes: &[String],
) -> Result<bool, Failure> {
    let keys = codes.iter().map(|code| dynamo::key(format!("TICKET#{code}"), "TICKET")).collect();
    let items = dynamo::batch_get(client, door_table, keys, true, Some("admittedAt")).await?;
    Ok(items.iter().any(|item| item.contains_key("admittedAt")))
}
