//! One module per endpoint, plus what they share: who may act at an event's door,
//! and how a scan is carried out against the store.

pub mod apply_ticket_changes;
pub mod check_in;
pub mod check_in_batch;
pub mod check_in_summary;
pub mod forward_door_changes;
pub mod get_door;
pub mod grant_staff;
pub mod list_door_tickets;
pub mod list_my_door_events;
pub mod list_staff;
pub mod put_door;
pub mod revoke_staff;

use crate::domain::admission::{Admission, Refusal, Scan, Ticket, Verdict, decide};
use crate::domain::rules::DoorRules;
use crate::store::{DoorStore, StoreError};
use events::door::DoorEvent;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use shared::auth::Permission;
use shared::ticket_pass::{PassError, PassKeys, is_pass};
use shared::{ApiError, Caller, Role};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Roles each handler admits beyond "signed in": door staff are ordinary accounts,
/// so every route checks its event's grants itself.
pub fn allowed_roles(_handler: &str) -> Option<&'static [Role]> {
    None
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Stale => ApiError::conflict("concurrent_change", "the ticket changed meanwhile; scan again"),
            StoreError::BadCursor => ApiError::bad_request("the cursor is not valid"),
            StoreError::Storage(failure) => failure.into(),
        }
    }
}

/// How long an instance trusts what it read of an event (its organizer never
/// changes; its tiers and title rarely).
const EVENT_CACHE: Duration = Duration::from_secs(60);

/// What every door handler needs: its store, the events and users contracts'
/// client, and the ticket keys.
pub struct Door<S> {
    pub store: S,
    pub client: aws_sdk_dynamodb::Client,
    pub events_table: String,
    pub users_table: String,
    pub keys: PassKeys,
    events: Mutex<HashMap<String, (Instant, DoorEvent)>>,
}

/// Who may do what at an event's door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Scan, read the counts and the door list: the organizer, an admin, door staff,
    /// and the organizer's team but viewers.
    Door,
    /// Set up the door and its staff: the organizer, an admin, a manager of the team.
    Organizer,
}

impl<S: DoorStore> Door<S> {
    pub fn new(
        store: S,
        client: aws_sdk_dynamodb::Client,
        events_table: String,
        users_table: String,
        keys: PassKeys,
    ) -> Self {
        Self { store, client, events_table, users_table, keys, events: Mutex::new(HashMap::new()) }
    }

    pub async fn event(&self, event_id: &str) -> Result<Option<DoorEvent>, ApiError> {
        if let Some((at, event)) = self.events.lock().expect("cache lock").get(event_id)
            && at.elapsed() < EVENT_CACHE
        {
            return Ok(Some(event.clone()));
        }
        let event = events::door::door_event(&self.client, &self.events_table, event_id).await?;
        if let Some(event) = &event {
            self.events.lock().expect("cache lock").insert(event_id.to_owned(), (Instant::now(), event.clone()));
        }
        Ok(event)
    }

    /// The published events of the organizer whose team the caller checks tickets in for.
    pub async fn team_events(&self, organizer_id: &str) -> Result<Vec<DoorEvent>, ApiError> {
        Ok(events::door::organizer_events(&self.client, &self.events_table, organizer_id, 100).await?)
    }

    /// The event if `caller` may act at its door as `access` asks. Someone with no
    /// part in it learns nothing of a draft (404); of a public event, that they
    /// may not (403). A revoked grant stops working at once: grants are read on
    /// every request.
    pub async fn authorize(&self, caller: &Caller, event_id: &str, access: Access) -> Result<DoorEvent, ApiError> {
        let not_found = || ApiError::not_found("no such event");
        if !shared::dynamo::plausible_id(event_id) {
            return Err(not_found());
        }
        let event = self.event(event_id).await?.ok_or_else(not_found)?;
        let mut caller = caller.clone();
        caller
            .confirm_team(&event.organizer_id, |user| async move {
                users::team::current(&self.client, &self.users_table, &user).await
            })
            .await?;
        let needs = match access {
            Access::Door => Permission::CheckIn,
            Access::Organizer => Permission::Manage,
        };
        if caller.may(needs, &event.organizer_id) {
            return Ok(event);
        }
        if caller.belongs_to(&event.organizer_id) {
            return Err(ApiError::forbidden("your part in the organizer's team does not allow this"));
        }
        let staff = access == Access::Door && self.store.staff_grant(event_id, &caller.user_id).await?.is_some();
        match (staff, event.published || event.cancelled) {
            (true, _) => Ok(event),
            (false, false) => Err(not_found()),
            (false, true) if access == Access::Door => Err(ApiError::forbidden("you are not door staff of this event")),
            (false, true) => Err(ApiError::forbidden("only the event's organizer can do this")),
        }
    }

    /// Carries out one scan: read, decide, write with the read state as the
    /// condition; another gate's write in between means deciding again from it.
    pub async fn scan(&self, scan: &Scan, rules: &DoorRules) -> Result<Outcome, ApiError> {
        const TRIES: u32 = 8;
        for attempt in 0..TRIES {
            let ticket = self.store.ticket(&scan.code).await?;
            let verdict = decide(ticket.as_ref(), scan, rules);
            let Some(ticket) = ticket else { return Ok(Outcome { verdict, ticket: None }) };
            match self.store.write_verdict(&ticket, &verdict).await {
                Ok(()) => return Ok(Outcome { verdict, ticket: Some(ticket) }),
                Err(StoreError::Stale) => continue,
                Err(StoreError::Storage(failure)) if failure.is_transient() && attempt + 1 < TRIES => {
                    // Two gates' counters met in one transaction: a short pause and again.
                    tokio::time::sleep(Duration::from_millis(10 << attempt.min(5))).await;
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(ApiError::service_unavailable("this ticket is being scanned elsewhere right now; scan again"))
    }
}

/// A scan's verdict and the ticket it was decided on.
pub struct Outcome {
    pub verdict: Verdict,
    pub ticket: Option<Ticket>,
}

/// What a scan shows of a ticket: enough to admit the right person, no more.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketFace {
    pub code: String,
    pub tier_id: String,
    pub tier_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

impl From<&Ticket> for TicketFace {
    fn from(t: &Ticket) -> Self {
        Self {
            code: t.code.clone(),
            tier_id: t.tier_id.clone(),
            tier_name: t.tier_name.clone(),
            seat: t.seat.clone(),
            holder: t.holder.clone(),
        }
    }
}

/// A scanned text as a bare code: a signed pass is verified (and must be for
/// this event); a typed code is taken as it is.
pub fn bare_code(keys: &PassKeys, scanned: &str, event_id: &str) -> Result<String, Refusal> {
    let scanned = scanned.trim();
    if is_pass(scanned) {
        return match keys.verify(scanned) {
            Ok(claims) if claims.event_id != event_id => Err(Refusal::WrongEvent),
            Ok(claims) => Ok(claims.code),
            Err(PassError::Malformed) => Err(Refusal::UnknownTicket),
            Err(PassError::BadSignature) => Err(Refusal::Forged),
        };
    }
    let plausible = !scanned.is_empty()
        && scanned.len() <= 64
        && scanned.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plausible { Ok(scanned.to_owned()) } else { Err(Refusal::UnknownTicket) }
}

/// A refusal at the HTTP edge: 404 for a code nobody knows, 400 for a forged one,
/// 409 for every ticket that exists but does not pass now (with the first
/// admission when that is why).
pub fn refusal_response(refusal: &Refusal) -> Response<Body> {
    let status = match refusal {
        Refusal::UnknownTicket => StatusCode::NOT_FOUND,
        Refusal::Forged | Refusal::UnknownGate { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::CONFLICT,
    };
    let mut error = serde_json::json!({
        "status": status.as_u16(),
        "code": refusal.code(),
        "message": refusal.message(),
    });
    if let Refusal::AlreadyAdmitted(first) = refusal {
        error["admission"] = serde_json::to_value(first).expect("an admission serializes");
    }
    shared::json_response(status, &serde_json::json!({ "error": error }))
}

/// The answer to an admitted (or readmitted, or exited) scan.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Passed {
    pub result: &'static str,
    pub event_id: String,
    pub ticket: TicketFace,
    #[serde(flatten)]
    pub admission: Admission,
}

/// The verdict as a passed scan, or the refusal.
pub fn passed(outcome: &Outcome, scan: &Scan) -> Result<Passed, Refusal> {
    let result = match &outcome.verdict {
        Verdict::Admit(_) | Verdict::AdmittedByThisScan => "admitted",
        Verdict::Readmit => "readmitted",
        Verdict::Exit => "exited",
        Verdict::Refuse(refusal) => return Err(refusal.clone()),
    };
    let ticket = outcome.ticket.as_ref().expect("a passed scan has its ticket");
    let admission = match &outcome.verdict {
        Verdict::Admit(a) => a.clone(),
        Verdict::AdmittedByThisScan => ticket.admission.clone().expect("admitted by this scan"),
        _ => Admission {
            admitted_at: scan.at,
            gate: scan.gate.clone(),
            device: scan.device.clone(),
            scan_id: scan.scan_id.clone(),
        },
    };
    Ok(Passed { result, event_id: scan.event_id.clone(), ticket: ticket.into(), admission })
}

pub(crate) fn event_id(request: &Request) -> Result<String, ApiError> {
    request
        .path_parameters()
        .first("id")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("no such event"))
}
