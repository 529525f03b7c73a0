//! GET /events/{id}/door/tickets?cursor=&limit=: the event's tickets as a scanner
//! keeps them for offline use: code, state, tier, seat, holder's name, admission.
//! What a scan shows, no more (no email, no price).

use super::{Access, Door, event_id};
use crate::store::DoorStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::query::Query;
use shared::{ApiError, caller, json_response};

pub const PAGE_DEFAULT: u32 = 1000;
pub const PAGE_MAX: u32 = 1000;

pub async fn handle<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let mut query = Query::new(request, &["limit", "cursor"]);
    let (limit, cursor) = query.page(PAGE_DEFAULT, PAGE_MAX);
    query.finish()?;
    door.authorize(&caller, &event_id, Access::Door).await?;
    let page = door.store.tickets_page(&event_id, cursor.as_deref(), limit).await?;
    let tickets: Vec<_> = page
        .tickets
        .iter()
        .map(|t| {
            let mut view = json!({
                "code": t.code,
                "state": t.state.as_str(),
                "tierId": t.tier_id,
                "tierName": t.tier_name,
            });
            for (name, value) in [("seat", &t.seat), ("seatId", &t.seat_id), ("holder", &t.holder)] {
                if let Some(value) = value {
                    view[name] = json!(value);
                }
            }
            if let Some(a) = &t.admission {
                view["admittedAt"] = json!(a.admitted_at);
                if let Some(gate) = &a.gate {
                    view["gate"] = json!(gate);
                }
            }
            view
        })
        .collect();
    Ok(json_response(StatusCode::OK, &json!({"tickets": tickets, "nextCursor": page.next_cursor})))
}
