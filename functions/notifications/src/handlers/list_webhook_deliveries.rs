//! GET /organizers/me/webhooks/{id}/deliveries?limit&cursor: the endpoint's
//! delivery log, newest first, each with its payload and attempts.

use super::webhook_routes::{DeliveryView, organizer, own_endpoint};
use crate::webhooks::store::WebhookStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::query::Query;
use shared::{ApiError, json_response};

/// A message id as this domain makes them: `msg_` and 32 hex digits.
fn message_id_shaped(text: &str) -> bool {
    text.strip_prefix("msg_").is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub async fn handle(store: &WebhookStore, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let mut query = Query::new(request, &["limit", "cursor"]);
    let (limit, cursor) = query.page(20, 100);
    query.finish()?;
    if cursor.as_deref().is_some_and(|c| !message_id_shaped(c)) {
        return Err(ApiError::bad_request("the cursor is not valid; start again without it"));
    }
    let endpoint = own_endpoint(store, &caller, request).await?;
    let (deliveries, next) = store.deliveries(&endpoint.id, limit, cursor.as_deref()).await?;
    let views: Vec<DeliveryView> = deliveries.iter().map(DeliveryView::from).collect();
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "deliveries": views, "nextCursor": next })))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_message_ids_are_cursors() {
        assert!(super::message_id_shaped("msg_0190f7a1b2c37d4e8f9a0b1c2d3e4f50"));
        assert!(!super::message_id_shaped("msg_xyz"));
        assert!(!super::message_id_shaped("0190f7a1b2c37d4e8f9a0b1c2d3e4f50"));
    }
}
