//! POST /organizers/me/webhooks/{id}/deliveries/{messageId}/redeliver: sends a
//! delivery again (delivered, given up or still retrying), with the same
//! `webhook-id`, so a receiver that dedupes on it stays correct.

use super::webhook_routes::{DeliveryView, organizer, own_endpoint, path_id};
use crate::webhooks::DeliveryMessage;
use crate::webhooks::store::{Reopened, WebhookStore};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::sqs::Queue;
use shared::{ApiError, Clock, json_response};

pub async fn handle<Q: Queue>(
    store: &WebhookStore,
    deliveries: &Q,
    clock: &dyn Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let endpoint = own_endpoint(store, &caller, request).await?;
    let message_id = path_id(request, "messageId", "delivery")?;
    let now = clock.now();
    let delivery = match store.reopen(&endpoint.id, &message_id, now).await? {
        Reopened::Pending(delivery) => delivery,
        Reopened::InProgress => {
            return Err(ApiError::conflict(
                "delivery_in_progress",
                "an attempt of this delivery is under way: ask again in a moment",
            ));
        }
        Reopened::Missing => return Err(ApiError::not_found("no such delivery")),
    };
    let message = DeliveryMessage::Attempt {
        endpoint_id: endpoint.id.clone(),
        message_id: message_id.clone(),
        due: delivery.next_attempt_at,
    };
    let correlation = shared::correlation_id(request);
    if let Err(e) = deliveries.send(shared::messages::encode(&message), &correlation).await {
        // Nothing would carry it: back to given up, so the log does not show a retry that never comes.
        store.abandon_reopened(&endpoint.id, &message_id, delivery.next_attempt_at).await?;
        return Err(ApiError::service_unavailable(format!("could not queue the delivery: {e}")));
    }
    tracing::info!(endpoint_id = %endpoint.id, %message_id, "webhook redelivery queued");
    Ok(json_response(StatusCode::ACCEPTED, &DeliveryView::from(&delivery)))
}
