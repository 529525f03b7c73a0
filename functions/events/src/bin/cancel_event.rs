//! Lambda entry point: POST /events/{id}/cancel

use events::handlers::cancel_event::handle;
use lambda_http::{Error, Request, service_fn};
use shared::sqs::SqsQueue;
use shared::{SystemClock, respond};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let store = &events::store_from_env().await?;
    let cancellations = &SqsQueue::from_env("EVENT_CANCELLATIONS_QUEUE_URL").await?;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(respond(handle(store, cancellations, &SystemClock, &request).await))
    }))
    .await
}
