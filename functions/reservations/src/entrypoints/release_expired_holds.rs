//! Entry point: the sweeper, on an EventBridge schedule (every minute).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent};
use reservations::handlers::release_expired_holds::handle;
use shared::SystemClock;

pub async fn run() -> Result<(), Error> {
    let store = &reservations::store_from_env().await?;
    shared::telemetry::run(move |_: LambdaEvent<EventBridgeEvent>| async move {
        Ok::<_, Error>(handle(store, &SystemClock).await?)
    })
    .await
}
