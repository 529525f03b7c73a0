//! The door contract: what the door domain reads of an event to admit its tickets
//! (who runs it, its tiers, when and where). Read-only, like the seat inventory.

use chrono::{DateTime, Utc};
use shared::dynamo::Failure;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorEvent {
    pub event_id: String,
    pub organizer_id: String,
    pub title: String,
    /// "Venue name, City".
    pub venue: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub timezone: String,
    pub published: bool,
    pub cancelled: bool,
    /// Tier id and name, in the event's order.
    pub tiers: Vec<(String, String)>,
}

/// The event, if it exists (drafts included: staff are added before publishing).
pub async fn door_event(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event_id: &str,
) -> Result<Option<DoorEvent>, Failure> {
    use crate::store::{EventStore, StoreError};
    let store = crate::store::dynamodb::DynamoEventStore::new(client.clone(), table);
    let event = match store.get(event_id).await {
        Ok(event) => event,
        Err(StoreError::Storage(failure)) => return Err(failure),
        Err(other) => return Err(Failure::Other(other.to_string())),
    };
    Ok(event.as_ref().map(door_view))
}

/// What the door reads of an event.
fn door_view(e: &crate::domain::event::Event) -> DoorEvent {
    use crate::domain::event::Status;
    DoorEvent {
        event_id: e.id.clone(),
        organizer_id: e.organizer_id.clone(),
        title: e.details.title.clone(),
        venue: e.details.venue.as_ref().map(|v| format!("{}, {}", v.name, v.city)),
        starts_at: e.details.starts_at,
        timezone: e.details.timezone.name().to_owned(),
        published: e.status == Status::Published || e.status == Status::Completed,
        cancelled: e.status == Status::Cancelled,
        tiers: e.tiers.iter().map(|t| (t.id.clone(), t.name.clone())).collect(),
    }
}

/// An organizer's events the door may open (published, not over long ago), by
/// start: what a member of the organizer's team who checks tickets in is shown.
pub async fn organizer_events(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    organizer_id: &str,
    limit: usize,
) -> Result<Vec<DoorEvent>, Failure> {
    use crate::domain::event::Status;
    use crate::store::{EventStore, StoreError};
    let store = crate::store::dynamodb::DynamoEventStore::new(client.clone(), table);
    let page = match store.list_by_organizer(organizer_id, limit, None).await {
        Ok(page) => page,
        Err(StoreError::Storage(failure)) => return Err(failure),
        Err(other) => return Err(Failure::Other(other.to_string())),
    };
    let mut events: Vec<DoorEvent> =
        page.events.iter().filter(|e| e.status == Status::Published).map(door_view).collect();
    events.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then_with(|| a.event_id.cmp(&b.event_id)));
    Ok(events)
}
