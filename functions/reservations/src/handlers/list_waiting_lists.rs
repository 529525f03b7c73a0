//! GET /events/{id}/waiting-list (the event's organizer, or an admin): every
//! tier's line, its length and its first 20 in order.

use crate::store::ReservationStore;
use crate::store::dynamodb::DynamoReservationStore;
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
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
    events_table: &str,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let not_found = || ApiError::not_found("no such event");
    let event_id = request
        .path_parameters()
        .first("id")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(not_found)?;
    let tiers = events::inventory::offers(store.client(), events_table, &event_id).await?.ok_or_else(not_found)?;
    let Some(any) = tiers.first() else {
        return Ok(json_response(StatusCode::OK, &serde_json::json!({ "eventId": event_id, "tiers": [] })));
    };
    let mut caller = caller;
    caller.confirm_team(&any.organizer_id, |user| async move { store.current_team(&user).await }).await?;
    if !caller.may(Permission::ReadSales, &any.organizer_id) {
        // A draft is nobody else's business: not even that it exists.
        return Err(if any.draft && !caller.belongs_to(&any.organizer_id) {
            not_found()
        } else {
            ApiError::forbidden("only the event's organizer and their team can see this")
        });
    }
    let mut lines = Vec::with_capacity(tiers.len());
    for tier in &tiers {
        let waiting = store.waiting_list_length(&event_id, &tier.tier_id).await?;
        let first =
            if waiting == 0 { Vec::new() } else { store.waiting_list_head(&event_id, &tier.tier_id, FIRST).await? };
        lines.push(TierLine {
            tier_id: tier.tier_id.clone(),
            tier_name: tier.tier_name.clone(),
            waiting,
            first: first
                .into_iter()
                .map(|w| WaiterView { user_id: w.user_id, quantity: w.quantity, joined_at: w.joined_at })
                .collect(),
        });
    }
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "eventId": event_id, "tiers": lines })))
}
