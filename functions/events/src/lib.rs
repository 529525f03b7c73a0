//! The events domain: organizers publish matches, concerts and conferences with
//! ticket tiers; the public browses them.
//!
//! - `domain`: the rules (validation, tier changes, publishing), no AWS types;
//! - `store`: the events table behind the `EventStore` trait;
//! - `handlers`: one module per endpoint;
//! - `inventory`: the seat-inventory contract other domains hold and return seats through;
//! - `seats`: its seated half (seat maps by version);
//! - `door`: the door contract (an event's organizer and tiers, for check-in);
//! - `reminders`: the reminder-schedule contract (which events' holders to remind now);
//! - `src/main.rs` and `src/entrypoints/*.rs`: the binary, one thin entry point per function.

pub mod domain;
pub mod door;
pub mod handlers;
pub mod inventory;
pub mod reminders;
pub mod seats;
pub mod store;

use store::dynamodb::DynamoEventStore;
use store::participants::DynamoParticipants;

/// The events table named by `EVENTS_TABLE`, with a client built once per cold start.
pub async fn store_from_env() -> Result<DynamoEventStore, shared::ConfigError> {
    let table = shared::env_required("EVENTS_TABLE")?;
    let config = shared::aws_sdk_config().await;
    let users_table = std::env::var("USERS_TABLE").ok().filter(|t| !t.is_empty());
    Ok(DynamoEventStore::new(aws_sdk_dynamodb::Client::new(&config), table).with_users_table(users_table))
}

/// Confirmed reservations, read from `RESERVATIONS_TABLE`.
pub async fn participants_from_env() -> Result<DynamoParticipants, shared::ConfigError> {
    let table = shared::env_required("RESERVATIONS_TABLE")?;
    let config = shared::aws_sdk_config().await;
    Ok(DynamoParticipants::new(aws_sdk_dynamodb::Client::new(&config), table))
}
