//! POST /organizers/me/webhooks/{id}/secret: a new signing secret. For the next 24
//! hours deliveries carry a signature by each secret (space-separated in
//! `webhook-signature`, as the specification allows), so the receiver can switch
//! to the new one without refusing a delivery.

use super::webhook_routes::{organizer, own_endpoint};
use crate::webhooks::store::WebhookStore;
use crate::webhooks::{PREVIOUS_SECRET_HOURS, new_secret};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, Clock, json_response};

pub async fn handle(store: &WebhookStore, clock: &dyn Clock, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let mut endpoint = own_endpoint(store, &caller, request).await?;
    let until = clock.now() + chrono::Duration::hours(PREVIOUS_SECRET_HOURS);
    endpoint.previous_secret = Some(std::mem::replace(&mut endpoint.secret, new_secret()));
    endpoint.previous_secret_until = Some(until);
    if !store.replace_endpoint(&endpoint).await? {
        return Err(ApiError::not_found("no such webhook endpoint"));
    }
    tracing::info!(endpoint_id = %endpoint.id, "webhook secret rotated");
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({
            "id": endpoint.id,
            "secret": endpoint.secret,
            "previousSecretExpiresAt": shared::clock::stored(until),
        }),
    ))
}
