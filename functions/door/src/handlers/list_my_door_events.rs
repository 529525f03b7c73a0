//! GET /users/me/door-events: the events the caller was made door staff of, and,
//! for a member of an organizer's team who checks tickets in, that organizer's
//! published events (`"as": "team"`).

use super::Door;
use crate::store::DoorStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::auth::Permission;
use shared::{ApiError, caller, json_response};

pub async fn handle<S: DoorStore>(door: &Door<S>, request: &Request) -> Result<Response<Body>, ApiError> {
    let mut caller = caller(request)?;
    let mut grants = door.store.grants_of(&caller.user_id).await?;
    grants.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then_with(|| a.event_id.cmp(&b.event_id)));
    let mut events: Vec<_> = grants
        .iter()
        .map(|g| json!({"eventId": g.event_id, "title": g.title, "startsAt": g.starts_at, "as": "staff"}))
        .collect();
    if let Some(team) = caller.membership.clone() {
        // The team as it stands now, not as the gateway's cached answer says.
        caller
            .confirm_team(&team.organization_id, |user| async move {
                users::team::current(&door.client, &door.users_table, &user).await
            })
            .await?;
        if caller.may(Permission::CheckIn, &team.organization_id) {
            let listed: Vec<&str> = grants.iter().map(|g| g.event_id.as_str()).collect();
            for event in door.team_events(&team.organization_id).await? {
                if !listed.contains(&event.event_id.as_str()) {
                    events.push(json!({
                        "eventId": event.event_id,
                        "title": event.title,
                        "startsAt": event.starts_at.map(shared::clock::stored),
                        "as": "team"
                    }));
                }
            }
        }
    }
    Ok(json_response(StatusCode::OK, &json!({ "events": events })))
}
