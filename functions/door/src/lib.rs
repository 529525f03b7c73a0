//! The door domain: check-in that admits each ticket exactly once, online or from
//! an offline scanner's upload; door staff granted per event; gates and re-entry;
//! live counts. Its facts about tickets come from the reservations' stream (the
//! ticket-changes queue), never from the reservations table.
//!
//! - `contract`: what other domains may read (whether tickets were used);
//! - `domain`: the rules (what a scan decides, gates), no AWS types;
//! - `store`: the door table behind the `DoorStore` trait;
//! - `handlers`: one module per endpoint;
//! - `src/main.rs` and `src/entrypoints/*.rs`: the binary, one thin entry point per function.

pub mod contract;
pub mod domain;
pub mod handlers;
pub mod store;

use handlers::Door;
use store::dynamodb::DynamoDoorStore;

/// The door's store and contracts, from `DOOR_TABLE`, `EVENTS_TABLE`, `USERS_TABLE`
/// and `TICKET_SIGNING_SECRET`, with one client built per cold start.
pub async fn door_from_env() -> Result<Door<DynamoDoorStore>, shared::ConfigError> {
    let table = shared::env_required("DOOR_TABLE")?;
    let events_table = shared::env_required("EVENTS_TABLE")?;
    let users_table = shared::env_required("USERS_TABLE")?;
    let keys = shared::ticket_pass::PassKeys::from_env()?;
    let config = shared::aws_sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    Ok(Door::new(DynamoDoorStore::new(client.clone(), table), client, events_table, users_table, keys))
}
