//! One module per group of endpoints; each turns a request into a response using
//! the domain rules and an [`EventStore`](crate::store::EventStore).

pub mod browse;
pub mod manage;
pub mod participants;

use crate::domain::event::Event;
use crate::store::{EventStore, StoreError};
use lambda_http::{Request, RequestExt};
use shared::{ApiError, Caller, Role};

/// The HTTP edge of the events store: each outcome's status and code.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict => ApiError::conflict(
                "concurrent_change",
                "the event or its sales changed while you were editing it; reload and try again",
            ),
            StoreError::BadCursor => ApiError::bad_request("the cursor is not valid; start again without it"),
            StoreError::Storage(failure) => failure.into(),
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

/// The event if the caller may manage it: its organizer, or an admin. Others get
/// 404, so drafts stay invisible.
pub(crate) async fn owned_event<S: EventStore>(store: &S, caller: &Caller, id: &str) -> Result<Event, ApiError> {
    let event = store.get(id).await?;
    match event {
        Some(event) if caller.role == Role::Admin || event.organizer_id == caller.user_id => Ok(event),
        _ => Err(ApiError::not_found("no event of yours has this id")),
    }
}

/// `limit` from the query string: 1..=max, `default` when absent.
pub(crate) fn limit(raw: Option<&str>, default: usize, max: usize) -> Result<usize, shared::FieldError> {
    match raw {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(shared::FieldError {
                field: "limit".into(),
                message: format!("must be a whole number from 1 to {max}"),
            }),
        },
    }
}
