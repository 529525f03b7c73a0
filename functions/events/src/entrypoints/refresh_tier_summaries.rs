//! Entry point: the events table's stream, shard and seat items (each changed tier's
//! public figure summed again, each changed row's taken seats read again).

use aws_lambda_events::event::dynamodb::Event;
use events::handlers::refresh_tier_summaries::{Summaries, Summary};
use events::store::dynamodb::DynamoEventStore;
use lambda_runtime::{Error, LambdaEvent};
use shared::dynamo::Failure;

struct Store(DynamoEventStore);

impl Summaries for Store {
    async fn refresh(&self, summary: &Summary) -> Result<(), Failure> {
        match summary {
            Summary::Tier { event_id, tier_id } => match self.0.refresh_summary(event_id, tier_id).await {
                Ok(_) => Ok(()),
                Err(events::store::StoreError::Storage(failure)) => Err(failure),
                Err(other) => Err(Failure::Other(other.to_string())),
            },
            Summary::Row { event_id, section, row } => self.0.refresh_row(event_id, *section, *row).await,
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
