//! The reservations table's stream, second consumer: each committed sale, cancellation
//! or partial refund adds to the event's hourly figures per tier (`domain::sales`),
//! counted once however often the stream hands the change over. What the sales
//! chart reads (`get_sales_over_time`).

use crate::domain::sales::sales_deltas;
use crate::store::dynamodb::{DynamoReservationStore, from_image};
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use shared::Clock;
use shared::sqs::MessageFailure;
use shared::streams::process_batch;

pub async fn handle(store: &DynamoReservationStore, clock: &impl Clock, event: Event) -> DynamoDbEventResponse {
    process_batch(event, |record| record_one(store, clock, record)).await
}

async fn record_one(
    store: &DynamoReservationStore,
    clock: &impl Clock,
    record: EventRecord,
) -> Result<(), MessageFailure> {
    let Some(after) = from_image(&record.change.new_image)? else { return Ok(()) };
    let before = from_image(&record.change.old_image)?;
    for delta in sales_deltas(before.as_ref(), &after) {
        store
            .record_sales(&after.id, &delta, clock.now())
            .await
            .map_err(|err| MessageFailure::Retry(err.to_string()))?;
        tracing::info!(reservation_id = %after.id, mark = %delta.mark, sold = delta.sold, refunded = delta.refunded, "sales recorded");
    }
    Ok(())
}
