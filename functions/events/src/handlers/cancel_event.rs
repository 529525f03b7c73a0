//! POST /events/{id}/cancel: the status changes now. The reservations domain is
//! asked to cancel, refund and tell every ticket holder (event-cancellation queue,
//! page by page) from the committed change: the events table's stream
//! (`forward_event_changes`), so no crash after the write can lose it. Asking
//! again for an event already cancelled answers 409 and starts the fan-out once
//! more (an operator's restart; each reservation is cancelled at most once).

use super::{event_id, organizer, owned_event};
use crate::domain::event::{Status, TierPlan};
use crate::domain::lifecycle;
use crate::domain::view::{Audience, view};
use crate::store::EventStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::messages::{EventCancelled, EventMessage, encode};
use shared::sqs::Queue;
use shared::{ApiError, Clock, json_response};

pub async fn handle<S: EventStore, Q: Queue>(
    store: &S,
    cancellations: &Q,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let before = owned_event(store, &caller, &event_id(request)?, shared::auth::Permission::Manage).await?;
    let now = clock.now();
    let correlation = shared::correlation_id(request);
    let after = match lifecycle::cancel(&before, now) {
        Ok(after) => after,
        Err(refusal) => {
            if before.status == Status::Cancelled {
                fan_out(cancellations, &before.id, &correlation).await?;
            }
            return Err(refusal.into());
        }
    };
    store.update(&before, &after, &TierPlan::default()).await?;
    tracing::info!(event_id = %after.id, by = %caller.user_id, %correlation, "event cancelled");
    Ok(json_response(StatusCode::OK, &view(&after, Audience::Organizer, now)))
}

async fn fan_out<Q: Queue>(cancellations: &Q, event_id: &str, correlation: &str) -> Result<(), ApiError> {
    let message = EventMessage::Cancelled(EventCancelled { event_id: event_id.to_owned(), cursor: None });
    cancellations.send(encode(&message), correlation).await.map_err(|err| {
        tracing::error!(%event_id, %err, "ticket holders not notified of the cancellation");
        let mut unavailable = ApiError::service_unavailable(
            "the event is cancelled, but refunding its ticket holders could not be started; cancel again to retry",
        );
        unavailable.retry_after = Some(1);
        unavailable
    })
}
