//! Entry point: the waiting room's join queue route.

use lambda_http::{Error, Request};
use shared::SystemClock;
use waiting_room::handlers::Deps;

pub async fn run() -> Result<(), Error> {
    let settings = &waiting_room::EventSettings::from_env().await?;
    let store = &waiting_room::store::RoomStore::from_env().await?;
    let tokens = &waiting_room::token::AdmissionTokens::from_env()?;
    let abandon_after = shared::env_required("PLACE_ABANDONED_AFTER_SECONDS")?.parse()?;
    let deps = &Deps { settings, store, tokens, abandon_after };
    shared::http::run(move |request: Request| async move {
        waiting_room::handlers::join_queue::handle(deps, &SystemClock, &request).await
    })
    .await
}
