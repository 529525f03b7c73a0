//! Reading an organizer's JSON into event details, naming every bad field.
//! The same reader serves create (all required fields present) and update
//! (present fields replace, `null` clears an optional one, `tiers` replaces the list).

use super::event::{ADMIT_PER_MINUTE_MAX, Category, Details, TicketTransfers, TierSpec, Venue, WaitingRoom};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};
use shared::FieldError;

/// A present key with its value; `Some(None)` is an explicit `null`.
type Patch<T> = Option<Option<T>>;

#[derive(Debug, Default)]
pub struct EventInput {
    pub title: Option<String>,
    pub description: Patch<String>,
    pub category: Option<Category>,
    pub venue: Patch<Venue>,
    pub starts_at: Patch<DateTime<Utc>>,
    pub ends_at: Patch<DateTime<Utc>>,
    pub timezone: Option<Tz>,
    pub sales_opens_at: Patch<DateTime<Utc>>,
    pub sales_closes_at: Patch<DateTime<Utc>>,
    pub currency: Option<String>,
    pub tiers: Option<Vec<TierSpec>>,
    pub reminder_lead_minutes: Patch<u32>,
    pub waiting_room: Patch<WaitingRoom>,
    pub ticket_transfers: Patch<TicketTransfers>,
    pub waiting_list_offer_minutes: Patch<u32>,
}

const FIELDS: &[&str] = &[
    "title",
    "description",
    "category",
    "venue",
    "startsAt",
    "endsAt",
    "timezone",
    "salesOpensAt",
    "salesClosesAt",
    "currency",
    "tiers",
    "reminderLeadMinutes",
    "waitingRoom",
    "ticketTransfers",
    "waitingListOfferMinutes",
];

struct Reader {
    errors: Vec<FieldError>,
}

impl Reader {
    fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    fn string(&mut self, field: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.trim().to_owned()),
            _ => {
                self.error(field, "must be a string");
                None
            }
        }
    }

    fn instant(&mut self, field: &str, value: &Value) -> Option<DateTime<Utc>> {
        let text = self.string(field, value)?;
        match DateTime::parse_from_rfc3339(&text) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                self.error(field, "must be an RFC 3339 instant with an offset, e.g. 2030-05-01T19:00:00Z");
                None
            }
        }
    }

    fn whole(&mut self, field: &str, value: &Value, max: i64) -> Option<i64> {
        match value.as_i64() {
            Some(n) if (0..=max).contains(&n) => Some(n),
            Some(_) => {
                self.error(field, format!("must be between 0 and {max}"));
                None
            }
            None => {
                self.error(field, "must be a whole number");
                None
            }
        }
    }

    /// Present-and-null → `Some(None)`; present → `Some(Some(_))` when valid.
    fn patch<T>(
        &mut self,
        map: &Map<String, Value>,
        field: &str,
        read: impl FnOnce(&mut Self, &Value) -> Option<T>,
    ) -> Patch<T> {
        match map.get(field) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(value) => read(self, value).map(Some),
        }
    }

    /// `Some(None)`: a room explicitly off; `None`: invalid.
    fn waiting_room(&mut self, value: &Value) -> Option<Option<WaitingRoom>> {
        let Some(map) = value.as_object() else {
            self.error("waitingRoom", "must be an object with enabled and admitPerMinute");
            return None;
        };
        for key in map.keys().filter(|k| !["enabled", "admitPerMinute"].contains(&k.as_str())) {
            self.error(&format!("waitingRoom.{key}"), "is not a known field");
        }
        let Some(enabled) = map.get("enabled").and_then(Value::as_bool) else {
            self.error("waitingRoom.enabled", "must be true or false");
            return None;
        };
        if !enabled {
            return Some(None);
        }
        match map.get("admitPerMinute").and_then(Value::as_i64) {
            Some(n) if (1..=i64::from(ADMIT_PER_MINUTE_MAX)).contains(&n) => {
                Some(Some(WaitingRoom { admit_per_minute: n as u32 }))
            }
            _ => {
                self.error(
                    "waitingRoom.admitPerMinute",
                    format!("must be a whole number from 1 to {ADMIT_PER_MINUTE_MAX}"),
                );
                None
            }
        }
    }

    fn venue(&mut self, value: &Value) -> Option<Venue> {
        let Some(map) = value.as_object() else {
            self.error("venue", "must be an object with name, address, city and country");
            return None;
        };
        let mut part = |key: &str| match map.get(key) {
            Some(v) => self.string(&format!("venue.{key}"), v),
            None => {
                self.error(&format!("venue.{key}"), "is required");
                None
            }
        };
        let (name, address, city, country) = (part("name"), part("address"), part("city"), part("country"));
        for key in map.keys().filter(|k| !["name", "address", "city", "country"].contains(&k.as_str())) {
            self.error(&format!("venue.{key}"), "is not a known field");
        }
        Some(Venue { name: name?, address: address?, city: city?, country: ascii_upper(country?) })
    }

    fn tiers(&mut self, value: &Value) -> Option<Vec<TierSpec>> {
        let Some(items) = value.as_array() else {
            self.error("tiers", "must be a list");
            return None;
        };
        let before = self.errors.len();
        let mut tiers = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = |name: &str| format!("tiers[{i}].{name}");
            let Some(map) = item.as_object() else {
                self.error(&format!("tiers[{i}]"), "must be an object");
                continue;
            };
            let get = |key: &str| map.get(key).filter(|v| !v.is_null());
            let id = get("id").cloned();
            let name = get("name").cloned();
            let price = get("priceMinor").cloned();
            let capacity = get("capacity").cloned();
            let per_order = get("maxPerOrder").cloned();
            let shards = get("shards").cloned();
            let hidden = match get("hidden") {
                None => Some(false),
                Some(Value::Bool(b)) => Some(*b),
                Some(_) => {
                    self.error(&field("hidden"), "must be true or false");
                    None
                }
            };
            let id = id.and_then(|v| self.string(&field("id"), &v));
            let name = match name {
                Some(v) => self.string(&field("name"), &v),
                None => {
                    self.error(&field("name"), "is required");
                    None
                }
            };
            let mut number = |key: &str, value: Option<Value>, max: i64| match value {
                Some(v) => self.whole(&field(key), &v, max),
                None => {
                    self.error(&field(key), "is required");
                    None
                }
            };
            let price = number("priceMinor", price, i64::MAX);
            let capacity = number("capacity", capacity, u32::MAX as i64);
            let per_order = number("maxPerOrder", per_order, u32::MAX as i64);
            let shards = shards.and_then(|v| self.whole(&field("shards"), &v, u32::MAX as i64)).map(|k| k as u32);
            for key in map.keys().filter(|k| {
                !["id", "name", "priceMinor", "capacity", "maxPerOrder", "shards", "hidden"].contains(&k.as_str())
            }) {
                self.error(&field(key), "is not a known field");
            }
            if let (Some(name), Some(price), Some(capacity), Some(per_order), Some(hidden)) =
                (name, price, capacity, per_order, hidden)
            {
                tiers.push(TierSpec {
                    id,
                    name,
                    price_minor: price,
                    capacity: capacity as u32,
                    max_per_order: per_order as u32,
                    shards,
                    hidden,
                });
            }
        }
        (self.errors.len() == before).then_some(tiers)
    }
}

pub fn parse(map: &Map<String, Value>) -> Result<EventInput, Vec<FieldError>> {
    let mut r = Reader { errors: Vec::new() };
    let mut input = EventInput::default();
    for key in map.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
        r.error(key, "is not a known field");
    }
    let required = |r: &mut Reader, field: &str| -> Option<Value> {
        match map.get(field) {
            Some(Value::Null) => {
                r.error(field, "cannot be null");
                None
            }
            other => other.cloned(),
        }
    };
    input.title = required(&mut r, "title").and_then(|v| r.string("title", &v));
    input.category = required(&mut r, "category").and_then(|v| {
        let text = r.string("category", &v)?;
        let category = Category::parse(&text);
        if category.is_none() {
            r.error("category", "must be match, concert or conference");
        }
        category
    });
    input.timezone = required(&mut r, "timezone").and_then(|v| {
        let text = r.string("timezone", &v)?;
        let tz = text.parse::<Tz>().ok();
        if tz.is_none() {
            r.error("timezone", "must be an IANA time zone such as Europe/Paris");
        }
        tz
    });
    input.currency = required(&mut r, "currency").and_then(|v| r.string("currency", &v)).map(ascii_upper);
    input.tiers = required(&mut r, "tiers").and_then(|v| r.tiers(&v));
    input.description = r.patch(map, "description", |r, v| r.string("description", v));
    input.venue = r.patch(map, "venue", |r, v| r.venue(v));
    input.starts_at = r.patch(map, "startsAt", |r, v| r.instant("startsAt", v));
    input.ends_at = r.patch(map, "endsAt", |r, v| r.instant("endsAt", v));
    input.sales_opens_at = r.patch(map, "salesOpensAt", |r, v| r.instant("salesOpensAt", v));
    input.sales_closes_at = r.patch(map, "salesClosesAt", |r, v| r.instant("salesClosesAt", v));
    // The range (1 hour to 7 days) is a rule of the details: `validate_details`.
    input.reminder_lead_minutes = r
        .patch(map, "reminderLeadMinutes", |r, v| r.whole("reminderLeadMinutes", v, u32::MAX as i64).map(|n| n as u32));
    // `{"enabled": false}` and `null` both turn the room off.
    input.waiting_room = r.patch(map, "waitingRoom", |r, v| r.waiting_room(v)).map(Option::flatten);
    input.ticket_transfers = r.patch(map, "ticketTransfers", |r, v| {
        let parsed = v.as_str().and_then(TicketTransfers::parse);
        if parsed.is_none() {
            r.error("ticketTransfers", "must be \"allowed\", \"named\" or \"off\"");
        }
        parsed
    });
    // The range is a rule of the details: `validate_details`.
    input.waiting_list_offer_minutes = r.patch(map, "waitingListOfferMinutes", |r, v| {
        r.whole("waitingListOfferMinutes", v, u32::MAX as i64).map(|n| n as u32)
    });
    if r.errors.is_empty() { Ok(input) } else { Err(r.errors) }
}

fn missing(field: &str) -> FieldError {
    FieldError::new(field, "is required")
}

impl EventInput {
    /// The details of a new event: title, category, timezone and currency are required.
    pub fn into_new(self) -> Result<(Details, Vec<TierSpec>), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.title.is_none() {
            errors.push(missing("title"));
        }
        if self.category.is_none() {
            errors.push(missing("category"));
        }
        if self.timezone.is_none() {
            errors.push(missing("timezone"));
        }
        if self.currency.is_none() {
            errors.push(missing("currency"));
        }
        let (Some(title), Some(category), Some(timezone), Some(currency)) =
            (self.title, self.category, self.timezone, self.currency)
        else {
            return Err(errors);
        };
        let details = Details {
            title,
            description: self.description.flatten(),
            category,
            venue: self.venue.flatten(),
            starts_at: self.starts_at.flatten(),
            ends_at: self.ends_at.flatten(),
            timezone,
            sales_opens_at: self.sales_opens_at.flatten(),
            sales_closes_at: self.sales_closes_at.flatten(),
            currency,
            reminder_lead_minutes: self.reminder_lead_minutes.flatten(),
            waiting_room: self.waiting_room.flatten(),
            ticket_transfers: self.ticket_transfers.flatten(),
            waiting_list_offer_minutes: self.waiting_list_offer_minutes.flatten(),
        };
        Ok((details, self.tiers.unwrap_or_default()))
    }

    /// `current` with the present fields replaced.
    pub fn apply(&self, current: &Details) -> Details {
        fn pick<T: Clone>(patch: &Patch<T>, current: &Option<T>) -> Option<T> {
            match patch {
                Some(value) => value.clone(),
                None => current.clone(),
            }
        }
        Details {
            title: self.title.clone().unwrap_or_else(|| current.title.clone()),
            description: pick(&self.description, &current.description),
            category: self.category.unwrap_or(current.category),
            venue: pick(&self.venue, &current.venue),
            starts_at: pick(&self.starts_at, &current.starts_at),
            ends_at: pick(&self.ends_at, &current.ends_at),
            timezone: self.timezone.unwrap_or(current.timezone),
            sales_opens_at: pick(&self.sales_opens_at, &current.sales_opens_at),
            sales_closes_at: pick(&self.sales_closes_at, &current.sales_closes_at),
            currency: self.currency.clone().unwrap_or_else(|| current.currency.clone()),
            reminder_lead_minutes: pick(&self.reminder_lead_minutes, &current.reminder_lead_minutes),
            waiting_room: pick(&self.waiting_room, &current.waiting_room),
            ticket_transfers: pick(&self.ticket_transfers, &current.ticket_transfers),
            waiting_list_offer_minutes: pick(&self.waiting_list_offer_minutes, &current.waiting_list_offer_minutes),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.category.is_none()
            && self.venue.is_none()
            && self.starts_at.is_none()
            && self.ends_at.is_none()
            && self.timezone.is_none()
            && self.sales_opens_at.is_none()
            && self.sales_closes_at.is_none()
            && self.currency.is_none()
            && self.tiers.is_none()
            && self.reminder_lead_minutes.is_none()
            && self.waiting_room.is_none()
            && self.ticket_transfers.is_none()
            && self.waiting_list_offer_minutes.is_none()
    }
}

/// Codes are ASCII: Unicode upper-casing would turn `ıNR` into `INR` and `ß` into
/// `SS`, making valid codes of text that is not one. Only ASCII letters change.
fn ascii_upper(code: String) -> String {
    code.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_full_event_parses() {
        let input = parse(&obj(json!({
            "title": " Cup final ", "category": "match", "timezone": "Europe/Paris", "currency": "eur",
            "startsAt": "2030-05-01T21:00:00+02:00", "endsAt": "2030-05-01T23:00:00+02:00",
            "venue": {"name": "Stade", "address": "1 rue", "city": "Paris", "country": "fr"},
            "tiers": [{"name": "Standard", "priceMinor": 2500, "capacity": 100, "maxPerOrder": 4}]
        })))
        .unwrap();
        let (details, tiers) = input.into_new().unwrap();
        assert_eq!(details.title, "Cup final");
        assert_eq!(details.currency, "EUR");
        assert_eq!(details.venue.unwrap().country, "FR");
        assert_eq!(details.starts_at.unwrap().to_rfc3339(), "2030-05-01T19:00:00+00:00");
        assert_eq!(tiers[0].capacity, 100);
    }

    #[test]
    fn wrong_types_and_unknown_fields_are_named() {
        let errors = parse(&obj(json!({
            "title": 3, "category": "opera", "timezone": "Mars/Olympus", "startsAt": "tomorrow",
            "tiers": [{"name": "A", "priceMinor": -5, "capacity": "many"}], "colour": "red",
            "venue": {"name": "x"}
        })))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "colour",
            "title",
            "category",
            "timezone",
            "startsAt",
            "tiers[0].priceMinor",
            "tiers[0].capacity",
            "tiers[0].maxPerOrder",
            "venue.address",
        ] {
            assert!(fields.contains(&expected), "{expected} missing from {fields:?}");
        }
    }

    #[test]
    fn create_needs_the_core_fields() {
        let errors = parse(&obj(json!({"description": "x"}))).unwrap().into_new().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "category", "timezone", "currency"]);
    }

    #[test]
    fn the_reminder_lead_is_optional_patchable_and_bounded() {
        let base = parse(&obj(json!({"title": "A", "category": "concert", "timezone": "UTC", "currency": "GBP",
            "reminderLeadMinutes": 120})))
        .unwrap()
        .into_new()
        .unwrap()
        .0;
        assert_eq!(base.reminder_lead_minutes, Some(120));
        let reset = parse(&obj(json!({"reminderLeadMinutes": null}))).unwrap();
        assert!(!reset.is_empty());
        assert_eq!(reset.apply(&base).reminder_lead_minutes, None, "null goes back to the default");
        assert_eq!(parse(&obj(json!({"reminderLeadMinutes": "soon"}))).unwrap_err()[0].field, "reminderLeadMinutes");
        let too_long = parse(&obj(json!({"reminderLeadMinutes": 10_081}))).unwrap().apply(&base);
        let errors = crate::domain::event::validate_details(&too_long);
        assert_eq!(errors[0].field, "reminderLeadMinutes");
        assert!(errors[0].message.contains("7 days"), "{}", errors[0].message);
    }

    #[test]
    fn patches_replace_present_fields_and_null_clears() {
        let base = parse(&obj(
            json!({"title": "A", "category": "concert", "timezone": "UTC", "currency": "GBP", "description": "d"}),
        ))
        .unwrap()
        .into_new()
        .unwrap()
        .0;
        let patch = parse(&obj(json!({"title": "B", "description": null}))).unwrap();
        let updated = patch.apply(&base);
        assert_eq!(updated.title, "B");
        assert_eq!(updated.description, None);
        assert_eq!(updated.currency, "GBP");
        assert!(parse(&obj(json!({"title": null}))).is_err(), "required fields cannot be cleared");
        assert!(parse(&obj(json!({}))).unwrap().is_empty());
    }
}
