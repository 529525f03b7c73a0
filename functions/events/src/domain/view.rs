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
    pub tiers: Vec<TierView>,
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
        tiers: event
            .tiers
            .iter()
            .map(|t| TierView {
                id: t.id.clone(),
                name: t.name.clone(),
                price_minor: t.price_minor,
                currency: d.currency.clone(),
                max_per_order: t.max_per_order,
                remaining: t.available,
                capacity: organizer.then_some(t.capacity),
                shards: organizer.then_some(t.shards),
            })
            .collect(),
        organizer_id: organizer.then(|| event.organizer_id.clone()),
        version: organizer.then_some(event.version),
    }
}
