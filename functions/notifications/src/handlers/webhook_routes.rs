//! What the webhook routes share: who may call them, the endpoint and delivery as
//! the API shows them (never the secret, which only creation and rotation answer),
//! and the path's ids.

use crate::webhooks::store::{Delivery, Endpoint, WebhookStore};
use crate::webhooks::{Attempt, DeliveryStatus, Destinations};
use lambda_http::{Request, RequestExt};
use serde::Serialize;
use shared::{ApiError, Caller, Role, caller};

/// The organizer (or an admin, for their own account) calling.
pub fn organizer(request: &Request) -> Result<Caller, ApiError> {
    let caller = caller(request)?;
    caller.require(&[Role::Organizer, Role::Admin])?;
    Ok(caller)
}

/// A path parameter that can name something stored; 404 otherwise.
pub fn path_id(request: &Request, name: &str, what: &str) -> Result<String, ApiError> {
    request
        .path_parameters()
        .first(name)
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found(format!("no such {what}")))
}

/// The caller's endpoint named by the path's `{id}`; 404 if it is not theirs.
pub async fn own_endpoint(store: &WebhookStore, caller: &Caller, request: &Request) -> Result<Endpoint, ApiError> {
    let id = path_id(request, "id", "webhook endpoint")?;
    store.endpoint(&caller.user_id, &id).await?.ok_or_else(|| ApiError::not_found("no such webhook endpoint"))
}

/// Where deliveries may go here: `WEBHOOK_ALLOW_LOOPBACK=true` only locally.
pub fn destinations_from_env() -> Destinations {
    match std::env::var("WEBHOOK_ALLOW_LOOPBACK").as_deref() {
        Ok("true") => Destinations::AlsoLoopback,
        _ => Destinations::PublicHttps,
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub events: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub enabled: bool,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<&'a str>,
}

impl<'a> From<&'a Endpoint> for EndpointView<'a> {
    fn from(e: &'a Endpoint) -> Self {
        Self {
            id: &e.id,
            url: &e.url,
            events: &e.events,
            description: e.description.as_deref(),
            enabled: e.enabled,
            created_at: shared::clock::stored(e.created_at),
            failing_since: e.failing_since.map(shared::clock::stored),
            disabled_at: e.disabled_at.map(shared::clock::stored),
            disabled_reason: e.disabled_reason.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView<'a> {
    /// The message id (`webhook-id`): the same on every attempt and redelivery.
    pub id: &'a str,
    pub event_type: &'a str,
    pub status: DeliveryStatus,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    pub payload: serde_json::Value,
    pub log: &'a [Attempt],
}

impl<'a> From<&'a Delivery> for DeliveryView<'a> {
    fn from(d: &'a Delivery) -> Self {
        let next = (d.status == DeliveryStatus::Pending)
            .then(|| chrono::DateTime::from_timestamp_millis(d.next_attempt_at).map(shared::clock::stored))
            .flatten();
        Self {
            id: &d.message_id,
            event_type: &d.event_type,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: next,
            created_at: shared::clock::stored(d.created_at),
            delivered_at: d.delivered_at.map(shared::clock::stored),
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            log: &d.log,
        }
    }
}
