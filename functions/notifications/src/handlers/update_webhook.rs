//! PATCH /organizers/me/webhooks/{id} `{url?, events?, description?, enabled?}`:
//! changes an endpoint; `enabled: true` switches back on one that was switched off
//! after failing (its failures are forgotten), `false` pauses it.

use super::webhook_routes::{EndpointView, destinations_from_env, organizer, own_endpoint};
use crate::webhooks::read_change;
use crate::webhooks::store::WebhookStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, json_response};

pub async fn handle(store: &WebhookStore, clock: &dyn Clock, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let mut endpoint = own_endpoint(store, &caller, request).await?;
    let change = read_change(Fields::new(json_object(request)?), destinations_from_env())?;
    if let Some(url) = change.url {
        endpoint.url = url;
    }
    if let Some(events) = change.events {
        endpoint.events = events;
    }
    if change.description.is_some() {
        endpoint.description = change.description;
    }
    match change.enabled {
        Some(true) if !endpoint.enabled => {
            endpoint.enabled = true;
            endpoint.failing_since = None;
            endpoint.disabled_at = None;
            endpoint.disabled_reason = None;
        }
        Some(false) if endpoint.enabled => {
            endpoint.enabled = false;
            endpoint.disabled_at = Some(clock.now());
            endpoint.disabled_reason = Some("switched off by the organizer".into());
        }
        _ => {}
    }
    if !store.replace_endpoint(&endpoint).await? {
        return Err(ApiError::not_found("no such webhook endpoint"));
    }
    Ok(json_response(StatusCode::OK, &EndpointView::from(&endpoint)))
}
