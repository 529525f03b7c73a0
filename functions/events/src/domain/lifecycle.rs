//! What may happen to an event, and what it becomes: drafting, editing, publishing
//! and cancelling as plain functions of the event, the request and the time. The
//! handlers only read, call one of these, and write what it returns.

use super::event::{
    Details, Event, PublishProblem, Status, Tier, TierPlan, TierSpec, plan_tiers, publish_problems, validate_details,
};
use super::input::EventInput;
use chrono::{DateTime, Utc};
use shared::FieldError;

/// Why a change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The event can no longer be edited (cancelled, or over).
    NotEditable(&'static str),
    /// Only a draft or an upcoming published event can be cancelled.
    NotCancellable,
    /// Only a draft can be deleted; a published event is cancelled instead.
    NotRemovable,
    /// The request names fields that break the rules.
    Invalid(Vec<FieldError>),
}

/// A new draft owned by `organizer_id`, from the fields of a create request.
pub fn draft(id: String, organizer_id: &str, input: EventInput, now: DateTime<Utc>) -> Result<Event, Refusal> {
    let (details, specs) = input.into_new().map_err(Refusal::Invalid)?;
    let mut errors = validate_details(&details);
    errors.extend(moved_into_the_past(None, &details, now));
    let tiers = match plan_tiers(&[], &specs) {
        Ok(plan) => plan.added,
        Err(tier_errors) => {
            errors.extend(tier_errors);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(Refusal::Invalid(errors));
    }
    Ok(Event {
        id,
        organizer_id: organizer_id.to_owned(),
        status: Status::Draft,
        details,
        tiers,
        created_at: now,
        updated_at: now,
        published_at: None,
        version: 1,
        seat_map: None,
    })
}

/// The event after `patch`, and how its tiers change.
///
/// A published event stays publishable: every publish rule holds after the edit,
/// except "in the future" for an instant the edit leaves as it was (an event whose
/// sales have closed can still get a better description).
pub fn edit(before: &Event, patch: &EventInput, now: DateTime<Utc>) -> Result<(Event, TierPlan), Refusal> {
    if patch.is_empty() {
        return Err(Refusal::Invalid(vec![FieldError::new("body", "send at least one field to change")]));
    }
    if before.status == Status::Cancelled {
        return Err(Refusal::NotEditable("a cancelled event cannot be edited"));
    }
    if before.has_ended(now) {
        return Err(Refusal::NotEditable("the event has ended and can no longer be edited"));
    }
    let details = patch.apply(&before.details);
    let mut errors = validate_details(&details);
    errors.extend(moved_into_the_past(Some(&before.details), &details, now));
    if details.currency != before.details.currency && before.anything_taken() {
        errors.push(FieldError::new("currency", "cannot change once tickets are sold or held"));
    }
    let (plan, tiers) = match &patch.tiers {
        Some(specs) => match plan_tiers(&before.tiers, specs) {
            Ok(plan) => {
                let tiers = ordered_tiers(specs, &before.tiers, &plan);
                (plan, tiers)
            }
            Err(tier_errors) => {
                errors.extend(tier_errors);
                (TierPlan::default(), before.tiers.clone())
            }
        },
        None => (TierPlan::default(), before.tiers.clone()),
    };
    let after = Event { details, tiers, updated_at: now, version: before.version + 1, ..before.clone() };
    if before.status == Status::Published {
        errors.extend(
            publish_problems(&Event { status: Status::Draft, ..after.clone() }, now)
                .into_iter()
                .filter(|problem| match problem {
                    PublishProblem::NotInFuture(field) => instant_changed(field, &before.details, &after.details),
                    _ => true,
                })
                .map(PublishProblem::field_error),
        );
    }
    if errors.is_empty() { Ok((after, plan)) } else { Err(Refusal::Invalid(errors)) }
}

/// An event's start or end set (or moved) to a time already past: such a draft
/// could never be published, and would sit in the organizer's list for good.
fn moved_into_the_past(before: Option<&Details>, after: &Details, now: DateTime<Utc>) -> Vec<FieldError> {
    let instants = [
        ("startsAt", after.starts_at, before.map(|b| b.starts_at)),
        ("endsAt", after.ends_at, before.map(|b| b.ends_at)),
    ];
    instants
        .into_iter()
        .filter(|(_, new, old)| new.is_some_and(|t| t <= now) && old.as_ref() != Some(new))
        .map(|(field, _, _)| FieldError::new(field, "must be in the future"))
        .collect()
}

/// Whether the edit moved the instant the API calls `field`.
fn instant_changed(field: &str, before: &Details, after: &Details) -> bool {
    match field {
        "startsAt" => before.starts_at != after.starts_at,
        "salesClosesAt" => before.sales_closes_at != after.sales_closes_at,
        "salesOpensAt" => before.sales_opens_at != after.sales_opens_at,
        "endsAt" => before.ends_at != after.ends_at,
        _ => true,
    }
}

/// The tiers in the order the organizer listed them: kept and changed ones by id,
/// then the new ones.
fn ordered_tiers(specs: &[TierSpec], existing: &[Tier], plan: &TierPlan) -> Vec<Tier> {
    let kept = specs.iter().filter_map(|spec| {
        let id = spec.id.as_ref()?;
        plan.changed.iter().map(|(_, new)| new).chain(existing).find(|t| &t.id == id).cloned()
    });
    kept.chain(plan.added.iter().cloned()).collect()
}

/// The draft, published.
pub fn publish(before: &Event, now: DateTime<Utc>) -> Result<Event, Refusal> {
    let problems = publish_problems(before, now);
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems.into_iter().map(PublishProblem::field_error).collect()));
    }
    Ok(Event {
        status: Status::Published,
        published_at: Some(now),
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    })
}

/// Whether the event may be deleted: drafts only, whatever their dates (nothing
/// was ever sold; a published event is cancelled, which refunds its buyers).
pub fn remove(before: &Event) -> Result<(), Refusal> {
    if before.status == Status::Draft { Ok(()) } else { Err(Refusal::NotRemovable) }
}

/// The draft or upcoming event, cancelled. Refunds and telling ticket holders
/// belong to the reservations domain.
pub fn cancel(before: &Event, now: DateTime<Utc>) -> Result<Event, Refusal> {
    if !matches!(before.status, Status::Draft | Status::Published) || before.has_ended(now) {
        return Err(Refusal::NotCancellable);
    }
    Ok(Event { status: Status::Cancelled, updated_at: now, version: before.version + 1, ..before.clone() })
}

/// Whether a committed change of an event's status starts the cancellation of its
/// reservations: it became cancelled (`before` is `None` for a new event).
pub fn starts_cancellation(before: Option<Status>, after: Status) -> bool {
    after == Status::Cancelled && before != Some(Status::Cancelled)
}

/// Seats a tier's change added to sale (its capacity grew): offered to its
/// waiting list first. A tier just made, or made smaller, adds none.
pub fn seats_added(capacity_before: Option<u32>, capacity_after: u32) -> u32 {
    capacity_before.map_or(0, |before| capacity_after.saturating_sub(before))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::tests::{at, event, tier};
    use crate::domain::input;
    use serde_json::json;

    fn patch(body: serde_json::Value) -> EventInput {
        input::parse(body.as_object().unwrap()).unwrap()
    }

    fn published() -> Event {
        Event { status: Status::Published, ..event(vec![tier("std", 100, 100)]) }
    }

    fn fields(refusal: Refusal) -> Vec<String> {
        match refusal {
            Refusal::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_draft_gets_version_one_and_its_tiers() {
        let input = patch(json!({"title": "T", "category": "match", "timezone": "Europe/Paris", "currency": "EUR",
            "tiers": [{"name": "A", "priceMinor": 100, "capacity": 10, "maxPerOrder": 2}]}));
        let now = at("2029-01-01T00:00:00Z");
        let draft = draft("e9".into(), "o1", input, now).unwrap();
        assert_eq!((draft.status, draft.version, draft.created_at), (Status::Draft, 1, now));
        assert_eq!(draft.tiers[0].available, 10);
        let missing = patch(json!({"title": "T"}));
        assert_eq!(
            fields(super::draft("e".into(), "o", missing, now).unwrap_err()),
            ["category", "timezone", "currency"]
        );
    }

    #[test]
    fn a_start_or_end_in_the_past_is_refused_but_one_left_as_it_was_is_fine() {
        let now = at("2029-01-01T00:00:00Z");
        let old = patch(json!({"title": "T", "category": "match", "timezone": "Europe/Paris", "currency": "EUR",
            "startsAt": "1900-01-01T20:00:00Z", "endsAt": "1900-01-01T22:00:00Z", "tiers": []}));
        assert_eq!(fields(draft("e".into(), "o", old, now).unwrap_err()), ["startsAt", "endsAt"]);
        let before = event(vec![]);
        let back = patch(json!({"startsAt": "2028-12-31T20:00:00Z", "endsAt": "2028-12-31T22:00:00Z"}));
        let Err(Refusal::Invalid(errors)) = edit(&before, &back, now) else { panic!("a start in the past") };
        let past: Vec<&str> =
            errors.iter().filter(|e| e.message == "must be in the future").map(|e| e.field.as_str()).collect();
        assert_eq!(past, ["startsAt", "endsAt"]);
        assert!(edit(&before, &patch(json!({"title": "New title"})), now).is_ok());
    }

    #[test]
    fn codes_are_upper_cased_as_ascii_only() {
        let now = at("2029-01-01T00:00:00Z");
        let body = json!({"title": "T", "category": "match", "timezone": "Europe/Paris", "currency": "\u{131}nr",
            "venue": {"name": "Hall", "address": "1 Main St", "city": "Berlin", "country": "\u{df}"}, "tiers": []});
        assert_eq!(fields(draft("e".into(), "o", patch(body), now).unwrap_err()), ["venue.country", "currency"]);
        let fine =
            json!({"title": "T", "category": "match", "timezone": "Asia/Kolkata", "currency": "inr", "tiers": []});
        assert_eq!(draft("e".into(), "o", patch(fine), now).unwrap().details.currency, "INR");
    }

    #[test]
    fn only_drafts_can_be_deleted_whatever_their_dates() {
        let mut old_draft = event(vec![]);
        old_draft.details.starts_at = Some(at("1900-01-01T20:00:00Z"));
        assert_eq!(remove(&old_draft), Ok(()));
        assert_eq!(remove(&published()), Err(Refusal::NotRemovable));
        assert_eq!(remove(&Event { status: Status::Cancelled, ..published() }), Err(Refusal::NotRemovable));
    }

    #[test]
    fn an_edit_bumps_the_version_and_keeps_the_tier_order_asked_for() {
        let before = event(vec![tier("a", 10, 10), tier("b", 10, 10)]);
        let body = json!({"tiers": [
            {"id": "b", "name": "b", "priceMinor": 1000, "capacity": 20, "maxPerOrder": 4},
            {"id": "a", "name": "a", "priceMinor": 1000, "capacity": 10, "maxPerOrder": 4},
            {"name": "c", "priceMinor": 1, "capacity": 5, "maxPerOrder": 1}]});
        let (after, plan) = edit(&before, &patch(body), at("2029-06-01T00:00:00Z")).unwrap();
        assert_eq!(after.version, 2);
        let names: Vec<&str> = after.tiers.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!((plan.changed.len(), plan.added.len(), plan.removed.len()), (1, 1, 0));
        assert_eq!(after.tiers[0].available, 20);
    }

    #[test]
    fn empty_cancelled_and_ended_events_refuse_edits() {
        let now = at("2029-06-01T00:00:00Z");
        assert_eq!(fields(edit(&published(), &EventInput::default(), now).unwrap_err()), ["body"]);
        let cancelled = Event { status: Status::Cancelled, ..published() };
        assert!(matches!(edit(&cancelled, &patch(json!({"title": "x"})), now), Err(Refusal::NotEditable(_))));
        let after_the_end = at("2030-05-02T00:00:00Z");
        assert!(matches!(
            edit(&published(), &patch(json!({"title": "x"})), after_the_end),
            Err(Refusal::NotEditable(_))
        ));
    }

    #[test]
    fn a_published_event_stays_complete_but_past_instants_it_keeps_are_fine() {
        // Sales have closed (18:00) but the event has not started: a new description is fine.
        let late = at("2030-05-01T18:30:00Z");
        assert!(edit(&published(), &patch(json!({"description": "Better."})), late).is_ok());
        // Moving the sales close, even to another past instant, must pass the publish rule.
        let moved = patch(json!({"salesClosesAt": "2030-05-01T18:10:00Z"}));
        assert_eq!(fields(edit(&published(), &moved, late).unwrap_err()), ["salesClosesAt"]);
        // Removing what publishing needs is refused whatever the time.
        let stripped = patch(json!({"venue": null, "description": null}));
        assert_eq!(
            fields(edit(&published(), &stripped, at("2029-06-01T00:00:00Z")).unwrap_err()),
            ["description", "venue"]
        );
        // A draft may be incomplete.
        let draft = event(vec![]);
        assert!(edit(&draft, &stripped, at("2029-06-01T00:00:00Z")).is_ok());
    }

    #[test]
    fn the_currency_stays_once_seats_are_taken() {
        let sold = Event { tiers: vec![tier("std", 100, 99)], ..event(vec![]) };
        let usd = patch(json!({"currency": "USD"}));
        assert_eq!(fields(edit(&sold, &usd, at("2029-06-01T00:00:00Z")).unwrap_err()), ["currency"]);
        let unsold = event(vec![tier("std", 100, 100)]);
        assert!(edit(&unsold, &usd, at("2029-06-01T00:00:00Z")).is_ok());
    }

    #[test]
    fn publishing_stamps_the_time_and_refuses_twice() {
        let now = at("2029-06-01T00:00:00Z");
        let draft = event(vec![tier("std", 100, 100)]);
        let published = publish(&draft, now).unwrap();
        assert_eq!((published.status, published.published_at, published.version), (Status::Published, Some(now), 2));
        assert_eq!(fields(publish(&published, now).unwrap_err()), ["status"]);
    }

    #[test]
    fn only_drafts_and_upcoming_events_can_be_cancelled() {
        let now = at("2029-06-01T00:00:00Z");
        assert_eq!(cancel(&published(), now).unwrap().status, Status::Cancelled);
        assert_eq!(cancel(&event(vec![]), now).unwrap().version, 2);
        let cancelled = Event { status: Status::Cancelled, ..published() };
        assert_eq!(cancel(&cancelled, now), Err(Refusal::NotCancellable));
        assert_eq!(cancel(&published(), at("2030-05-02T00:00:00Z")), Err(Refusal::NotCancellable));
    }

    #[test]
    fn only_becoming_cancelled_starts_the_cancellation_of_its_reservations() {
        assert!(starts_cancellation(Some(Status::Published), Status::Cancelled));
        assert!(starts_cancellation(Some(Status::Draft), Status::Cancelled));
        assert!(!starts_cancellation(Some(Status::Cancelled), Status::Cancelled), "a rewrite starts nothing again");
        assert!(!starts_cancellation(Some(Status::Draft), Status::Published));
        assert!(!starts_cancellation(None, Status::Draft));
    }

    #[test]
    fn only_a_grown_capacity_adds_seats() {
        assert_eq!(seats_added(Some(100), 120), 20);
        assert_eq!(seats_added(Some(100), 100), 0, "a summary refresh changes no capacity");
        assert_eq!(seats_added(Some(100), 80), 0);
        assert_eq!(seats_added(None, 80), 0, "a new tier's seats were never sold out");
    }
}
