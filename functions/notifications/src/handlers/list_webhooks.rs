//! GET /organizers/me/webhooks (an organizer): their endpoints, oldest first.

use super::webhook_routes::{EndpointView, organizer};
use crate::webhooks::store::WebhookStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, json_response};

pub async fn handle(store: &WebhookStore, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let mut endpoints = store.endpoints(&caller.user_id).await?;
    endpoints.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    let views: Vec<EndpointView> = endpoints.iter().map(EndpointView::from).collect();
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "webhooks": views })))
}
