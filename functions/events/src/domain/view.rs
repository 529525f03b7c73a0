//! How events look in the API: local times in the event's zone, remaining seats
//! per tier, never organizer-private data on public views.

use super::event::{Category, Event, Status, Venue};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TierView {
    pub id: String,
    pub name: String,
    pub price_minor: i64,
    pub currency: String,
    pub max_per_order: u32,
    pub remaining: u32,
    /// Organizer view only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Organizer view only: the shard items its seats are spread over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<u32>,
    /// Sold seat by seat from the seat map (`GET /events/{id}/seats`).
    pub seated: bool,
    /// Organizer view only (the public never sees a hidden tier).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingRoomView {
    pub enabled: bool,
    pub admit_per_minute: u32,
}

/// An instant both in UTC and in the event's own zone, e.g. `2030-05-01T21:00:00+02:00`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct When {
    pub utc: String,
    pub local: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub category: Category,
    pub status: Status,
    pub venue: Option<Venue>,
    pub timezone: String,
    pub starts_at: Option<When>,
    pub ends_at: Option<When>,
    pub sales_opens_at: Option<When>,
    pub sales_closes_at: Option<When>,
    pub currency: String,
    /// How long before the start ticket holders are reminded by email.
    pub reminder_lead_minutes: u32,
    /// Present when the sale has a waiting room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_room: Option<WaitingRoomView>,
    /// `allowed`, `named` or `off`.
    pub ticket_transfers: &'static str,
    /// How long seats offered from a waiting list stay held.
    pub waiting_list_offer_minutes: u32,
    pub tiers: Vec<TierView>,
    /// Present when the event has a seat map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat_map: Option<super::event::SeatMapRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// Who is looking: the public sees remaining seats; the organizer also capacities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Organizer,
}

pub fn view(event: &Event, audience: Audience, now: DateTime<Utc>) -> EventView {
    let d = &event.details;
    let when = |t: Option<DateTime<Utc>>| {
        t.map(|t| When {
            utc: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            local: t.with_timezone(&d.timezone).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        })
    };
    let organizer = audience == Audience::Organizer;
    EventView {
        id: event.id.clone(),
        title: d.title.clone(),
        description: d.description.clone(),
        category: d.category,
        status: event.effective_status(now),
        venue: d.venue.clone(),
        timezone: d.timezone.name().to_owned(),
        starts_at: when(d.starts_at),
        ends_at: when(d.ends_at),
        sales_opens_at: when(d.sales_opens_at),
        sales_closes_at: when(d.sales_closes_at),
        currency: d.currency.clone(),
        reminder_lead_minutes: d.reminder_lead_minutes.unwrap_or(super::reminder::LEAD_DEFAULT_MINUTES),
        waiting_room: d
            .waiting_room
            .map(|room| WaitingRoomView { enabled: true, admit_per_minute: room.admit_per_minute }),
        ticket_transfers: d.ticket_transfers.unwrap_or(super::event::TicketTransfers::Allowed).as_str(),
        waiting_list_offer_minutes: d.waiting_list_offer_minutes.unwrap_or(super::event::OFFER_DEFAULT_MINUTES),
        tiers: event
            .tiers
            .iter()
            // A hidden tier is sold with an access code only: the public is not told of it.
            .filter(|t| organizer || !t.hidden)
            .map(|t| TierView {
                id: t.id.clone(),
                name: t.name.clone(),
                price_minor: t.price_minor,
                currency: d.currency.clone(),
                max_per_order: t.max_per_order,
                remaining: t.available,
                capacity: organizer.then_some(t.capacity),
                shards: organizer.then_some(t.shards),
                seated: t.seated,
                hidden: t.hidden,
            })
            .collect(),
        seat_map: event.seat_map,
        organizer_id: organizer.then(|| event.organizer_id.clone()),
        version: organizer.then_some(event.version),
    }
}

/// A seat as the map shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatView {
    /// `<section>-<row>-<seat>`: what a buyer picks (`seatIds`).
    pub id: String,
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub status: SeatStatus,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub accessible: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub restricted_view: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SeatStatus {
    Available,
    Held,
    Sold,
    Blocked,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowView {
    pub number: u32,
    pub label: String,
    pub seat_count: u32,
    /// Empty (left out) in an outline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<SeatView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionView {
    pub number: u32,
    pub name: String,
    pub tier_id: String,
    pub rows: Vec<RowView>,
}

/// The map: sections (each priced by one tier), rows, seats with their status.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapView {
    pub event_id: String,
    pub version: u32,
    pub seat_count: u32,
    /// The map is too large to list every seat at once: its sections and rows come
    /// without their seats, which `?section=<number>` lists a section at a time.
    pub outline: bool,
    pub sections: Vec<SectionView>,
}

/// Most seats a whole map lists: a 40,000-seat stadium's seats would make an answer
/// over Lambda's 6 MB, so larger maps are answered as an outline.
pub const FULL_MAP_SEATS: usize = 10_000;

/// The map of `event`, its sections all or only `section`, each seat's status by
/// `status`; the whole of a map over [`FULL_MAP_SEATS`] as an outline.
pub fn seat_map_view(
    event: &Event,
    map: &seating::map::SeatMap,
    section: Option<u32>,
    status: impl Fn(seating::map::SeatId) -> SeatStatus,
) -> SeatMapView {
    let outline = section.is_none() && map.seat_count() > FULL_MAP_SEATS;
    SeatMapView {
        event_id: event.id.clone(),
        version: event.seat_map.map_or(0, |m| m.version),
        seat_count: map.seat_count() as u32,
        outline,
        sections: map
            .sections
            .iter()
            .filter(|s| section.is_none_or(|n| n == s.number))
            .map(|s| SectionView {
                number: s.number,
                name: s.name.clone(),
                tier_id: s.tier_id.clone(),
                rows: s
                    .rows
                    .iter()
                    .map(|r| RowView {
                        number: r.number,
                        label: r.label.clone(),
                        seat_count: r.seats.len() as u32,
                        seats: r
                            .seats
                            .iter()
                            .filter(|_| !outline)
                            .map(|seat| {
                                let id = seating::map::SeatId { section: s.number, row: r.number, seat: seat.number };
                                SeatView {
                                    id: id.to_string(),
                                    label: seat.label.clone(),
                                    x: seat.x,
                                    y: seat.y,
                                    status: status(id),
                                    accessible: seat.accessible,
                                    restricted_view: seat.restricted_view,
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seating::map::{Row, Seat, SeatMap, Section};

    fn map(rows: u32, seats: u32) -> SeatMap {
        let seat = |n: u32| Seat {
            number: n,
            label: n.to_string(),
            x: f64::from(n),
            y: 0.0,
            accessible: false,
            restricted_view: false,
        };
        let row = |r: u32| Row { number: r, label: format!("R{r}"), seats: (1..=seats).map(seat).collect() };
        SeatMap {
            sections: vec![Section {
                number: 1,
                name: "Nord".into(),
                tier_id: "t1".into(),
                rows: (1..=rows).map(row).collect(),
            }],
        }
    }

    #[test]
    fn a_map_too_large_to_answer_whole_is_an_outline_its_sections_listed_one_at_a_time() {
        let event = crate::domain::event::tests::event(vec![]);
        let small = seat_map_view(&event, &map(10, 100), None, |_| SeatStatus::Available);
        assert!(!small.outline);
        assert_eq!((small.seat_count, small.sections[0].rows[0].seats.len()), (1000, 100));
        let stadium = map(40, 300);
        let outline = seat_map_view(&event, &stadium, None, |_| SeatStatus::Available);
        assert!(outline.outline && outline.sections[0].rows.iter().all(|r| r.seats.is_empty() && r.seat_count == 300));
        let json = serde_json::to_value(&outline).unwrap();
        assert!(json["sections"][0]["rows"][0].get("seats").is_none(), "{}", json["sections"][0]["rows"][0]);
        let one = seat_map_view(&event, &stadium, Some(1), |_| SeatStatus::Sold);
        assert!(!one.outline);
        assert_eq!(one.sections[0].rows[39].seats[299].status, SeatStatus::Sold);
    }
}
