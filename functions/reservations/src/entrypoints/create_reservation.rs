//! Entry point: POST /reservations (signed in)

use lambda_http::{Error, Request};
use reservations::handlers::create_reservation::Settings;
use reservations::handlers::create_reservation::handle;
use shared::SystemClock;
use shared::idempotency::{IdempotencyStore, Lifetimes};

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let offers = &reservations::EventOffers::from_env().await?;
    let lifetimes = Lifetimes { expires_seconds: 24 * 3600, in_progress_seconds: 30 };
    let idempotency = &IdempotencyStore::new(store.client().clone(), store.table(), "create-reservation", lifetimes);
    let seconds: i64 = shared::env_required("HOLD_SECONDS")?.parse()?;
    let admission = waiting_room::token::AdmissionTokens::from_env()?;
    let settings = &Settings { hold_for: chrono::Duration::seconds(seconds), admission };
    shared::http::run(move |request: Request| async move {
        handle(store, offers, idempotency, settings, &SystemClock, &request).await
    })
    .await
}
