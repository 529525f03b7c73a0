//! What the waiting-list routes share (each route is its own module):
//!
//! - POST /events/{id}/tiers/{tierId}/waiting-list (signed in): `{quantity?}` →
//!   201 and the place in line (200 and the same place when already in it);
//! - GET the same path: the caller's place (404 when not in line);
//! - DELETE the same path: leave the line (204);
//! - GET /events/{id}/waiting-list (its organizer): each tier's line, its length
//!   and its first in line.
//!
//! Offers are made by `offer_freed_seats`, from the waiting-list queue.

use crate::domain::waiting_list::Waiter;
use chrono::{DateTime, Utc};
use lambda_http::{Request, RequestExt};
use serde::Serialize;
use shared::ApiError;

/// The event and tier ids of the path; 404 for ids that cannot exist.
pub(crate) fn tier_path(request: &Request) -> Result<(String, String), ApiError> {
    let params = request.path_parameters();
    let read = |name: &str| params.first(name).filter(|id| shared::dynamo::plausible_id(id)).map(str::to_owned);
    match (read("id"), read("tierId")) {
        (Some(event_id), Some(tier_id)) => Ok((event_id, tier_id)),
        _ => Err(ApiError::not_found("no such event or tier")),
    }
}

/// A place in line as its waiter sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceView {
    pub event_id: String,
    pub tier_id: String,
    pub quantity: u32,
    pub joined_at: DateTime<Utc>,
    /// 1 for the first in line.
    pub position: u32,
}

impl PlaceView {
    pub fn new(waiter: &Waiter, position: u32) -> Self {
        Self {
            event_id: waiter.event_id.clone(),
            tier_id: waiter.tier_id.clone(),
            quantity: waiter.quantity,
            joined_at: waiter.joined_at,
            position,
        }
    }
}
