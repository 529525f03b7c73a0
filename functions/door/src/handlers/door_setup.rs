//! GET /events/{id}/door: what a scanner downloads first (the event, its gates and
//! tiers, the public key its tickets are signed with). PUT (the organizer) sets the
//! gates and re-entry: `{"gates": [{"name", "tierIds"?}], "reentry": bool}`.

use super::{Access, Door, event_id};
use crate::domain::rules::DoorRules;
use crate::store::DoorStore;
use events::door::DoorEvent;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use shared::body::json_object;
use shared::{ApiError, FieldError, caller, json_response};

fn view<S>(door: &Door<S>, event: &DoorEvent, rules: &DoorRules) -> Value {
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

pub async fn get<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let event = door.authorize(&caller, &event_id, Access::Door).await?;
    let rules = door.store.rules(&event_id).await?;
    Ok(json_response(StatusCode::OK, &view(door, &event, &rules)))
}

pub async fn put<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let mut body = json_object(request)?;
    let (gates, reentry) = (body.remove("gates"), body.remove("reentry"));
    let unknown: Vec<FieldError> = body.keys().map(|k| FieldError::new(k.clone(), "is not a known field")).collect();
    if !unknown.is_empty() {
        return Err(ApiError::validation(unknown));
    }
    let event = door.authorize(&caller, &event_id, Access::Organizer).await?;
    let tier_ids: Vec<String> = event.tiers.iter().map(|(id, _)| id.clone()).collect();
    let rules = DoorRules::parse(gates.as_ref(), reentry.as_ref(), &tier_ids).map_err(ApiError::validation)?;
    door.store.put_rules(&event_id, &rules).await?;
    tracing::info!(%event_id, gates = rules.gates.len(), reentry = rules.reentry, "door set up");
    Ok(json_response(StatusCode::OK, &view(door, &event, &rules)))
}
