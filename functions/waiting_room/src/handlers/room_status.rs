//! GET /events/{id}/queue (public): how far the event's waiting room has let
//! buyers in. One answer for everyone, cacheable for a few seconds (CloudFront
//! caches it: waiting costs the backend almost nothing).

use super::{Settings, event_id, sale};
use crate::store::RoomStore;
use chrono::SecondsFormat;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use onsale::admission;
use serde::Serialize;
use shared::{ApiError, Clock, json_response};

/// Seconds a shared cache may keep the answer.
pub const CACHE_SECONDS: u32 = 5;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoomView {
    event_id: String,
    /// `before_opening`, `open` or `closed`.
    status: &'static str,
    opens_at: String,
    admit_per_minute: u64,
    /// Every position up to this one is admitted.
    admitted_through: u64,
    /// Places drawn at the opening (once it opened).
    pre_queue: Option<u64>,
    /// Seats left over all tiers, as last summarised: at 0 the page says "sold out
    /// for now" (seats may come back as holds expire; only a hold's answer decides).
    seats_left: u64,
}

pub async fn handle<S: Settings>(
    settings: &S,
    store: &RoomStore,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let event_id = event_id(request)?;
    let sale = sale(settings, &event_id).await?;
    let now = clock.now();
    let status = if now < sale.opens_at {
        "before_opening"
    } else if now < sale.closes_at {
        "open"
    } else {
        "closed"
    };
    let elapsed = (now - sale.opens_at).num_milliseconds() as f64 / 1000.0;
    let room = store.room(&event_id).await?;
    let view = RoomView {
        event_id,
        status,
        opens_at: sale.opens_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        admit_per_minute: sale.admit_per_minute,
        admitted_through: admission::admitted_through(sale.admit_per_minute, elapsed),
        pre_queue: room.map(|r| r.pre_queue),
        seats_left: sale.seats_left,
    };
    let mut response = json_response(StatusCode::OK, &view);
    response
        .headers_mut()
        .insert("cache-control", format!("public, max-age={CACHE_SECONDS}").parse().expect("static header"));
    Ok(response)
}
