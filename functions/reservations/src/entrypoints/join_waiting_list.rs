//! Entry point: POST /events/{id}/tiers/{tierId}/waiting-list (signed in)

use lambda_http::{Error, Request};
use reservations::handlers::join_waiting_list::handle;
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let offers = &reservations::EventOffers::from_env().await?;
    let waiting_lists = &shared::sqs::SqsQueue::from_env("WAITING_LIST_QUEUE_URL").await?;
    shared::http::run(move |request: Request| async move {
        handle(store, offers, waiting_lists, &SystemClock, &request).await
    })
    .await
}
