//! TicketChangesQueue's consumer: keeps the door's ticket items in step with the
//! reservations' committed changes (issued, voided, reinstated). Each ticket takes
//! a change only if it is newer than the one it holds, so a message delivered
//! twice or late changes nothing.

use crate::store::DoorStore;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::messages::{DoorMessage, decode};
use shared::sqs::{MessageFailure, process_batch};

pub struct Consumer<'a, S> {
    pub store: &'a S,
    pub client: &'a aws_sdk_dynamodb::Client,
    pub users_table: &'a str,
}

pub async fn handle<S: DoorStore>(consumer: &Consumer<'_, S>, event: SqsEvent) -> SqsBatchResponse {
    process_batch(event, |message| consumer.apply(message)).await
}

impl<S: DoorStore> Consumer<'_, S> {
    async fn apply(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let body = message.body.as_deref().unwrap_or_default();
        let DoorMessage::TicketsChanged(change) = decode(body).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        // The holder's name as the door shows it; an erased account shows none.
        let holder = users::contact::contact(self.client, self.users_table, &change.holder_id)
            .await
            .map_err(|e| MessageFailure::Retry(e.to_string()))?
            .map(|c| c.name)
            .filter(|name| !name.is_empty());
        let applied = self
            .store
            .apply_change(&change, holder.as_deref())
            .await
            .map_err(|e| MessageFailure::Retry(e.to_string()))?;
        tracing::info!(
            event_id = %change.event_id,
            reservation_id = %change.reservation_id,
            tickets = change.tickets.len(),
            applied,
            "ticket change applied at the door"
        );
        Ok(())
    }
}
