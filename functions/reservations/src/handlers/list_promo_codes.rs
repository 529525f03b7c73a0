//! GET /events/{id}/promo-codes (the event's organizer): every code with its uses.

use super::promo_codes::{EventReads, PromoCodeView};
use crate::domain::promo;
use crate::store::dynamodb::DynamoReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, caller, json_response};

pub async fn handle(
    store: &DynamoReservationStore,
    reads: &EventReads,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event = reads.organized(&caller, request, shared::auth::Permission::ReadSales).await?;
    let mut codes = store.promo_codes(&event.event_id).await?;
    codes.sort_by(|a, b| promo::key(&a.code).cmp(&promo::key(&b.code)));
    let codes: Vec<PromoCodeView> = codes.iter().map(PromoCodeView::from).collect();
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "promoCodes": codes })))
}
