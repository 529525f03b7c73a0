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

use events::inventory::{BestSeats, Offer};
use handlers::create_reservation::Offers;
use seating::map::SeatMap;
use shared::ConfigError;
use shared::dynamo::Failure;
use std::sync::Arc;
use store::dynamodb::DynamoReservationStore;

/// The reservations table (`RESERVATIONS_TABLE`) and the events table it holds
/// seats in (`EVENTS_TABLE`), with one client built per cold start.
pub async fn store_from_env() -> Result<DynamoReservationStore, ConfigError> {
    let table = shared::env_required("RESERVATIONS_TABLE")?;
    let events = shared::env_required("EVENTS_TABLE")?;
    let config = shared::aws_sdk_config().await;
    let users_table = std::env::var("USERS_TABLE").ok().filter(|t| !t.is_empty());
    Ok(DynamoReservationStore::new(aws_sdk_dynamodb::Client::new(&config), table, events).with_users_table(users_table))
}

/// What is on sale, read through the events domain's inventory contract.
pub struct EventOffers {
    client: aws_sdk_dynamodb::Client,
    events_table: String,
    /// Offers on sale, kept for [`OFFER_CACHE`] per instance: a hold then costs its
    /// transaction alone. Safe because the hold's transaction checks the shard's own
    /// copy of the status, window and limit; a stale price lasts seconds at most.
    cache: std::sync::Mutex<std::collections::HashMap<(String, String), (std::time::Instant, Offer)>>,
    /// Seat maps by (event, version), for best-available: a version never changes
    /// once in force, so one read serves the instance's life.
    maps: std::sync::Mutex<std::collections::HashMap<(String, u32), Arc<SeatMap>>>,
    /// Each event's taken seats, kept for [`TAKEN_CACHE`]: best-available picks from
    /// them, and the hold's transaction checks each seat it takes.
    taken: std::sync::Mutex<std::collections::HashMap<String, TakenRead>>,
}

/// An event's taken seats as last read, and how fast they were being taken then.
#[derive(Clone)]
struct TakenRead {
    at: std::time::Instant,
    seats: Arc<TakenSeats>,
    /// Seats taken per second between the two latest reads (0 until there are two).
    rate: f64,
}

type TakenSeats = std::collections::HashMap<seating::map::SeatId, events::seats::SeatState>;

/// How long an instance reuses the taken seats it read.
pub const TAKEN_CACHE: std::time::Duration = std::time::Duration::from_secs(1);

/// At most this many seat maps are kept per instance.
const MAPS_KEPT: usize = 16;

/// How long an instance reuses an offer it read.
pub const OFFER_CACHE: std::time::Duration = std::time::Duration::from_secs(3);

impl EventOffers {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let events_table = shared::env_required("EVENTS_TABLE")?;
        let config = shared::aws_sdk_config().await;
        Ok(Self {
            client: aws_sdk_dynamodb::Client::new(&config),
            events_table,
            cache: Default::default(),
            maps: Default::default(),
            taken: Default::default(),
        })
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

impl EventOffers {
    async fn seat_map(&self, event_id: &str, version: u32) -> Result<Option<Arc<SeatMap>>, Failure> {
        let key = (event_id.to_owned(), version);
        if let Some(map) = self.maps.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(Some(map));
        }
        let Some(map) = events::seats::read_map(&self.client, &self.events_table, event_id, version).await? else {
            return Ok(None);
        };
        let map = Arc::new(map);
        if let Ok(mut maps) = self.maps.lock() {
            if maps.len() >= MAPS_KEPT {
                maps.clear();
            }
            maps.insert(key, map.clone());
        }
        Ok(Some(map))
    }

    /// The event's taken seats (kept [`TAKEN_CACHE`]) and the rate, in seats a
    /// second, at which they were being taken between this instance's last reads.
    async fn taken_seats(&self, event_id: &str) -> Result<(Arc<TakenSeats>, f64), Failure> {
        let now = std::time::Instant::now();
        let cached = self.taken.lock().ok().and_then(|t| t.get(event_id).cloned());
        if let Some(read) = cached.as_ref().filter(|read| now.duration_since(read.at) < TAKEN_CACHE) {
            return Ok((read.seats.clone(), read.rate));
        }
        let seats = Arc::new(events::seats::taken_seats(&self.client, &self.events_table, event_id).await?);
        // The rate from two reads a few seconds apart at most (older ones say little of now).
        let rate = cached
            .map(|before| (now.duration_since(before.at).as_secs_f64(), before.seats.len()))
            .filter(|(seconds, _)| *seconds <= 10.0)
            .map_or(0.0, |(seconds, count)| {
                seats.len().saturating_sub(count) as f64 / seconds.max(TAKEN_CACHE.as_secs_f64())
            });
        if let Ok(mut cache) = self.taken.lock() {
            cache.retain(|_, read| now.duration_since(read.at) < std::time::Duration::from_secs(60));
            cache.insert(event_id.to_owned(), TakenRead { at: now, seats: seats.clone(), rate });
        }
        Ok((seats, rate))
    }
}

impl EventOffers {
    /// The tier as stored now, past this instance's cache: for decisions a few
    /// seconds' lag would get wrong (whether a tier is sold out).
    pub async fn fresh_offer(&self, event_id: &str, tier_id: &str) -> Result<Option<Offer>, Failure> {
        events::inventory::offer(&self.client, &self.events_table, event_id, tier_id).await
    }
}

impl Offers for EventOffers {
    async fn best_seats(
        &self,
        offer: &Offer,
        quantity: u32,
        avoid: &[seating::map::SeatId],
        lost: u32,
    ) -> Result<BestSeats, Failure> {
        let Some(version) = offer.seat_map_version else { return Ok(BestSeats::NotEnough { free: 0 }) };
        let Some(map) = self.seat_map(&offer.event_id, version).await? else {
            return Ok(BestSeats::NotEnough { free: 0 });
        };
        let (taken, seats_per_second) = self.taken_seats(&offer.event_id).await?;
        // Wide enough under a rush that buyers picking from the same view rarely meet.
        let spread = seating::best::spread(seats_per_second / f64::from(quantity.max(1)), lost);
        let mut rng = rand::thread_rng();
        Ok(events::inventory::best_seats(&map, offer, &taken, avoid, quantity as usize, spread, &mut rng))
    }

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
