//! The waiting-room domain: a fair queue in front of an event's on-sale.
//!
//! - `onsale::admission` (its own crate, shared with `make simulate-onsale`): the rules;
//! - `store`: the waiting-room table (only this domain writes it);
//! - `token`: the admission-token contract the reservations domain checks;
//! - `handlers`: one module per endpoint;
//! - `src/main.rs` and `src/entrypoints/*.rs`: the binary, one thin entry point per function.

pub mod handlers;
pub mod store;
pub mod token;

use events::inventory::RoomSettings;
use shared::dynamo::Failure;

/// An event's room settings, read through the events domain's contract.
pub struct EventSettings {
    client: aws_sdk_dynamodb::Client,
    events_table: String,
}

impl EventSettings {
    pub async fn from_env() -> Result<Self, shared::ConfigError> {
        let events_table = shared::env_required("EVENTS_TABLE")?;
        let config = shared::aws_sdk_config().await;
        Ok(Self { client: aws_sdk_dynamodb::Client::new(&config), events_table })
    }
}

impl handlers::Settings for EventSettings {
    async fn settings(&self, event_id: &str) -> Result<Option<RoomSettings>, Failure> {
        events::inventory::room_settings(&self.client, &self.events_table, event_id).await
    }
}
