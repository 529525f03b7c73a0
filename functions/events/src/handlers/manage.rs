//! Organizer endpoints: create, update, publish, cancel.

use super::{event_id, owned_event};
use crate::domain::event::{Event, Status, Tier, TierPlan, check_publishable, plan_tiers, validate_details};
use crate::domain::input;
use crate::domain::view::{Audience, view};
use crate::store::EventStore;
use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::json_object;
use shared::{ApiError, FieldError, Role, caller, json_response};

const ORGANIZERS: &[Role] = &[Role::Organizer, Role::Admin];

fn field(field: &str, message: &str) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

/// POST /events: a new draft owned by the caller.
pub async fn create<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    caller.require(ORGANIZERS)?;
    let parsed = input::parse(&json_object(request)?).map_err(ApiError::validation)?;
    let (details, specs) = parsed.into_new().map_err(ApiError::validation)?;
    let mut errors = validate_details(&details);
    let plan = plan_tiers(&[], &specs).unwrap_or_else(|tier_errors| {
        errors.extend(tier_errors);
        TierPlan::default()
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = Utc::now();
    let event = Event {
        id: uuid::Uuid::new_v4().to_string(),
        organizer_id: caller.user_id.clone(),
        status: Status::Draft,
        details,
        tiers: plan.added,
        created_at: now,
        updated_at: now,
        published_at: None,
        version: 1,
    };
    store.create(&event).await?;
    tracing::info!(event_id = %event.id, organizer = %caller.user_id, "event drafted");
    let mut response = json_response(StatusCode::CREATED, &view(&event, Audience::Organizer, now));
    response.headers_mut().insert("location", format!("/events/{}", event.id).parse().expect("uuid header"));
    Ok(response)
}

/// PATCH /events/{id}: present fields replace, `tiers` replaces the list (existing
/// tiers by `id`).
pub async fn update<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    caller.require(ORGANIZERS)?;
    let id = event_id(request)?;
    let patch = input::parse(&json_object(request)?).map_err(ApiError::validation)?;
    if patch.is_empty() {
        return Err(ApiError::validation(vec![field("body", "send at least one field to change")]));
    }
    let before = owned_event(store, &caller, &id).await?;
    let now = Utc::now();
    if matches!(before.status, Status::Cancelled | Status::Completed) {
        return Err(ApiError::conflict("not_editable", "a cancelled event cannot be edited"));
    }
    if before.has_ended(now) {
        return Err(ApiError::conflict("not_editable", "the event has ended and can no longer be edited"));
    }
    let details = patch.apply(&before.details);
    let mut errors = validate_details(&details);
    if details.currency != before.details.currency && before.anything_taken() {
        errors.push(field("currency", "cannot change once tickets are sold or held"));
    }
    let plan = match &patch.tiers {
        Some(specs) => plan_tiers(&before.tiers, specs).unwrap_or_else(|tier_errors| {
            errors.extend(tier_errors);
            TierPlan::default()
        }),
        None => TierPlan::default(),
    };
    let tiers: Vec<Tier> = match &patch.tiers {
        Some(specs) => specs
            .iter()
            .filter_map(|spec| match &spec.id {
                Some(id) => {
                    plan.changed.iter().map(|(_, new)| new).chain(before.tiers.iter()).find(|t| &t.id == id).cloned()
                }
                None => None,
            })
            .chain(plan.added.iter().cloned())
            .collect(),
        None => before.tiers.clone(),
    };
    let mut after = Event { details, tiers, updated_at: now, version: before.version + 1, ..before.clone() };
    if after.status == Status::Published {
        // A published event stays complete: the publish rules apply to every edit,
        // except "in the future" for dates the edit leaves as they were (a published
        // event whose sales closed can still get a better description).
        after.status = Status::Draft;
        let unchanged = |field: &str| match field {
            "startsAt" => after.details.starts_at == before.details.starts_at,
            "salesClosesAt" => after.details.sales_closes_at == before.details.sales_closes_at,
            _ => false,
        };
        errors.extend(
            check_publishable(&after, now)
                .into_iter()
                .filter(|e| e.field != "status" && !(e.message.contains("in the future") && unchanged(&e.field))),
        );
        after.status = Status::Published;
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    store.update(&before, &after, &plan).await?;
    Ok(json_response(StatusCode::OK, &view(&after, Audience::Organizer, now)))
}

async fn transition<S: EventStore>(store: &S, request: &Request, to: Status) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    caller.require(ORGANIZERS)?;
    let before = owned_event(store, &caller, &event_id(request)?).await?;
    let now = Utc::now();
    let mut after = Event { status: to, updated_at: now, version: before.version + 1, ..before.clone() };
    match to {
        Status::Published => {
            let errors = check_publishable(&before, now);
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
            after.published_at = Some(now);
        }
        Status::Cancelled => {
            if !matches!(before.status, Status::Draft | Status::Published) || before.has_ended(now) {
                return Err(ApiError::conflict(
                    "not_cancellable",
                    "only a draft or an upcoming published event can be cancelled",
                ));
            }
        }
        _ => return Err(ApiError::internal()),
    }
    store.update(&before, &after, &TierPlan::default()).await?;
    tracing::info!(event_id = %after.id, status = ?to, by = %caller.user_id, "event status changed");
    Ok(json_response(StatusCode::OK, &view(&after, Audience::Organizer, now)))
}

/// POST /events/{id}/publish: the draft must be complete and in the future.
pub async fn publish<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    transition(store, request, Status::Published).await
}

/// POST /events/{id}/cancel: the status changes now; refunds and telling ticket
/// holders belong to the reservations domain, through its queues.
pub async fn cancel<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    transition(store, request, Status::Cancelled).await
}
