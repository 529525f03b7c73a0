//! POST /events/{id}/seat-blocks: `{"block": [seat ids], "unblock": [seat ids]}`, 1
//! to 25 seats in all, by the event's organizer or an admin. Blocked seats leave
//! the sale (no pick, no best-available, the tier's count one fewer each) until
//! unblocked; everything in one transaction, so a request blocks all its seats or
//! none. 409 `seats_taken` names seats held, sold or blocked already, 409
//! `seats_not_blocked` seats to unblock that are not; a draft's seats are not
//! blocked (its map may still be replaced): 409 `not_published`.

use super::{event_id, organizer, owned_event};
use crate::domain::seat_blocks::{self, BlockRefusal};
use crate::store::EventStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shared::body::{Fields, json_object};
use shared::{ApiError, json_response};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Blocked {
    blocked: Vec<String>,
    unblocked: Vec<String>,
}

pub async fn handle<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = organizer(request)?;
    let id = event_id(request)?;
    let asked = seat_blocks::read(Fields::new(json_object(request)?))?;
    let event = owned_event(store, &caller, &id, shared::auth::Permission::Manage).await?;
    seat_blocks::may_block(&event).map_err(refused)?;
    let map = store.seat_map(&event).await?.ok_or_else(|| refused(BlockRefusal::NoMap))?;
    let missing: Vec<_> = asked.seats().into_iter().filter(|seat| map.find(*seat).is_none()).collect();
    seat_blocks::unknown_seats(&asked, &missing).map_err(refused)?;
    let tier_of = |seat| map.find(seat).map(|place| place.section.tier_id.clone());
    let change = seat_blocks::counted_change(&asked, tier_of);
    store.block_seats(&event, &asked, &change).await?;
    tracing::info!(event_id = %id, blocked = asked.block.len(), unblocked = asked.unblock.len(), "seats blocked");
    let names = |list: &[seating::map::SeatId]| list.iter().map(ToString::to_string).collect();
    Ok(json_response(StatusCode::OK, &Blocked { blocked: names(&asked.block), unblocked: names(&asked.unblock) }))
}

fn refused(refusal: BlockRefusal) -> ApiError {
    match refusal {
        BlockRefusal::NotPublished => ApiError::conflict(
            "not_published",
            "seats are blocked on a published event (a draft's map may still be replaced): publish it first",
        ),
        BlockRefusal::NoMap => ApiError::conflict("no_seat_map", "this event has no seat map"),
        BlockRefusal::Unknown(fields) => ApiError::validation(fields),
    }
}
