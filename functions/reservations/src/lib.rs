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
    /// Offers on sale, kept for [`OFFER_CACHE`] per instance: a hold then costs its
    /// transaction alone. Safe because the hold's transaction checks the shard's own
    /// copy of the status, window and limit; a stale price lasts seconds at most.
    cache: std::sync::Mutex<std::collections::HashMap<(String, String), (std::time::Instant, Offer)>>,
}

/// How long an instance reuses an offer it read.
pub const OFFER_CACHE: std::time::Duration = std::time::Duration::from_secs(3);

impl EventOffers {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let events_table = shared::env_required("EVENTS_TABLE")?;
        let config = shared::aws_sdk_config().await;
        Ok(Self { client: aws_sdk_dynamodb::Client::new(&config), events_table, cache: Default::default() })
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
    async fn seat_offer(
        &self,
        event_id: &str,
        ids: &[seating::map::SeatId],
    ) -> Result<events::inventory::SeatOffer, Failure> {
        // Not cached: the seats' rows are read by key (one batch read), and the
        // hold's own transaction checks each seat.
        events::inventory::seat_offer(&self.client, &self.events_table, event_id, ids).await
    }

    async fn offer(&self, event_id: &str, tier_id: &str) -> Result<Option<Offer>, Failure> {
        let key = (event_id.to_owned(), tier_id.to_owned());
        let now = std::time::Instant::now();
        if let Some((_, offer)) = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
            .filter(|(at, _)| now.duration_since(*at) < OFFER_CACHE)
        {
            return Ok(Some(offer));
        }
        let offer = events::inventory::offer(&self.client, &self.events_table, event_id, tier_id).await?;
        // Only what is on sale is kept: an event about to open is read afresh.
        if let Some(offer) = offer.as_ref().filter(|o| o.on_sale(chrono::Utc::now())) {
            if let Ok(mut cache) = self.cache.lock() {
                cache.retain(|_, (at, _)| now.duration_since(*at) < OFFER_CACHE);
                cache.insert(key, (now, offer.clone()));
            }
        }
        Ok(offer)
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
