//! Giving an event a seat map (or a new version of it): what the event becomes.
//!
//! A tier that prices sections is *seated*: its capacity is its seats on the map, an
//! order takes at most [`MAX_SEATS_PER_ORDER`] of them, and its capacity changes
//! only with the map. A tier already selling as general admission cannot become
//! seated (its buyers have no seats). Once the event is published, a new version
//! only adds seats (`seating::map::renumber`), so a seated tier's capacity only
//! grows and no sold seat disappears.

use super::event::{Event, MAX_SEATS_PER_ORDER, SeatMapRef, Status, TierPlan};
use super::lifecycle::Refusal;
use chrono::{DateTime, Utc};
use seating::Problem;
use seating::map::{SeatId, SeatMap, SectionSpec, renumber, validate};
use shared::FieldError;

/// An event with its new seat map.
#[derive(Debug, Clone, PartialEq)]
pub struct Seating {
    pub event: Event,
    /// How the tiers' capacities change.
    pub plan: TierPlan,
    pub map: SeatMap,
    /// Seats the previous version had that this one lacks (a draft's only).
    pub removed: Vec<SeatId>,
}

pub fn apply(
    before: &Event,
    previous: Option<&SeatMap>,
    specs: &[SectionSpec],
    now: DateTime<Utc>,
) -> Result<Seating, Refusal> {
    if before.status == Status::Cancelled {
        return Err(Refusal::NotEditable("a cancelled event's seat map cannot change"));
    }
    if before.has_ended(now) {
        return Err(Refusal::NotEditable("the event has ended and its seat map can no longer change"));
    }
    let tier_ids: Vec<&str> = before.tiers.iter().map(|t| t.id.as_str()).collect();
    let problems = validate(specs, &tier_ids);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let published = before.status == Status::Published;
    let (map, removed) = renumber(previous, specs, published).map_err(invalid)?;
    let seats = map.seats_per_tier();
    let mut errors = Vec::new();
    let mut plan = TierPlan::default();
    let mut tiers = before.tiers.clone();
    for tier in &mut tiers {
        let count = seats.get(tier.id.as_str()).copied().unwrap_or(0);
        let old = tier.clone();
        if count > 0 {
            if !tier.seated && tier.taken() > 0 {
                errors.push(FieldError::new(
                    "sections",
                    format!(
                        "tier {:?} already has {} seats sold or held without seats; it cannot be seated",
                        tier.name,
                        tier.taken()
                    ),
                ));
                continue;
            }
            if tier.max_per_order > MAX_SEATS_PER_ORDER {
                errors.push(FieldError::new(
                    "sections",
                    format!(
                        "tier {:?} allows {} per order; a seated tier sells at most {MAX_SEATS_PER_ORDER} (lower its \
                         maxPerOrder first)",
                        tier.name, tier.max_per_order
                    ),
                ));
                continue;
            }
            if count < tier.taken() {
                errors.push(FieldError::new(
                    "sections",
                    format!(
                        "tier {:?} has {} seats sold or held, more than the map's {count}",
                        tier.name,
                        tier.taken()
                    ),
                ));
                continue;
            }
            tier.seated = true;
            tier.available = count - tier.taken();
            tier.capacity = count;
        } else if tier.seated {
            // A draft's map no longer prices this tier: it sells without seats again.
            tier.seated = false;
        }
        if *tier != old {
            plan.changed.push((old, tier.clone()));
        }
    }
    if !errors.is_empty() {
        return Err(Refusal::Invalid(errors));
    }
    let version = before.seat_map.map_or(0, |m| m.version) + 1;
    let event = Event {
        tiers,
        seat_map: Some(SeatMapRef { version, seats: map.seat_count() as u32 }),
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    };
    Ok(Seating { event, plan, map, removed })
}

fn invalid(problems: Vec<Problem>) -> Refusal {
    Refusal::Invalid(problems.into_iter().map(|p| FieldError::new(p.field, p.message)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Tier;
    use crate::domain::event::tests::{at, event, tier};
    use seating::map::{RowSpec, SeatSpec};

    fn section(name: &str, tier: &str, rows: usize, seats: usize) -> SectionSpec {
        SectionSpec {
            name: name.into(),
            tier_id: tier.into(),
            rows: (0..rows)
                .map(|r| RowSpec {
                    label: format!("R{r}"),
                    seats: (1..=seats)
                        .map(|s| SeatSpec {
                            label: s.to_string(),
                            x: s as f64,
                            y: r as f64,
                            accessible: false,
                            restricted_view: false,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn now() -> DateTime<Utc> {
        at("2029-01-02T00:00:00Z")
    }

    #[test]
    fn a_map_seats_its_tiers_and_sets_their_capacity() {
        let before = event(vec![tier("std", 100, 100), tier("vip", 10, 10)]);
        let seating =
            apply(&before, None, &[section("Nord", "std", 4, 10), section("Sud", "std", 1, 5)], now()).unwrap();
        let std = &seating.event.tiers[0];
        assert!(std.seated);
        assert_eq!((std.capacity, std.available), (45, 45));
        assert!(!seating.event.tiers[1].seated, "a tier without sections sells without seats");
        assert_eq!(seating.event.seat_map, Some(SeatMapRef { version: 1, seats: 45 }));
        assert_eq!(seating.event.version, before.version + 1);
        assert_eq!(seating.plan.changed.len(), 1);
        // A new version of the draft's map: fewer seats, the version moves on.
        let again = Event { seat_map: seating.event.seat_map, ..seating.event.clone() };
        let second = apply(&again, Some(&seating.map), &[section("Nord", "std", 2, 10)], now()).unwrap();
        assert_eq!(second.event.tiers[0].capacity, 20);
        assert_eq!(second.removed.len(), 25);
        assert_eq!(second.event.seat_map, Some(SeatMapRef { version: 2, seats: 20 }));
    }

    #[test]
    fn a_tier_selling_without_seats_or_too_many_per_order_is_not_seated() {
        let selling = Tier { max_per_order: 4, ..tier("std", 100, 90) };
        let wide = Tier { max_per_order: 20, ..tier("vip", 10, 10) };
        let Err(Refusal::Invalid(errors)) = apply(
            &Event { status: Status::Published, ..event(vec![selling, wide]) },
            None,
            &[section("Nord", "std", 1, 200), section("Loge", "vip", 1, 10)],
            now(),
        ) else {
            panic!("refused")
        };
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].message.contains("10 seats sold or held without seats"), "{errors:?}");
        assert!(errors[1].message.contains("at most 10"), "{errors:?}");
    }

    #[test]
    fn a_published_map_only_grows_and_unknown_tiers_are_named() {
        let before = event(vec![tier("std", 100, 100)]);
        let first = apply(&before, None, &[section("Nord", "std", 2, 10)], now()).unwrap();
        let mut published = first.event.clone();
        published.status = Status::Published;
        published.tiers[0].available -= 3; // three seats sold
        let grown = apply(&published, Some(&first.map), &[section("Nord", "std", 3, 10)], now()).unwrap();
        assert_eq!((grown.event.tiers[0].capacity, grown.event.tiers[0].available), (30, 27));
        let Err(Refusal::Invalid(errors)) =
            apply(&published, Some(&first.map), &[section("Nord", "std", 1, 10)], now())
        else {
            panic!("refused")
        };
        assert!(errors[0].message.contains("only adds seats"), "{errors:?}");
        let Err(Refusal::Invalid(errors)) = apply(&before, None, &[section("Nord", "gold", 1, 1)], now()) else {
            panic!("refused")
        };
        assert_eq!(errors[0].field, "sections[0].tierId");
        let cancelled = Event { status: Status::Cancelled, ..before };
        assert!(matches!(
            apply(&cancelled, None, &[section("Nord", "std", 1, 1)], now()),
            Err(Refusal::NotEditable(_))
        ));
    }
}
