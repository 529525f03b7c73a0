//! PATCH /organizers/me/webhooks/{id} `{url?, events?, description?, enabled?}`:
//! changes an endpoint; `enabled: true` switches back on one that was switched off
//! after failing (its failures are forgotten), `false` pauses it. Only the named
//! attributes are written, so a switch-off by the deliverer meanwhile is not undone.

use super::webhook_routes::{EndpointView, destinations_from_env, organizer, path_id};
use crate::webhooks::read_change;
use crate::webhooks::store::{EndpointUpdate, WebhookStore};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, json_response};

pub async fn handle(store: &WebhookStore, clock: &dyn Clock, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let id = path_id(request, "id", "webhook endpoint")?;
    let change = read_change(Fields::new(json_object(request)?), destinations_from_env())?;
    let mut update = EndpointUpdate::default();
    if let Some(url) = change.url {
        update.set.push(("url", json!(url)));
    }
    if let Some(events) = change.events {
        update.set.push(("events", json!(events)));
    }
    if let Some(description) = change.description {
        update.set.push(("description", json!(description)));
    }
    match change.enabled {
        Some(true) => {
            update.set.push(("enabled", json!(true)));
            update.remove.extend(["failingSince", "disabledAt", "disabledReason", "disabledAutomatically"]);
        }
        Some(false) => {
            update.set.push(("enabled", json!(false)));
            update.set.push(("disabledAt", json!(shared::clock::stored(clock.now()))));
            update.set.push(("disabledReason", json!("switched off by the organizer")));
            update.set.push(("disabledAutomatically", json!(false)));
        }
        None => {}
    }
    let Some(endpoint) = store.update_endpoint(&caller.user_id, &id, &update).await? else {
        return Err(ApiError::not_found("no such webhook endpoint"));
    };
    Ok(json_response(StatusCode::OK, &EndpointView::from(&endpoint)))
}
