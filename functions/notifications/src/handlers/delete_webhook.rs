//! DELETE /organizers/me/webhooks/{id}: the endpoint gets nothing more (deliveries
//! already queued for it are dropped when their turn comes).

use super::webhook_routes::{organizer, path_id};
use crate::webhooks::store::WebhookStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::ApiError;

pub async fn handle(store: &WebhookStore, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let id = path_id(request, "id", "webhook endpoint")?;
    if !store.delete_endpoint(&caller.user_id, &id).await? {
        return Err(ApiError::not_found("no such webhook endpoint"));
    }
    tracing::info!(endpoint_id = %id, "webhook endpoint deleted");
    Ok(Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).expect("a valid response"))
}
