//! POST /events/{id}/queue: the caller joins the event's waiting room → 201 with
//! their place, or 200 with the place they have (one place per account; joining
//! again returns it). Before the opening they join the pre-queue, whose order is
//! drawn at the opening; after it, they get the next number. An abandoned place
//! (it stopped asking for its status before its turn) is replaced by a new one at
//! the back.

use super::{Deps, Settings, event_id, opened_room, sale, view};
use crate::store::{PlaceRecord, any_counter};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use onsale::admission::{self, Standing};
use shared::{ApiError, Clock, caller, json_response};

pub async fn handle<S: Settings>(
    deps: &Deps<'_, S>,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let sale = sale(deps.settings, &event_id).await?;
    let now = clock.now();
    if now >= sale.closes_at {
        return Err(ApiError::conflict("sales_closed", "sales for this event are over"));
    }
    let room = opened_room(deps.store, &event_id, &sale, now).await?;
    let existing = deps.store.place(&event_id, &caller.user_id).await?;
    let mut replacing = None;
    if let Some(place) = &existing {
        let (standing, shown) = view(deps, &event_id, &caller.user_id, &sale, place, room.as_ref(), now);
        if standing != Standing::Abandoned {
            deps.store
                .seen(&event_id, &caller.user_id, now.timestamp(), matches!(standing, Standing::Admitted { .. }))
                .await?;
            return Ok(json_response(StatusCode::OK, &shown));
        }
        replacing = Some(place.last_seen);
    }
    let place = match &room {
        None => PlaceRecord {
            pre_queue: true,
            position: None,
            joined_at: now.timestamp(),
            last_seen: now.timestamp(),
            admitted_at: None,
        },
        Some(room) => {
            let counter = any_counter(admission::ARRIVAL_COUNTERS);
            let count = deps.store.count(&event_id, "ARRIVALS", counter).await?;
            PlaceRecord {
                pre_queue: false,
                position: Some(admission::arrival_position(room.pre_queue, counter, count)),
                joined_at: now.timestamp(),
                last_seen: now.timestamp(),
                admitted_at: None,
            }
        }
    };
    let expires_at = sale.closes_at.timestamp() + 86_400;
    if !deps.store.put_place(&event_id, &caller.user_id, &place, expires_at, replacing).await? {
        // Another request of the same account joined first: its place stands.
        let Some(theirs) = deps.store.place(&event_id, &caller.user_id).await? else {
            return Err(ApiError::conflict("concurrent_change", "the place changed meanwhile; try again"));
        };
        let (_, shown) = view(deps, &event_id, &caller.user_id, &sale, &theirs, room.as_ref(), now);
        return Ok(json_response(StatusCode::OK, &shown));
    }
    if place.pre_queue {
        // Counted after the place exists: a count is never ahead of the places.
        deps.store.count(&event_id, "PRE", any_counter(admission::PRE_QUEUE_COUNTERS)).await?;
    }
    tracing::info!(event_id = %event_id, pre_queue = place.pre_queue, position = ?place.position, "joined the waiting room");
    let (_, shown) = view(deps, &event_id, &caller.user_id, &sale, &place, room.as_ref(), now);
    Ok(json_response(StatusCode::CREATED, &shown))
}
