//! GET /events/{id}/waiting-list (the event's organizer, their team's viewers and
//! managers, or an admin): every tier's line, its length and its first 20 in order.

use super::promo_codes::EventReads;
use crate::store::dynamodb::DynamoReservationStore;
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shared::auth::Permission;
use shared::{ApiError, caller, json_response};

/// How many of each line's first the organizer sees.
const FIRST: u32 = 20;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TierLine {
    tier_id: String,
    tier_name: String,
    waiting: u32,
    first: Vec<WaiterView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct WaiterView {
    user_id: String,
    quantity: u32,
    joined_at: DateTime<Utc>,
}

pub async fn handle(
    store: &DynamoReservationStore,
    reads: &EventReads,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event = reads.organized(&caller, request, Permission::ReadSales).await?;
    let mut lines = Vec::with_capacity(event.tiers.len());
    for (tier_id, tier_name) in &event.tiers {
        let waiting = store.waiting_list_length(&event.event_id, tier_id).await?;
        let first =
            if waiting == 0 { Vec::new() } else { store.waiting_list_head(&event.event_id, tier_id, FIRST).await? };
        lines.push(TierLine {
            tier_id: tier_id.clone(),
            tier_name: tier_name.clone(),
            waiting,
            first: first
                .into_iter()
                .map(|w| WaiterView { user_id: w.user_id, quantity: w.quantity, joined_at: w.joined_at })
                .collect(),
        });
    }
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "eventId": event.event_id, "tiers": lines })))
}
