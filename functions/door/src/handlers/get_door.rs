//! GET /events/{id}/door (its organizer and door staff): what a scanner downloads
//! first (the event, its gates and tiers, the public key its tickets are signed with).

use super::{Access, Door, event_id};
use crate::domain::rules::DoorRules;
use crate::store::DoorStore;
use events::door::DoorEvent;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use shared::{ApiError, caller, json_response};

pub(super) fn view<S>(door: &Door<S>, event: &DoorEvent, rules: &DoorRules) -> Value {
    let key = door.keys.public_key(&event.event_id);
    json!({
        "eventId": event.event_id,
        "title": event.title,
        "venue": event.venue,
        "startsAt": event.starts_at,
        "timezone": event.timezone,
        "reentry": rules.reentry,
        "gates": rules.gates,
        "tiers": event.tiers.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
        "publicKey": key,
        "jwk": {"kty": "OKP", "crv": "Ed25519", "x": key},
    })
}

pub async fn handle<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let event = door.authorize(&caller, &event_id, Access::Door).await?;
    let rules = door.store.rules(&event_id).await?;
    Ok(json_response(StatusCode::OK, &view(door, &event, &rules)))
}
