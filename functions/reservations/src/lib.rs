//! The reservations domain: seat holds, the booking state machine, tickets, the
//! sweeper that releases expired holds, and reminders before the event.
//!
//! - `domain`: the rules (orders, states, cancellation, tickets), no AWS types;
//! - `store`: the reservations table behind the `ReservationStore` trait (only
//!   this domain writes it; payments read a reservation, never write one);
//! - `handlers`: one module per function;
//! - `src/main.rs` and `src/entrypoints/*.rs`: the binary, one thin entry point per function.

pub mod domain;
pub mod handlers;
pub mod store;

use events::inventory::Offer;
use handlers::create_reservation::Offers;
use shared::ConfigError;
use shared::dynamo::Failure;
use store::dynamodb::DynamoReservationStore;

/// The reservations table (`RESERVATIONS_TABLE`) and the events table it holds
/// seats in (`EVENTS_TABLE`), with one client built per cold start.
pub async fn store_from_env() -> Result<DynamoReservationStore, ConfigError> {
    let table = shared::env_required("RESERVATIONS_TABLE")?;
    let events = shared::env_required("EVENTS_TABLE")?;
    let config = shared::aws_sdk_config().await;
    Ok(DynamoReservationStore::new(aws_sdk_dynamodb::Client::new(&config), table, events))
}

/// What is on sale, read through the events domain's inventory contract.
pub struct EventOffers {
    client: aws_sdk_dynamodb::Client,
    events_table: String,
}

impl EventOffers {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let events_table = shared::env_required("EVENTS_TABLE")?;
        let config = shared::aws_sdk_config().await;
        Ok(Self { client: aws_sdk_dynamodb::Client::new(&config), events_table })
    }
}

impl handlers::cancel_event_reservations::CancelledEvents for EventOffers {
    async fn is_cancelled(&self, event_id: &str) -> Result<bool, Failure> {
        events::inventory::is_cancelled(&self.client, &self.events_table, event_id).await
    }
}

impl handlers::start_reminders::DueEvents for EventOffers {
    async fn due(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<events::reminders::Occurrence>, Failure> {
        events::reminders::due(&self.client, &self.events_table, now).await
    }
}

impl handlers::send_reminders::Occurrences for EventOffers {
    async fn occurrence(&self, event_id: &str) -> Result<Option<events::reminders::Occurrence>, Failure> {
        events::reminders::occurrence(&self.client, &self.events_table, event_id).await
    }
}

impl Offers for EventOffers {
    async fn offer(&self, event_id: &str, tier_id: &str) -> Result<Option<Offer>, Failure> {
        events::inventory::offer(&self.client, &self.events_table, event_id, tier_id).await
    }
}

/// Ticket holders' names, from the users domain's contact contract.
pub struct UserNames {
    pub client: aws_sdk_dynamodb::Client,
    pub users_table: String,
}

impl handlers::apply_payment_outcomes::HolderNames for UserNames {
    async fn holder_name(&self, user_id: &str) -> Result<String, Failure> {
        Ok(users::contact::contact(&self.client, &self.users_table, user_id).await?.map(|c| c.name).unwrap_or_default())
    }
}
