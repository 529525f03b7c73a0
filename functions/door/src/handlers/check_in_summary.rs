//! GET /events/{id}/check-ins/summary: admitted so far, per tier and per gate.

use super::{Access, Door, event_id};
use crate::store::DoorStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::{ApiError, caller, json_response};

pub async fn handle<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let event = door.authorize(&caller, &event_id, Access::Door).await?;
    let (counts, rules) = tokio::try_join!(door.store.counts(&event_id), door.store.rules(&event_id))?;
    // Every tier, admitted or not; then tiers counted that the event no longer lists.
    let mut tiers: Vec<_> = event
        .tiers
        .iter()
        .map(|(id, name)| json!({"tierId": id, "tierName": name, "admitted": counts.by_tier.get(id).copied().unwrap_or(0)}))
        .collect();
    for (id, admitted) in counts.by_tier.iter().filter(|(id, _)| !event.tiers.iter().any(|(t, _)| t == *id)) {
        tiers.push(json!({"tierId": id, "tierName": id, "admitted": admitted}));
    }
    let mut gates: Vec<_> = rules
        .gates
        .iter()
        .map(|g| json!({"gate": g.name, "admitted": counts.by_gate.get(&g.name).copied().unwrap_or(0)}))
        .collect();
    for (name, admitted) in counts.by_gate.iter().filter(|(name, _)| !rules.gates.iter().any(|g| &g.name == *name)) {
        gates.push(json!({"gate": name, "admitted": admitted}));
    }
    let mut summary = json!({"eventId": event_id, "admitted": counts.admitted, "tiers": tiers, "gates": gates});
    if rules.reentry {
        summary["inside"] = json!(counts.inside);
    }
    Ok(json_response(StatusCode::OK, &summary))
}
