//! POST /organizers/me/webhooks `{url, events, description?}` (an organizer): a new
//! endpoint, answered with its signing secret (`whsec_...`), shown this once.

use super::webhook_routes::{EndpointView, destinations_from_env, organizer};
use crate::webhooks::store::{Endpoint, WebhookStore};
use crate::webhooks::{MAX_ENDPOINTS, new_secret, read_endpoint};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, json_response};

pub async fn handle(store: &WebhookStore, clock: &dyn Clock, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let asked = read_endpoint(Fields::new(json_object(request)?), destinations_from_env())?;
    if store.endpoints(&caller.user_id).await?.len() >= MAX_ENDPOINTS {
        return Err(ApiError::conflict(
            "too_many_webhooks",
            format!("an organizer has at most {MAX_ENDPOINTS} webhook endpoints: delete one first"),
        ));
    }
    let endpoint = Endpoint {
        id: uuid::Uuid::new_v4().to_string(),
        organizer_id: caller.user_id.clone(),
        url: asked.url,
        events: asked.events,
        description: asked.description,
        secret: new_secret(),
        previous_secret: None,
        previous_secret_until: None,
        enabled: true,
        created_at: clock.now(),
        failing_since: None,
        disabled_at: None,
        disabled_reason: None,
        disabled_automatically: false,
    };
    store.put_endpoint(&endpoint).await?;
    tracing::info!(endpoint_id = %endpoint.id, organizer_id = %caller.user_id, "webhook endpoint created");
    let mut body = serde_json::to_value(EndpointView::from(&endpoint)).unwrap_or_default();
    body["secret"] = serde_json::Value::String(endpoint.secret.clone());
    Ok(json_response(StatusCode::CREATED, &body))
}
