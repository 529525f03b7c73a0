//! Entry point: the events table's stream, shard items (each changed tier's public figure summed again).

use aws_lambda_events::event::dynamodb::Event;
use events::handlers::refresh_tier_summaries::Summaries;
use events::store::dynamodb::DynamoEventStore;
use lambda_runtime::{Error, LambdaEvent};
use shared::dynamo::Failure;

struct Store(DynamoEventStore);

impl Summaries for Store {
    async fn refresh(&self, event_id: &str, tier_id: &str) -> Result<(), Failure> {
        match self.0.refresh_summary(event_id, tier_id).await {
            Ok(_) => Ok(()),
            Err(events::store::StoreError::Storage(failure)) => Err(failure),
            Err(other) => Err(Failure::Other(other.to_string())),
        }
    }
}

pub async fn run() -> Result<(), Error> {
    let store = &Store(events::store_from_env().await?);
    shared::telemetry::run(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(events::handlers::refresh_tier_summaries::handle(store, event.payload).await)
    })
    .await
}
