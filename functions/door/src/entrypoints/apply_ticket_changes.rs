//! Entry point: TicketChangesQueue's consumer (the door's ticket items follow the reservations).

use aws_lambda_events::event::sqs::SqsEvent;
use door::handlers::apply_ticket_changes::Consumer;
use door::store::dynamodb::DynamoDoorStore;
use lambda_runtime::{Error, LambdaEvent};

pub async fn run() -> Result<(), Error> {
    let config = shared::aws_sdk_config().await;
    let client = &aws_sdk_dynamodb::Client::new(&config);
    let store = &DynamoDoorStore::new(client.clone(), shared::env_required("DOOR_TABLE")?);
    let users_table = &shared::env_required("USERS_TABLE")?;
    let consumer = &Consumer { store, client, users_table };
    shared::telemetry::run(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(door::handlers::apply_ticket_changes::handle(consumer, event.payload).await)
    })
    .await
}
