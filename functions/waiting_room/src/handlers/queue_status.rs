//! GET /events/{id}/queue/me: where the caller's place stands — `pre_queue`
//! (the order is drawn at the opening), `waiting` (position, how many ahead, an
//! estimated wait), `admitted` (with an admission token for `POST /reservations`)
//! or `abandoned`. Asking is what keeps a place alive.

use super::{Deps, Settings, event_id, opened_room, sale, view};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use onsale::admission::Standing;
use shared::{ApiError, Clock, caller, json_response};

/// A place's "last seen" is written at most this often (and well within the
/// time after which a silent place is abandoned).
const SEEN_EVERY_SECONDS: i64 = 15;

pub async fn handle<S: Settings>(
    deps: &Deps<'_, S>,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let sale = sale(deps.settings, &event_id).await?;
    let now = clock.now();
    let Some(place) = deps.store.place(&event_id, &caller.user_id).await? else {
        return Err(ApiError::not_found("you are not in this event's queue: join it with POST /events/{id}/queue"));
    };
    let room = opened_room(deps.store, &event_id, &sale, now).await?;
    let (standing, shown) = view(deps, &event_id, &caller.user_id, &sale, &place, room.as_ref(), now);
    let admitted = matches!(standing, Standing::Admitted { .. });
    let first_admission = admitted && place.admitted_at.is_none();
    if standing != Standing::Abandoned
        && (first_admission || now.timestamp() - place.last_seen >= SEEN_EVERY_SECONDS.min(deps.abandon_after / 3))
    {
        deps.store.seen(&event_id, &caller.user_id, now.timestamp(), admitted).await?;
    }
    Ok(json_response(StatusCode::OK, &shown))
}
