//! POST /events/{id}/tiers/{tierId}/waiting-list: `{quantity?}` (1 by default).
//! Only a sold-out tier on sale has a line. 201 and the place; joining again
//! answers 200 and the place kept (the quantity asked first stays).

use super::waiting_list::{PlaceView, tier_path};
use crate::EventOffers;
use crate::domain::waiting_list::{JoinRefusal, Waiter, may_join};
use crate::store::StoreError;
use crate::store::dynamodb::DynamoReservationStore;
use crate::store::waiting_list::Joined;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::messages::{SeatsFreed, WaitingListMessage, encode};
use shared::sqs::Queue;
use shared::{ApiError, Clock, caller, json_response};

pub async fn handle<Q: Queue>(
    store: &DynamoReservationStore,
    offers: &EventOffers,
    waiting_lists: &Q,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let (event_id, tier_id) = tier_path(request)?;
    let quantity = read_quantity(request)?;
    // Not the instance's cached offer: whether the tier is sold out must be today's.
    let offer =
        offers.fresh_offer(&event_id, &tier_id).await?.ok_or_else(|| ApiError::not_found("no such event or tier"))?;
    // Milliseconds, as places are kept (`shared::clock::stored`).
    let now = chrono::SubsecRound::trunc_subsecs(clock.now(), 3);
    let waiter = Waiter { event_id, tier_id, user_id: caller.user_id.clone(), quantity, joined_at: now };
    // Someone already in line keeps their place, whatever the tier's state now.
    if let Some(place) = store.waiting_place(&waiter.event_id, &waiter.tier_id, &waiter.user_id).await? {
        let position = store.waiting_position(&place).await?;
        return Ok(json_response(StatusCode::OK, &PlaceView::new(&place, position)));
    }
    let someone_waits = store.line_has_anyone(&waiter.event_id, &waiter.tier_id).await?;
    may_join(&offer, quantity, someone_waits, now).map_err(refusal)?;
    let (status, place) = match store.join_waiting_list(&waiter).await {
        Ok(Joined::New(place)) => (StatusCode::CREATED, place),
        Ok(Joined::Already(place)) => (StatusCode::OK, place),
        // Offered seats between the two reads: their reservation is the answer.
        Err(StoreError::Changed) => {
            return Err(ApiError::conflict("concurrent_change", "your place changed meanwhile; try again"));
        }
        Err(err) => return Err(err.into()),
    };
    let position = store.waiting_position(&place).await?;
    tracing::info!(event_id = %place.event_id, tier_id = %place.tier_id, position, "joined the waiting list");
    if status == StatusCode::CREATED && offer.available > 0 {
        // Seats show while people wait: ones nobody ahead could take (too few for
        // their orders). Ask for an offer round now rather than at the next seat back.
        let freed = SeatsFreed { event_id: place.event_id.clone(), tier_id: place.tier_id.clone() };
        let correlation = shared::correlation_id(request);
        if let Err(err) = waiting_lists.send(encode(&WaitingListMessage::SeatsFreed(freed)), &correlation).await {
            // The place is kept; the next seat that comes back starts the round.
            tracing::warn!(%err, "offer round not asked for");
        }
    }
    Ok(json_response(status, &PlaceView::new(&place, position)))
}

/// `{quantity?}`; an empty body asks for one ticket.
fn read_quantity(request: &Request) -> Result<u32, ApiError> {
    if request.body().as_ref().is_empty() {
        return Ok(1);
    }
    let mut fields = Fields::new(json_object(request)?);
    let quantity = if fields.has("quantity") { fields.required_u32("quantity") } else { Some(1) };
    fields.finish_with(|| quantity)
}

fn refusal(refusal: JoinRefusal) -> ApiError {
    match refusal {
        JoinRefusal::NoSuchTier => ApiError::not_found("no such event or tier"),
        JoinRefusal::NotSoldOut { available } => ApiError::conflict(
            "not_sold_out",
            format!("this tier still has {available} seats on sale: book them instead of waiting"),
        ),
        JoinRefusal::SalesClosed => ApiError::conflict("sales_closed", "sales for this event are not open"),
        JoinRefusal::Seated => ApiError::conflict(
            "waiting_list_unavailable",
            "seated tiers have no waiting list yet: pick seats on the map when some come back",
        ),
        JoinRefusal::Quantity(field) => ApiError::validation(vec![field]),
    }
}
