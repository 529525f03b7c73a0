//! One module per endpoint, named like its Lambda function and its Handler
//! (`UpdateEventFunction` → `Handler: update_event` → `update_event::handle`). Each
//! reads the request, asks the domain what to do, and does the I/O; the mapping of
//! store outcomes and domain refusals to HTTP is here, once.

pub mod block_seats;
pub mod cancel_event;
pub mod create_event;
pub mod delete_event;
pub mod forward_event_changes;
pub mod get_event;
pub mod get_seats;
pub mod list_events;
pub mod list_my_events;
pub mod list_participants;
pub mod publish_event;
pub mod put_seat_map;
pub mod refresh_tier_summaries;
pub mod update_event;

use crate::domain::event::Event;
use crate::domain::lifecycle::Refusal;
use crate::store::{EventStore, StoreError};
use lambda_http::{Request, RequestExt};
use serde::Serialize;
use shared::auth::Permission;
use shared::{ApiError, Caller, Role};

/// Who manages events: their organizer, or an admin.
pub const ORGANIZERS: &[Role] = &[Role::Organizer, Role::Admin];

/// Roles each handler admits, by handler module (`None`: anyone, signed in or not
/// as the route says). template.yaml's `Metadata.AllowedRoles` must say the same;
/// a test checks it.
pub fn allowed_roles(handler: &str) -> Option<&'static [Role]> {
    match handler {
        "create_event" | "update_event" | "delete_event" | "publish_event" | "cancel_event" | "list_my_events"
        | "list_participants" | "put_seat_map" | "block_seats" => Some(ORGANIZERS),
        _ => None,
    }
}

/// Page sizes of the event listings.
pub const PAGE_DEFAULT: u32 = 20;
pub const PAGE_MAX: u32 = 50;

/// A page of a listing, as every listing route answers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Listing<T: Serialize> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict => ApiError::conflict(
                "concurrent_change",
                "the event or its sales changed while you were editing it; reload and try again",
            ),
            StoreError::BadCursor => ApiError::bad_request("the cursor is not valid; start again without it"),
            StoreError::SeatsNotFree(ids) => {
                seats_conflict("seats_taken", "these seats are held, sold or blocked already", "block", &ids)
            }
            StoreError::SeatsNotBlocked(ids) => {
                seats_conflict("seats_not_blocked", "these seats are not blocked", "unblock", &ids)
            }
            StoreError::Busy => {
                let mut busy = ApiError::service_unavailable("the tier's seats kept changing; try again in a moment");
                busy.retry_after = Some(1);
                busy
            }
            StoreError::Storage(failure) => failure.into(),
        }
    }
}

/// 409 `code` naming the seats, each as a field error of `field`.
fn seats_conflict(code: &'static str, what: &str, field: &str, ids: &[seating::map::SeatId]) -> ApiError {
    let names: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut conflict = ApiError::conflict(code, format!("{what}: {}", names.join(", ")));
    conflict.fields = names.into_iter().map(|id| shared::FieldError::new(field, id)).collect();
    conflict
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotEditable(why) => ApiError::conflict("not_editable", why),
            Refusal::NotRemovable => ApiError::conflict(
                "not_removable",
                "only a draft can be deleted; cancel a published event instead (its buyers are refunded)",
            ),
            Refusal::NotCancellable => {
                ApiError::conflict("not_cancellable", "only a draft or an upcoming published event can be cancelled")
            }
            Refusal::Invalid(fields) => ApiError::validation(fields),
        }
    }
}

/// Reads the `{id}` path parameter.
pub(crate) fn event_id(request: &Request) -> Result<String, ApiError> {
    request
        .path_parameters()
        .first("id")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("no such event"))
}

/// The event if the caller may do `what` with it: its organizer, an admin, or a
/// member of the organizer's team whose part allows it (403 when it does not).
/// Others get 404, so drafts stay invisible.
pub(crate) async fn owned_event<S: EventStore>(
    store: &S,
    caller: &Caller,
    id: &str,
    what: Permission,
) -> Result<Event, ApiError> {
    let event = store.get_exact(id).await?;
    let mut caller = caller.clone();
    if let Some(event) = &event {
        caller.confirm_team(&event.organizer_id, |user| async move { store.current_team(&user).await }).await?;
    }
    match event {
        Some(event) if caller.may(what, &event.organizer_id) => Ok(event),
        Some(event) if caller.belongs_to(&event.organizer_id) => {
            Err(ApiError::forbidden("your part in the organizer's team does not allow this"))
        }
        _ => Err(ApiError::not_found("no event of yours has this id")),
    }
}

/// The caller, if their role may work on events: an organizer or an admin
/// (`ORGANIZERS`), or a member of an organizer's team (their part is checked
/// against each event).
pub(crate) fn organizer(request: &Request) -> Result<Caller, ApiError> {
    let caller = shared::caller(request)?;
    if caller.works_for_events() {
        return Ok(caller);
    }
    caller.require(ORGANIZERS)?;
    Ok(caller)
}
