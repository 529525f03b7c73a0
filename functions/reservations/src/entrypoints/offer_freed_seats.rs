//! Entry point: the waiting-list queue's consumer (seats that came back → offers to the line).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent};
use reservations::handlers::offer_freed_seats::Consumer;
use reservations::handlers::offer_freed_seats::handle;
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    let offers = &reservations::EventOffers::from_env().await?;
    let consumer = &Consumer { store, offers, clock: &SystemClock };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(handle(consumer, event.payload).await)
    })
    .await
}
