//! Entry point: the reservations table's stream (sales, cancellations and refunds → hourly figures).

use aws_lambda_events::event::dynamodb::Event;
use lambda_runtime::{Error, LambdaEvent};
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    shared::telemetry::run(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(reservations::handlers::record_sales::handle(store, &SystemClock, event.payload).await)
    })
    .await
}
