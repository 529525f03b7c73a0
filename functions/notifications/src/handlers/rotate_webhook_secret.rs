//! POST /organizers/me/webhooks/{id}/secret: a new signing secret. For the next 24
//! hours deliveries carry a signature by each secret (space-separated in
//! `webhook-signature`, as the specification allows), so the receiver can switch
//! to the new one without refusing a delivery. Written only if the secret is still
//! the one read: of two rotations at once, one answers 409 (its secret never stored).

use super::webhook_routes::{organizer, own_endpoint};
use crate::webhooks::store::{EndpointUpdate, WebhookStore};
use crate::webhooks::{PREVIOUS_SECRET_HOURS, new_secret};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::{ApiError, Clock, json_response};

pub async fn handle(store: &WebhookStore, clock: &dyn Clock, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let endpoint = own_endpoint(store, &caller, request).await?;
    let until = clock.now() + chrono::Duration::hours(PREVIOUS_SECRET_HOURS);
    let secret = new_secret();
    let update = EndpointUpdate {
        set: vec![
            ("secret", json!(secret)),
            ("previousSecret", json!(endpoint.secret)),
            ("previousSecretUntil", json!(shared::clock::stored(until))),
        ],
        remove: vec![],
        only_if: Some(("secret", json!(endpoint.secret))),
    };
    if store.update_endpoint(&caller.user_id, &endpoint.id, &update).await?.is_none() {
        return Err(ApiError::conflict(
            "secret_changed",
            "the endpoint changed meanwhile (another rotation?): read it again",
        ));
    }
    tracing::info!(endpoint_id = %endpoint.id, "webhook secret rotated");
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "id": endpoint.id,
            "secret": secret,
            "previousSecretExpiresAt": shared::clock::stored(until),
        }),
    ))
}
