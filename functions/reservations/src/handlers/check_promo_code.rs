//! GET /events/{id}/promo-codes/{code} (a signed-in buyer): what the code does now
//! and the tiers it applies to, hidden ones it unlocks included (how a buyer with
//! a presale code finds the presale tier). 422 `promo_code_unknown`, `..._expired`,
//! `..._not_yet_valid`, 409 `promo_code_used_up`.

use super::promo_codes::{EventReads, PromoCodeView};
use crate::domain::promo::{self, PromoRefusal};
use crate::store::ReservationStore as _;
use crate::store::dynamodb::DynamoReservationStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use shared::{ApiError, Clock, caller, json_response};

/// A tier a code applies to, as a buyer sees it with the code.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeTier {
    id: String,
    name: String,
    price_minor: i64,
    /// One ticket's price with the code.
    discounted_price_minor: i64,
    currency: String,
    max_per_order: u32,
    remaining: u32,
    seated: bool,
    /// Sold only with this code (or another naming it).
    hidden: bool,
}

pub async fn handle(
    store: &DynamoReservationStore,
    reads: &EventReads,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    caller(request)?;
    let event = reads.event(request).await?;
    let unknown = || promo::refusal_error(PromoRefusal::Unknown);
    if !(event.published || event.cancelled) {
        return Err(ApiError::not_found("no such event"));
    }
    let typed = request.path_parameters().first("code").map(str::to_owned).unwrap_or_default();
    if typed.trim().is_empty() || typed.len() > 40 {
        return Err(unknown());
    }
    let promo = store.promo_code(&event.event_id, &typed).await?.ok_or_else(unknown)?;
    let now = clock.now();
    let mut tiers = Vec::new();
    let mut refusal = None;
    // One read of the event for all its tiers.
    let offers =
        events::inventory::offers(&reads.client, &reads.events_table, &event.event_id).await?.unwrap_or_default();
    for offer in offers {
        if offer.hidden && !promo::unlocks(&promo, &offer.tier_id) {
            continue;
        }
        match promo::apply(&promo, &offer.tier_id, offer.price_minor, 1, now) {
            Ok(applied) => tiers.push(CodeTier {
                id: offer.tier_id,
                name: offer.tier_name,
                price_minor: offer.price_minor,
                discounted_price_minor: applied.original_minor - applied.discount_minor,
                currency: offer.currency,
                max_per_order: offer.max_per_order,
                remaining: offer.available,
                seated: offer.seated,
                hidden: offer.hidden,
            }),
            Err(PromoRefusal::NotForTier) => {}
            Err(other) => refusal = Some(other),
        }
    }
    if tiers.is_empty() {
        return Err(promo::refusal_error(refusal.unwrap_or(PromoRefusal::NotForTier)));
    }
    let view = PromoCodeView::from(&promo);
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({
            "code": view.code,
            "percentOff": view.percent_off,
            "amountOffMinor": view.amount_off_minor,
            "validUntil": view.valid_until,
            "tiers": tiers,
        }),
    ))
}
