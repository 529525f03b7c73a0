//! Promo, presale and access codes: what an organizer creates for an event, and
//! what a code does to an order.
//!
//! A code discounts each ticket of an order (a percentage, or an amount off each
//! ticket, never below zero) and may be limited to tiers, a window and a number of
//! uses. A use is a ticket: a code for 100 presale tickets discounts 100 tickets
//! in all, however they are grouped in orders. Uses are counted in the hold's own
//! transaction, so the limit holds under any concurrency, and a hold that ends
//! without a sale gives its uses back. A code naming a hidden tier is an access
//! code: it unlocks that tier (a presale for members), with or without a discount.
//! Codes are matched without regard to case.

use chrono::{DateTime, Utc};
use shared::body::Fields;

/// Codes are short words people type: `FANCLUB-2027`.
const CODE_LEN: std::ops::RangeInclusive<usize> = 3..=40;
/// Tiers one code may name.
const TIERS_MAX: usize = 50;
/// Uses one code may have (tickets).
const USES_MAX: u32 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// An access code only: it unlocks hidden tiers at their price.
    None,
    /// Percent off each ticket, 1 to 100.
    PercentOff(u8),
    /// Minor units off each ticket (a ticket never costs less than nothing).
    AmountOffMinor(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoCode {
    pub event_id: String,
    /// As the organizer wrote it; matched by [`key`].
    pub code: String,
    pub discount: Discount,
    /// Tickets it may discount in all; `None`: no limit.
    pub max_uses: Option<u32>,
    /// Tickets held or sold with it now (holds that ended unsold gave theirs back).
    pub uses: u32,
    /// The tiers it applies to (and unlocks, when hidden); empty: every visible tier.
    pub tier_ids: Vec<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// How codes are matched: trimmed, upper case.
pub fn key(code: &str) -> String {
    code.trim().to_uppercase()
}

/// What a code did to an order, fixed at hold time and shown in the reservation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedPromo {
    pub code: String,
    /// Price × quantity before the code.
    pub original_minor: i64,
    pub discount_minor: i64,
    /// Uses taken in the hold's transaction (the quantity), given back if the
    /// hold ends unsold; 0 when the code has no limit (nothing to count).
    pub counted: u32,
}

/// Why a code does not apply to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoRefusal {
    Unknown,
    NotYetValid,
    Expired,
    /// Valid, but not for the tier ordered.
    NotForTier,
    /// Fewer uses left than tickets ordered.
    UsedUp {
        left: u32,
    },
}

/// The code applied to `quantity` tickets of `tier_id` at `unit_price_minor`, at `now`.
pub fn apply(
    promo: &PromoCode,
    tier_id: &str,
    unit_price_minor: i64,
    quantity: u32,
    now: DateTime<Utc>,
) -> Result<AppliedPromo, PromoRefusal> {
    if promo.valid_from.is_some_and(|from| now < from) {
        return Err(PromoRefusal::NotYetValid);
    }
    if promo.valid_until.is_some_and(|until| now >= until) {
        return Err(PromoRefusal::Expired);
    }
    if !promo.tier_ids.is_empty() && !promo.tier_ids.iter().any(|t| t == tier_id) {
        return Err(PromoRefusal::NotForTier);
    }
    if let Some(max) = promo.max_uses {
        let left = max.saturating_sub(promo.uses);
        if quantity > left {
            return Err(PromoRefusal::UsedUp { left });
        }
    }
    let original_minor = unit_price_minor * i64::from(quantity);
    let off_each = match promo.discount {
        Discount::None => 0,
        // Rounded down: the buyer never pays less than the organizer announced.
        Discount::PercentOff(percent) => unit_price_minor * i64::from(percent) / 100,
        Discount::AmountOffMinor(amount) => amount.min(unit_price_minor),
    };
    Ok(AppliedPromo {
        code: promo.code.clone(),
        original_minor,
        discount_minor: off_each * i64::from(quantity),
        counted: if promo.max_uses.is_some() { quantity } else { 0 },
    })
}

/// Whether the code opens `tier_id` when that tier is hidden: it names it.
pub fn unlocks(promo: &PromoCode, tier_id: &str) -> bool {
    promo.tier_ids.iter().any(|t| t == tier_id)
}

/// A new code as the organizer sends it (`POST /events/{id}/promo-codes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPromo {
    pub code: String,
    pub discount: Discount,
    pub max_uses: Option<u32>,
    pub tier_ids: Vec<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

impl NewPromo {
    pub fn into_code(self, event_id: &str, now: DateTime<Utc>) -> PromoCode {
        PromoCode {
            event_id: event_id.to_owned(),
            code: self.code,
            discount: self.discount,
            max_uses: self.max_uses,
            uses: 0,
            tier_ids: self.tier_ids,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            created_at: now,
        }
    }
}

/// Reads `{code, percentOff | amountOffMinor, maxUses?, tierIds?, validFrom?,
/// validUntil?}`, naming every problem; `tiers` are the event's tier ids.
pub fn read_new(mut fields: Fields, tiers: &[String]) -> Result<NewPromo, shared::ApiError> {
    let code = fields.required_str("code").map(|c| c.trim().to_owned()).filter(|code| {
        let ok = CODE_LEN.contains(&code.chars().count())
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            fields.error("code", "must be 3 to 40 letters, digits, '-' or '_'");
        }
        ok
    });
    let percent = fields.optional_value("percentOff");
    let amount = fields.optional_value("amountOffMinor");
    let discount = match (percent, amount) {
        (Some(_), Some(_)) => {
            fields.error("amountOffMinor", "is not sent with percentOff (a code has one kind of discount)");
            None
        }
        (Some(p), None) => match p.as_u64().filter(|p| (1..=100).contains(p)) {
            Some(p) => Some(Discount::PercentOff(p as u8)),
            None => {
                fields.error("percentOff", "must be a whole number from 1 to 100");
                None
            }
        },
        (None, Some(a)) => match a.as_i64().filter(|a| *a >= 1) {
            Some(a) => Some(Discount::AmountOffMinor(a)),
            None => {
                fields.error("amountOffMinor", "must be a whole number of minor units, at least 1");
                None
            }
        },
        (None, None) => Some(Discount::None),
    };
    let max_uses = fields.optional_value("maxUses").and_then(|v| {
        let uses = v.as_u64().filter(|n| (1..=u64::from(USES_MAX)).contains(n)).map(|n| n as u32);
        if uses.is_none() {
            fields.error("maxUses", format!("must be a whole number from 1 to {USES_MAX} (tickets)"));
        }
        uses
    });
    let tier_ids = match fields.optional_value("tierIds") {
        None => Some(Vec::new()),
        Some(value) => tier_ids(&mut fields, &value, tiers),
    };
    let valid_from = instant(&mut fields, "validFrom");
    let valid_until = instant(&mut fields, "validUntil");
    if let (Some(Some(from)), Some(Some(until))) = (&valid_from, &valid_until) {
        if from >= until {
            fields.error("validUntil", "must be after validFrom");
        }
    }
    if discount == Some(Discount::None) && tier_ids.as_ref().is_some_and(Vec::is_empty) {
        fields.error(
            "percentOff",
            "a code needs a discount (percentOff or amountOffMinor), or tierIds naming the hidden tiers it unlocks",
        );
    }
    fields.finish_with(|| {
        Some(NewPromo {
            code: code?,
            discount: discount?,
            max_uses,
            tier_ids: tier_ids?,
            valid_from: valid_from?,
            valid_until: valid_until?,
        })
    })
}

fn tier_ids(fields: &mut Fields, value: &serde_json::Value, tiers: &[String]) -> Option<Vec<String>> {
    let Some(list) = value.as_array().filter(|l| (1..=TIERS_MAX).contains(&l.len())) else {
        fields.error("tierIds", format!("must be a list of 1 to {TIERS_MAX} tier ids of this event"));
        return None;
    };
    let mut ids: Vec<String> = Vec::new();
    let mut ok = true;
    for (i, item) in list.iter().enumerate() {
        match item.as_str() {
            Some(id) if tiers.iter().any(|t| t == id) => {
                if !ids.iter().any(|known| known == id) {
                    ids.push(id.to_owned());
                }
            }
            _ => {
                fields.error(&format!("tierIds[{i}]"), "is not a tier of this event");
                ok = false;
            }
        }
    }
    ok.then_some(ids)
}

/// An optional RFC 3339 instant: `Some(None)` when absent, `None` when invalid.
fn instant(fields: &mut Fields, name: &str) -> Option<Option<DateTime<Utc>>> {
    match fields.optional_value(name) {
        None => Some(None),
        Some(value) => match value.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
            Some(t) => Some(Some(t.with_timezone(&Utc))),
            None => {
                fields.error(name, "must be an RFC 3339 instant such as 2030-05-01T10:00:00Z");
                None
            }
        },
    }
}

/// The refusal as the API answers it.
pub fn refusal_error(refusal: PromoRefusal) -> shared::ApiError {
    use lambda_http::http::StatusCode;
    let (status, code, message) = match refusal {
        PromoRefusal::Unknown => {
            (StatusCode::UNPROCESSABLE_ENTITY, "promo_code_unknown", "this code is not valid for this event".to_owned())
        }
        PromoRefusal::NotYetValid => {
            (StatusCode::UNPROCESSABLE_ENTITY, "promo_code_not_yet_valid", "this code is not valid yet".to_owned())
        }
        PromoRefusal::Expired => {
            (StatusCode::UNPROCESSABLE_ENTITY, "promo_code_expired", "this code is no longer valid".to_owned())
        }
        PromoRefusal::NotForTier => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "promo_code_not_for_tier",
            "this code does not apply to this tier".to_owned(),
        ),
        PromoRefusal::UsedUp { left } => (
            StatusCode::CONFLICT,
            "promo_code_used_up",
            if left == 0 {
                "this code has been used up (order without it, or try later: unpaid holds give theirs back)".to_owned()
            } else {
                format!("this code has {left} use(s) left, fewer than the tickets ordered")
            },
        ),
    };
    shared::ApiError::new(status, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reservation::tests::at;
    use serde_json::json;

    fn promo(discount: Discount) -> PromoCode {
        PromoCode {
            event_id: "e1".into(),
            code: "FanClub".into(),
            discount,
            max_uses: Some(10),
            uses: 7,
            tier_ids: vec!["t1".into()],
            valid_from: Some(at("2030-01-01T00:00:00Z")),
            valid_until: Some(at("2030-02-01T00:00:00Z")),
            created_at: at("2029-12-01T00:00:00Z"),
        }
    }

    #[test]
    fn a_code_discounts_each_ticket_and_counts_each_ticket() {
        let now = at("2030-01-10T00:00:00Z");
        let applied = apply(&promo(Discount::PercentOff(15)), "t1", 2999, 3, now).unwrap();
        assert_eq!(applied.original_minor, 8997);
        // 15% of 2999 is 449.85: 449 off each ticket, never rounded in the buyer's favour past the announcement.
        assert_eq!(applied.discount_minor, 449 * 3);
        assert_eq!(applied.counted, 3);
        let amount = apply(&promo(Discount::AmountOffMinor(5000)), "t1", 2999, 2, now).unwrap();
        assert_eq!(amount.discount_minor, 2999 * 2, "never below a free ticket");
        let unlimited = PromoCode { max_uses: None, ..promo(Discount::PercentOff(100)) };
        assert_eq!(apply(&unlimited, "t1", 1000, 2, now).unwrap().counted, 0, "no limit: nothing to count");
    }

    #[test]
    fn a_code_refuses_outside_its_window_tiers_and_uses() {
        let p = promo(Discount::PercentOff(10));
        assert_eq!(apply(&p, "t1", 1000, 1, at("2029-12-31T23:59:59Z")), Err(PromoRefusal::NotYetValid));
        assert_eq!(apply(&p, "t1", 1000, 1, at("2030-02-01T00:00:00Z")), Err(PromoRefusal::Expired));
        let now = at("2030-01-10T00:00:00Z");
        assert_eq!(apply(&p, "t2", 1000, 1, now), Err(PromoRefusal::NotForTier));
        assert_eq!(apply(&p, "t1", 1000, 4, now), Err(PromoRefusal::UsedUp { left: 3 }));
        assert!(apply(&p, "t1", 1000, 3, now).is_ok());
        assert!(unlocks(&p, "t1") && !unlocks(&p, "t2"));
        assert_eq!(key(" fanclub "), "FANCLUB");
    }

    fn read(body: serde_json::Value) -> Result<NewPromo, shared::ApiError> {
        let tiers = vec!["t1".to_owned(), "t2".to_owned()];
        read_new(Fields::new(body.as_object().unwrap().clone()), &tiers)
    }

    #[test]
    fn a_new_code_is_read_with_every_problem_named() {
        let ok = read(json!({"code": "EARLY_BIRD", "percentOff": 20, "maxUses": 100, "tierIds": ["t1", "t1"],
            "validUntil": "2030-01-01T00:00:00Z"}))
        .unwrap();
        assert_eq!(ok.discount, Discount::PercentOff(20));
        assert_eq!(ok.tier_ids, vec!["t1".to_owned()]);
        let access = read(json!({"code": "MEMBERS", "tierIds": ["t2"]})).unwrap();
        assert_eq!(access.discount, Discount::None);
        let err = read(json!({"code": "a b", "percentOff": 120, "amountOffMinor": 5, "maxUses": 0,
            "tierIds": ["nope"], "validFrom": "2030-02-01T00:00:00Z", "validUntil": "2030-01-01T00:00:00Z",
            "other": 1}))
        .unwrap_err();
        let fields: Vec<String> = err.fields.iter().map(|f| f.field.clone()).collect();
        for field in ["code", "amountOffMinor", "maxUses", "tierIds[0]", "validUntil", "other"] {
            assert!(fields.contains(&field.to_owned()), "{field} not in {fields:?}");
        }
        let nothing = read(json!({"code": "NOTHING"})).unwrap_err();
        assert_eq!(nothing.fields[0].field, "percentOff");
    }

    #[test]
    fn refusals_have_their_own_codes() {
        assert_eq!(refusal_error(PromoRefusal::UsedUp { left: 0 }).status, 409);
        assert_eq!(refusal_error(PromoRefusal::Unknown).code, "promo_code_unknown");
    }
}
