//! POST /events/{id}/promo-codes (the event's organizer): `{code, percentOff |
//! amountOffMinor, maxUses?, tierIds?, validFrom?, validUntil?}` → 201 and the code;
//! 409 `promo_code_exists` when the event has one by that name (codes ignore case).

use super::promo_codes::{EventReads, PromoCodeView};
use crate::domain::promo;
use crate::store::dynamodb::DynamoReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, caller, json_response};

pub async fn handle(
    store: &DynamoReservationStore,
    reads: &EventReads,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let fields = Fields::new(json_object(request)?);
    let event = reads.organized(&caller, request, shared::auth::Permission::Manage).await?;
    if event.cancelled {
        return Err(ApiError::conflict("event_cancelled", "the event is cancelled"));
    }
    let tiers: Vec<String> = event.tiers.iter().map(|(id, _)| id.clone()).collect();
    let new = promo::read_new(fields, &tiers)?;
    let code = new.into_code(&event.event_id, clock.now());
    store.create_promo_code(&code).await?;
    tracing::info!(event_id = %event.event_id, code = %code.code, "promo code created");
    let mut response = json_response(StatusCode::CREATED, &PromoCodeView::from(&code));
    let location = format!("/events/{}/promo-codes/{}", event.event_id, promo::key(&code.code));
    response.headers_mut().insert("location", location.parse().map_err(|_| ApiError::internal())?);
    Ok(response)
}
