//! One module per endpoint; what they share (reading the room's settings, opening
//! it at the sale's opening, a place's standing and view) is here.

pub mod join_queue;
pub mod queue_status;
pub mod room_status;

use crate::store::{PlaceRecord, Room, RoomStore};
use crate::token::AdmissionTokens;
use chrono::{DateTime, SecondsFormat, Utc};
use events::inventory::RoomSettings;
use hmac::{Hmac, Mac};
use lambda_http::{Request, RequestExt};
use onsale::admission::{self, Place, Standing};
use serde::Serialize;
use sha2::Sha256;
use shared::ApiError;
use std::future::Future;

/// Anyone signed in may queue; the public status needs no account.
pub fn allowed_roles(_handler: &str) -> Option<&'static [shared::Role]> {
    None
}

/// Reads an event's waiting-room settings (the events domain's contract).
pub trait Settings: Send + Sync {
    fn settings(
        &self,
        event_id: &str,
    ) -> impl Future<Output = Result<Option<RoomSettings>, shared::dynamo::Failure>> + Send;
}

/// What a room needs: its event's settings, its table, its tokens, and how long
/// a silent place lasts (`PLACE_ABANDONED_AFTER_SECONDS`).
pub struct Deps<'a, S: Settings> {
    pub settings: &'a S,
    pub store: &'a RoomStore,
    pub tokens: &'a AdmissionTokens,
    pub abandon_after: i64,
}

pub(crate) fn event_id(request: &Request) -> Result<String, ApiError> {
    request
        .path_parameters()
        .first("id")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("no such event"))
}

/// An event whose sale has a waiting room: its settings and admission pace.
pub(crate) struct Sale {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub admit_per_minute: u64,
    /// Seats left as last summarised.
    pub seats_left: u64,
}

pub(crate) async fn sale<S: Settings>(settings: &S, event_id: &str) -> Result<Sale, ApiError> {
    let Some(event) = settings.settings(event_id).await?.filter(|e| e.published) else {
        return Err(ApiError::not_found("no such event"));
    };
    let (Some(rate), Some(opens_at), Some(closes_at)) =
        (event.admit_per_minute, event.sales_opens_at, event.sales_closes_at)
    else {
        return Err(ApiError::conflict("no_waiting_room", "this event's sale has no waiting room: buy directly"));
    };
    Ok(Sale { opens_at, closes_at, admit_per_minute: u64::from(rate), seats_left: event.seats_left })
}

/// The room once the sale has opened (opening it if nobody has yet): the
/// pre-queue's size is fixed and its order drawn with a seed made now.
pub(crate) async fn opened_room(
    store: &RoomStore,
    event_id: &str,
    sale: &Sale,
    now: DateTime<Utc>,
) -> Result<Option<Room>, ApiError> {
    if now < sale.opens_at {
        return Ok(None);
    }
    if let Some(room) = store.room(event_id).await? {
        return Ok(Some(room));
    }
    let room = Room { seed: rand::random::<[u8; 32]>().to_vec(), pre_queue: store.pre_queue_size(event_id).await? };
    store.open(event_id, &room, now.timestamp()).await?;
    // Whoever opened it first, that room stands.
    Ok(store.room(event_id).await?)
}

/// A place's position: drawn for the pre-queue, numbered for later arrivals.
pub(crate) fn position(place: &PlaceRecord, room: Option<&Room>, user_id: &str) -> Option<u64> {
    if !place.pre_queue {
        return place.position;
    }
    let room = room?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&room.seed).expect("HMAC takes keys of any length");
    mac.update(user_id.as_bytes());
    Some(admission::pre_queue_position(admission::draw(&mac.finalize().into_bytes()), room.pre_queue))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceView {
    pub event_id: String,
    /// `pre_queue`, `waiting`, `admitted` or `abandoned`.
    pub status: &'static str,
    pub position: Option<u64>,
    /// Places admitted before this one still to come.
    pub ahead: Option<u64>,
    pub estimated_wait_seconds: Option<u64>,
    pub opens_at: String,
    /// Sent as `Admission-Token` with `POST /reservations` while it is valid.
    pub admission_token: Option<String>,
    pub admission_token_expires_at: Option<String>,
}

fn instant(t: i64) -> String {
    DateTime::from_timestamp(t, 0).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Where the place stands at `now`, as the caller sees it (with a token once admitted).
pub(crate) fn view<S: Settings>(
    deps: &Deps<'_, S>,
    event_id: &str,
    user_id: &str,
    sale: &Sale,
    place: &PlaceRecord,
    room: Option<&Room>,
    now: DateTime<Utc>,
) -> (Standing, PlaceView) {
    let tokens = deps.tokens;
    let opens = sale.opens_at.timestamp();
    let at =
        Place { position: position(place, room, user_id), last_seen: place.last_seen, admitted_at: place.admitted_at };
    let standing = admission::standing(&at, opens, sale.admit_per_minute, deps.abandon_after, now.timestamp());
    let elapsed = (now.timestamp() - opens) as f64;
    let mut view = PlaceView {
        event_id: event_id.to_owned(),
        status: "pre_queue",
        position: at.position,
        ahead: None,
        estimated_wait_seconds: None,
        opens_at: instant(opens),
        admission_token: None,
        admission_token_expires_at: None,
    };
    match standing {
        Standing::PreQueue => {}
        Standing::Waiting { position, ahead } => {
            view.status = "waiting";
            view.ahead = Some(ahead);
            view.estimated_wait_seconds =
                Some(admission::estimated_wait_seconds(sale.admit_per_minute, position, elapsed));
        }
        Standing::Admitted { .. } => {
            view.status = "admitted";
            view.ahead = Some(0);
            view.estimated_wait_seconds = Some(0);
            let admitted = place.admitted_at.unwrap_or(now.timestamp());
            // The token lasts a few minutes, never past the admission itself.
            let left =
                (admitted + admission::ADMISSION_VALID_SECONDS - now.timestamp()).min(admission::TOKEN_VALID_SECONDS);
            let (token, expires) = tokens.issue(user_id, event_id, now.timestamp(), left.max(1));
            view.admission_token = Some(token);
            view.admission_token_expires_at = Some(instant(expires));
        }
        Standing::Abandoned => view.status = "abandoned",
    }
    (standing, view)
}
