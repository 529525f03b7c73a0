//! Events and their ticket tiers, and the rules an event must follow.

use super::shards;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use shared::FieldError;

pub const MAX_TIERS: usize = 20;
/// How long seats offered from a tier's waiting list stay held (`waitingListOfferMinutes`).
pub const OFFER_DEFAULT_MINUTES: u32 = 30;
pub const OFFER_MIN_MINUTES: u32 = 5;
pub const OFFER_MAX_MINUTES: u32 = 1440;
pub const TITLE_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 5_000;
pub const NAME_MAX: usize = 120;
pub const ADDRESS_MAX: usize = 200;
pub const CITY_MAX: usize = 80;
pub const TIER_NAME_MAX: usize = 60;
/// 1,000,000.00 in a two-decimal currency.
pub const MAX_PRICE_MINOR: i64 = 100_000_000;
pub const MAX_CAPACITY: u32 = 1_000_000;
pub const MAX_PER_ORDER: u32 = 50;
/// No single event lasts longer than this.
pub const MAX_DURATION_DAYS: i64 = 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Match,
    Concert,
    Conference,
}

impl Category {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "match" => Some(Self::Match),
            "concert" => Some(Self::Concert),
            "conference" => Some(Self::Conference),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::Concert => "concert",
            Self::Conference => "conference",
        }
    }
}

/// `draft` → `published` → `cancelled`; a published event whose end has passed is
/// shown as `completed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Published,
    Cancelled,
    Completed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Venue {
    pub name: String,
    pub address: String,
    pub city: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
}

/// A ticket tier with its live availability counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub id: String,
    pub name: String,
    pub price_minor: i64,
    pub capacity: u32,
    pub max_per_order: u32,
    /// Seats neither sold nor held: the sum of the shards' counters, which
    /// reservations decrement atomically (exact when read with the shards, a
    /// summary refreshed from the stream in public listings).
    pub available: u32,
    /// Shard items its unsold seats are spread over (`domain::shards`).
    pub shards: u32,
    /// Sold seat by seat from the event's seat map (its capacity is its seats there).
    pub seated: bool,
    /// Not listed publicly and sold only with an access code naming it (a presale).
    pub hidden: bool,
}

impl Tier {
    /// Seats sold or held: what the capacity can never go below.
    pub fn taken(&self) -> u32 {
        self.capacity.saturating_sub(self.available)
    }
}

/// A tier as an organizer describes it; `id` names an existing tier to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierSpec {
    pub id: Option<String>,
    pub name: String,
    pub price_minor: i64,
    pub capacity: u32,
    pub max_per_order: u32,
    /// Shards asked for; `None` keeps the tier's (or the default for a new one).
    pub shards: Option<u32>,
    /// Listed and sold only with an access code (`hidden` in the API).
    pub hidden: bool,
}

/// Everything an organizer sets about an event. A draft may leave some of it out;
/// publishing needs all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub title: String,
    pub description: Option<String>,
    pub category: Category,
    pub venue: Option<Venue>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub timezone: Tz,
    pub sales_opens_at: Option<DateTime<Utc>>,
    pub sales_closes_at: Option<DateTime<Utc>>,
    /// ISO 4217, one per event.
    pub currency: String,
    /// How long before the start ticket holders are reminded; `None`: the default (24 h).
    pub reminder_lead_minutes: Option<u32>,
    /// The on-sale's waiting room, if the organizer turned it on.
    pub waiting_room: Option<WaitingRoom>,
    /// Whether holders may hand their tickets to someone else; `None`: allowed.
    pub ticket_transfers: Option<TicketTransfers>,
    /// How long seats offered from a tier's waiting list stay held; `None`: 30 minutes.
    pub waiting_list_offer_minutes: Option<u32>,
}

/// What an organizer allows holders to do with their tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketTransfers {
    /// To any account.
    Allowed,
    /// To any account, and every ticket names its holder: staff compare it with an
    /// ID at the gate (football clubs' named tickets).
    Named,
    /// Not at all.
    Off,
}

impl TicketTransfers {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Named => "named",
            Self::Off => "off",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Allowed, Self::Named, Self::Off].into_iter().find(|t| t.as_str() == text)
    }
}

/// A waiting room in front of an event's sale: buyers queue, and are let in at this pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingRoom {
    pub admit_per_minute: u32,
}

/// The most buyers a waiting room may let in per minute.
pub const ADMIT_PER_MINUTE_MAX: u32 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub organizer_id: String,
    pub status: Status,
    pub details: Details,
    pub tiers: Vec<Tier>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Optimistic concurrency: every change checks and bumps it.
    pub version: u64,
    /// The seat map in force, if the event has one.
    pub seat_map: Option<SeatMapRef>,
}

/// Which version of an event's seat map is in force, and its size. The map's rows
/// are stored under their version; this reference, on the event's own item, is
/// what makes a new version take effect all at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapRef {
    pub version: u32,
    pub seats: u32,
}

/// The most seats one order of a seated tier takes (a hold is one transaction of a
/// write per seat).
pub const MAX_SEATS_PER_ORDER: u32 = 10;

impl Event {
    /// The status a reader sees: a published event that has ended is completed.
    pub fn effective_status(&self, now: DateTime<Utc>) -> Status {
        match (self.status, self.details.ends_at) {
            (Status::Published, Some(end)) if end <= now => Status::Completed,
            (status, _) => status,
        }
    }

    pub fn has_ended(&self, now: DateTime<Utc>) -> bool {
        self.details.ends_at.is_some_and(|end| end <= now)
    }

    pub fn anything_taken(&self) -> bool {
        self.tiers.iter().any(|t| t.taken() > 0)
    }

    /// From when its holders are reminded: published events with a start only.
    pub fn reminders_due_at(&self) -> Option<DateTime<Utc>> {
        let start = self.details.starts_at.filter(|_| self.status == Status::Published)?;
        Some(super::reminder::due_at(start, super::reminder::lead(self.details.reminder_lead_minutes)))
    }
}

fn bounded(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize, required: bool) {
    let chars = value.chars().count();
    if required && value.trim().is_empty() {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if chars > max {
        errors.push(FieldError::new(field, format!("must be at most {max} characters")));
    } else if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        errors.push(FieldError::new(field, "must not contain control characters"));
    }
}

/// ISO 4217 codes that are not money a ticket can be priced in: precious metals,
/// fund and settlement units, the testing code and "no currency".
const NOT_TENDER: &[&str] = &[
    "XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX", "BOV", "CHE", "CHW",
    "CLF", "COU", "MXV", "USN", "UYI", "UYW",
];

pub fn valid_currency(code: &str) -> bool {
    code.len() == 3
        && code.chars().all(|c| c.is_ascii_uppercase())
        && iso_currency::Currency::from_code(code).is_some()
        && !NOT_TENDER.contains(&code)
}

pub fn valid_country(code: &str) -> bool {
    code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) && celes::Country::from_alpha2(code).is_ok()
}

/// Rules every version of an event follows, draft or not. Field names are the API's.
pub fn validate_details(details: &Details) -> Vec<FieldError> {
    let mut errors = Vec::new();
    bounded(&mut errors, "title", &details.title, TITLE_MAX, true);
    if let Some(description) = &details.description {
        bounded(&mut errors, "description", description, DESCRIPTION_MAX, false);
    }
    if let Some(venue) = &details.venue {
        bounded(&mut errors, "venue.name", &venue.name, NAME_MAX, true);
        bounded(&mut errors, "venue.address", &venue.address, ADDRESS_MAX, true);
        bounded(&mut errors, "venue.city", &venue.city, CITY_MAX, true);
        if !valid_country(&venue.country) {
            errors.push(FieldError::new("venue.country", "must be an ISO 3166-1 alpha-2 code such as FR or GB"));
        }
    }
    if details.waiting_list_offer_minutes.is_some_and(|m| !(OFFER_MIN_MINUTES..=OFFER_MAX_MINUTES).contains(&m)) {
        errors.push(FieldError::new(
            "waitingListOfferMinutes",
            format!("must be from {OFFER_MIN_MINUTES} to {OFFER_MAX_MINUTES} (minutes an offer holds its seats)"),
        ));
    }
    if details.reminder_lead_minutes.is_some_and(|m| !super::reminder::valid_lead(m)) {
        errors.push(FieldError::new(
            "reminderLeadMinutes",
            format!(
                "must be between {} (1 hour) and {} (7 days)",
                super::reminder::LEAD_MIN_MINUTES,
                super::reminder::LEAD_MAX_MINUTES
            ),
        ));
    }
    if !valid_currency(&details.currency) {
        errors.push(FieldError::new("currency", "must be an ISO 4217 code such as EUR or USD"));
    }
    if let (Some(start), Some(end)) = (details.starts_at, details.ends_at) {
        if end <= start {
            errors.push(FieldError::new("endsAt", "must be after startsAt"));
        } else if end - start > chrono::Duration::days(MAX_DURATION_DAYS) {
            errors.push(FieldError::new("endsAt", format!("an event lasts at most {MAX_DURATION_DAYS} days")));
        }
    }
    if let (Some(opens), Some(closes)) = (details.sales_opens_at, details.sales_closes_at) {
        if closes <= opens {
            errors.push(FieldError::new("salesClosesAt", "must be after salesOpensAt"));
        }
    }
    if let (Some(closes), Some(end)) = (details.sales_closes_at, details.ends_at) {
        if closes > end {
            errors.push(FieldError::new("salesClosesAt", "sales must close before the event ends"));
        }
    }
    if let (Some(opens), Some(end)) = (details.sales_opens_at, details.ends_at) {
        if opens >= end {
            errors.push(FieldError::new("salesOpensAt", "sales must open before the event ends"));
        }
    }
    errors
}

pub fn validate_tiers(tiers: &[TierSpec]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if tiers.len() > MAX_TIERS {
        errors.push(FieldError::new("tiers", format!("an event has at most {MAX_TIERS} tiers")));
    }
    let mut names = std::collections::HashSet::new();
    for (i, tier) in tiers.iter().enumerate() {
        let field = |name: &str| format!("tiers[{i}].{name}");
        bounded(&mut errors, &field("name"), &tier.name, TIER_NAME_MAX, true);
        if !names.insert(tier.name.trim().to_lowercase()) {
            errors.push(FieldError::new(field("name"), "two tiers cannot share a name"));
        }
        if !(0..=MAX_PRICE_MINOR).contains(&tier.price_minor) {
            errors.push(FieldError::new(
                field("priceMinor"),
                format!("must be between 0 and {MAX_PRICE_MINOR} (minor units)"),
            ));
        }
        if !(1..=MAX_CAPACITY).contains(&tier.capacity) {
            errors.push(FieldError::new(field("capacity"), format!("must be between 1 and {MAX_CAPACITY}")));
        }
        if !(1..=MAX_PER_ORDER).contains(&tier.max_per_order) {
            errors.push(FieldError::new(field("maxPerOrder"), format!("must be between 1 and {MAX_PER_ORDER}")));
        } else if tier.max_per_order > tier.capacity {
            errors.push(FieldError::new(field("maxPerOrder"), "cannot exceed the tier's capacity"));
        }
        if let Some(k) = tier.shards {
            if !(1..=shards::MAX_SHARDS_PER_TIER).contains(&k) {
                errors.push(FieldError::new(
                    field("shards"),
                    format!("must be between 1 and {}", shards::MAX_SHARDS_PER_TIER),
                ));
            } else if k > tier.capacity {
                errors.push(FieldError::new(field("shards"), "cannot exceed the tier's capacity"));
            }
        }
    }
    errors
}

/// Why an event cannot be published (or, once published, stay as edited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishProblem {
    /// Only a draft can be published.
    NotDraft,
    /// The field (the API's name) must be set to publish.
    Missing(&'static str),
    /// The instant (the API's field name) must be in the future to publish.
    NotInFuture(&'static str),
    NoTiers,
}

impl PublishProblem {
    pub fn field_error(self) -> FieldError {
        match self {
            Self::NotDraft => FieldError::new("status", "only a draft can be published"),
            Self::Missing(field) => FieldError::new(field, "is required to publish"),
            Self::NotInFuture(field) => FieldError::new(field, "must be in the future to publish"),
            Self::NoTiers => FieldError::new("tiers", "at least one tier is required to publish"),
        }
    }
}

/// What publishing needs beyond the always-on rules.
pub fn publish_problems(event: &Event, now: DateTime<Utc>) -> Vec<PublishProblem> {
    use PublishProblem::*;
    let d = &event.details;
    let mut problems = Vec::new();
    if event.status != Status::Draft {
        problems.push(NotDraft);
    }
    if d.description.as_deref().is_none_or(|s| s.trim().is_empty()) {
        problems.push(Missing("description"));
    }
    if d.venue.is_none() {
        problems.push(Missing("venue"));
    }
    match d.starts_at {
        None => problems.push(Missing("startsAt")),
        Some(start) if start <= now => problems.push(NotInFuture("startsAt")),
        Some(_) => {}
    }
    if d.ends_at.is_none() {
        problems.push(Missing("endsAt"));
    }
    if d.sales_opens_at.is_none() {
        problems.push(Missing("salesOpensAt"));
    }
    match d.sales_closes_at {
        None => problems.push(Missing("salesClosesAt")),
        Some(closes) if closes <= now => problems.push(NotInFuture("salesClosesAt")),
        Some(_) => {}
    }
    if event.tiers.is_empty() {
        problems.push(NoTiers);
    }
    problems
}

/// [`publish_problems`] as the API reports them.
pub fn check_publishable(event: &Event, now: DateTime<Utc>) -> Vec<FieldError> {
    publish_problems(event, now).into_iter().map(PublishProblem::field_error).collect()
}

/// How an update changes the tiers: what to add, remove and change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TierPlan {
    pub added: Vec<Tier>,
    pub removed: Vec<Tier>,
    /// (tier as stored, tier as wanted).
    pub changed: Vec<(Tier, Tier)>,
}

/// Plans replacing `existing` tiers by `wanted`, refusing to drop capacity below
/// what is sold or held, or to remove a tier that has sales.
pub fn plan_tiers(existing: &[Tier], wanted: &[TierSpec]) -> Result<TierPlan, Vec<FieldError>> {
    let mut errors = validate_tiers(wanted);
    let mut plan = TierPlan::default();
    for (i, spec) in wanted.iter().enumerate() {
        match &spec.id {
            None => plan.added.push(Tier {
                id: uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(),
                name: spec.name.trim().to_owned(),
                price_minor: spec.price_minor,
                capacity: spec.capacity,
                max_per_order: spec.max_per_order,
                available: spec.capacity,
                shards: spec.shards.unwrap_or(0),
                seated: false,
                hidden: spec.hidden,
            }),
            Some(id) => match existing.iter().find(|t| &t.id == id) {
                None => errors.push(FieldError::new(format!("tiers[{i}].id"), "is not a tier of this event")),
                Some(old) => {
                    if spec.capacity < old.taken() {
                        errors.push(FieldError::new(
                            format!("tiers[{i}].capacity"),
                            format!("cannot go below the {} seats already sold or held", old.taken()),
                        ));
                    }
                    if spec.shards.is_some_and(|k| k < old.shards) {
                        errors.push(FieldError::new(
                            format!("tiers[{i}].shards"),
                            format!("can grow but not shrink (the tier has {})", old.shards),
                        ));
                    }
                    let new = Tier {
                        id: old.id.clone(),
                        name: spec.name.trim().to_owned(),
                        price_minor: spec.price_minor,
                        capacity: spec.capacity,
                        max_per_order: spec.max_per_order,
                        available: (spec.capacity.saturating_sub(old.taken())),
                        shards: spec.shards.unwrap_or(old.shards).max(old.shards),
                        seated: old.seated,
                        hidden: spec.hidden,
                    };
                    if old.seated && spec.capacity != old.capacity {
                        errors.push(FieldError::new(
                            format!("tiers[{i}].capacity"),
                            format!("is the tier's seats on the seat map ({}); change the map instead", old.capacity),
                        ));
                    }
                    if old.seated && spec.max_per_order > MAX_SEATS_PER_ORDER {
                        errors.push(FieldError::new(
                            format!("tiers[{i}].maxPerOrder"),
                            format!("a seated tier sells at most {MAX_SEATS_PER_ORDER} seats per order"),
                        ));
                    }
                    if new != *old {
                        plan.changed.push((old.clone(), new));
                    }
                }
            },
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, spec) in wanted.iter().enumerate() {
        if let Some(id) = &spec.id {
            if !seen.insert(id) {
                errors.push(FieldError::new(format!("tiers[{i}].id"), "names the same tier twice"));
            }
        }
    }
    for old in existing {
        if !wanted.iter().any(|w| w.id.as_deref() == Some(old.id.as_str())) {
            if old.taken() > 0 {
                errors.push(FieldError::new(
                    "tiers",
                    format!("tier {:?} has seats sold or held and cannot be removed", old.name),
                ));
            } else if old.seated {
                errors.push(FieldError::new(
                    "tiers",
                    format!("tier {:?} prices sections of the seat map; change the map first", old.name),
                ));
            }
            plan.removed.push(old.clone());
        }
    }
    assign_default_shards(&mut plan, existing, wanted, &mut errors);
    if errors.is_empty() { Ok(plan) } else { Err(errors) }
}

/// New tiers without a shard count get the default for their capacity, within
/// what the event's budget leaves; the event's total is checked.
fn assign_default_shards(plan: &mut TierPlan, existing: &[Tier], wanted: &[TierSpec], errors: &mut Vec<FieldError>) {
    let kept: u32 = existing
        .iter()
        .filter(|old| !plan.removed.iter().any(|r| r.id == old.id))
        .map(|old| plan.changed.iter().find(|(o, _)| o.id == old.id).map_or(old.shards, |(_, new)| new.shards))
        .sum();
    let explicit: u32 = plan.added.iter().map(|t| t.shards).sum();
    let defaulted = plan.added.iter().filter(|t| t.shards == 0).count() as u32;
    if defaulted > 0 {
        let budget = shards::MAX_SHARDS_PER_EVENT.saturating_sub(kept + explicit);
        let share = (budget / defaulted).max(1);
        for tier in plan.added.iter_mut().filter(|t| t.shards == 0) {
            tier.shards = shards::default_shards(tier.capacity).min(share).min(tier.capacity).max(1);
        }
    }
    let total = kept + plan.added.iter().map(|t| t.shards).sum::<u32>();
    if total > shards::MAX_SHARDS_PER_EVENT && !wanted.is_empty() {
        errors.push(FieldError::new(
            "tiers",
            format!("an event has at most {} shards over all its tiers ({total} asked)", shards::MAX_SHARDS_PER_EVENT),
        ));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    pub(crate) fn details() -> Details {
        Details {
            title: "Cup final".into(),
            description: Some("The final.".into()),
            category: Category::Match,
            venue: Some(Venue {
                name: "Stade".into(),
                address: "1 rue du Stade".into(),
                city: "Paris".into(),
                country: "FR".into(),
            }),
            starts_at: Some(at("2030-05-01T19:00:00Z")),
            ends_at: Some(at("2030-05-01T21:00:00Z")),
            timezone: chrono_tz::Europe::Paris,
            sales_opens_at: Some(at("2030-01-01T00:00:00Z")),
            sales_closes_at: Some(at("2030-05-01T18:00:00Z")),
            currency: "EUR".into(),
            reminder_lead_minutes: None,
            waiting_room: None,
            ticket_transfers: None,
            waiting_list_offer_minutes: None,
        }
    }

    pub(crate) fn tier(id: &str, capacity: u32, available: u32) -> Tier {
        Tier {
            id: id.into(),
            name: id.into(),
            price_minor: 1000,
            capacity,
            max_per_order: 4,
            available,
            shards: 1,
            seated: false,
            hidden: false,
        }
    }

    pub(crate) fn spec(id: Option<&str>, name: &str, capacity: u32) -> TierSpec {
        TierSpec {
            id: id.map(str::to_owned),
            name: name.into(),
            price_minor: 1000,
            capacity,
            max_per_order: 4,
            shards: None,
            hidden: false,
        }
    }

    pub(crate) fn event(tiers: Vec<Tier>) -> Event {
        Event {
            id: "e1".into(),
            organizer_id: "o1".into(),
            status: Status::Draft,
            details: details(),
            tiers,
            created_at: at("2029-01-01T00:00:00Z"),
            updated_at: at("2029-01-01T00:00:00Z"),
            published_at: None,
            version: 1,
            seat_map: None,
        }
    }

    #[test]
    fn a_complete_event_is_valid() {
        assert!(validate_details(&details()).is_empty());
        assert!(check_publishable(&event(vec![tier("std", 100, 100)]), at("2029-01-01T00:00:00Z")).is_empty());
    }

    #[test]
    fn every_rule_names_its_field() {
        let mut d = details();
        d.title = " ".into();
        d.ends_at = Some(at("2030-05-01T18:00:00Z"));
        d.currency = "EUX".into();
        d.venue.as_mut().unwrap().country = "XX".into();
        d.sales_closes_at = Some(at("2030-06-01T00:00:00Z"));
        let fields: Vec<String> = validate_details(&d).into_iter().map(|e| e.field).collect();
        for expected in ["title", "endsAt", "currency", "venue.country", "salesClosesAt"] {
            assert!(fields.contains(&expected.to_owned()), "{expected} missing from {fields:?}");
        }
    }

    #[test]
    fn currencies_and_countries_are_real_codes() {
        assert!(valid_currency("EUR") && valid_currency("JPY") && valid_currency("GBP"));
        assert!(!valid_currency("eur") && !valid_currency("ABC") && !valid_currency("EURO"));
        for not_money in ["XXX", "XAU", "XAG", "XTS", "XDR"] {
            assert!(!valid_currency(not_money), "{not_money}");
        }
        assert!(valid_country("GB") && valid_country("JP"));
        assert!(!valid_country("UK") && !valid_country("fr") && !valid_country("FRA"));
    }

    #[test]
    fn tiers_are_bounded() {
        let mut tiers: Vec<TierSpec> = (0..21).map(|i| spec(None, &format!("t{i}"), 10)).collect();
        assert!(validate_tiers(&tiers).iter().any(|e| e.field == "tiers"));
        tiers.truncate(2);
        tiers[1].name = "T0".into();
        tiers[0].price_minor = -1;
        tiers[0].max_per_order = 11;
        let fields: Vec<String> = validate_tiers(&tiers).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["tiers[0].priceMinor", "tiers[0].maxPerOrder", "tiers[1].name"]);
    }

    #[test]
    fn publishing_needs_completeness_and_a_future_start() {
        let mut e = event(vec![]);
        e.details.venue = None;
        e.details.description = None;
        let fields: Vec<String> =
            check_publishable(&e, at("2031-01-01T00:00:00Z")).into_iter().map(|e| e.field).collect();
        for expected in ["description", "venue", "startsAt", "tiers", "salesClosesAt"] {
            assert!(fields.contains(&expected.to_owned()), "{expected} missing from {fields:?}");
        }
        e.status = Status::Published;
        assert!(check_publishable(&e, at("2029-01-01T00:00:00Z")).iter().any(|e| e.field == "status"));
    }

    #[test]
    fn capacity_never_drops_below_what_is_taken() {
        let existing = vec![tier("std", 100, 60)];
        let err = plan_tiers(&existing, &[spec(Some("std"), "std", 39)]).unwrap_err();
        assert_eq!(err[0].field, "tiers[0].capacity");
        let plan = plan_tiers(&existing, &[spec(Some("std"), "std", 40)]).unwrap();
        assert_eq!(plan.changed[0].1.available, 0);
        let plan = plan_tiers(&existing, &[spec(Some("std"), "std", 150)]).unwrap();
        assert_eq!(plan.changed[0].1.available, 110);
    }

    #[test]
    fn tiers_with_sales_cannot_be_removed_but_empty_ones_can() {
        let existing = vec![tier("std", 100, 90), tier("vip", 10, 10)];
        assert!(plan_tiers(&existing, &[spec(Some("vip"), "vip", 10)]).is_err());
        let plan = plan_tiers(&existing, &[spec(Some("std"), "std", 100), spec(None, "Balcony", 20)]).unwrap();
        assert_eq!(plan.removed.len(), 1);
        assert_eq!(plan.removed[0].id, "vip");
        assert_eq!(plan.added[0].available, 20);
        assert!(plan.changed.is_empty(), "an unchanged tier is not rewritten");
        assert!(plan_tiers(&existing, &[spec(Some("nope"), "x", 1)]).is_err());
    }

    #[test]
    fn shards_default_from_capacity_can_grow_and_stay_within_the_events_budget() {
        let plan = plan_tiers(&[], &[spec(None, "Stands", 100_000), spec(None, "Box", 10)]).unwrap();
        assert_eq!(plan.added[0].shards, 16);
        assert_eq!(plan.added[1].shards, 1);
        let mut wanted = spec(None, "Stands", 100_000);
        wanted.shards = Some(64);
        let plan = plan_tiers(&[], &[wanted.clone(), spec(None, "Box", 10)]);
        assert_eq!(plan.unwrap_err()[0].field, "tiers", "65 shards are over the budget");
        let existing = vec![Tier { shards: 8, ..tier("std", 100, 100) }];
        let mut grow = spec(Some("std"), "std", 100);
        grow.shards = Some(12);
        assert_eq!(plan_tiers(&existing, &[grow.clone()]).unwrap().changed[0].1.shards, 12);
        grow.shards = Some(4);
        assert_eq!(plan_tiers(&existing, &[grow]).unwrap_err()[0].field, "tiers[0].shards");
        let mut tiny = spec(None, "Tiny", 2);
        tiny.max_per_order = 1;
        tiny.shards = Some(3);
        assert_eq!(validate_tiers(&[tiny])[0].field, "tiers[0].shards");
    }

    #[test]
    fn ended_published_events_show_as_completed() {
        let mut e = event(vec![]);
        e.status = Status::Published;
        assert_eq!(e.effective_status(at("2030-05-01T20:00:00Z")), Status::Published);
        assert_eq!(e.effective_status(at("2030-05-02T00:00:00Z")), Status::Completed);
        assert!(e.has_ended(Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap()));
    }
}
