//! Reminder markers and runs in the reservations table:
//!
//! | item | pk | sk | |
//! |---|---|---|---|
//! | marker | `REMINDER#<reservationId>#<startsAt>` | `REMINDER` | `status` `claimed` (with `claimUntil`, epoch seconds) or `sent` |
//! | run | `REMINDERS#<eventId>#<startsAt>` | `RUN` | `position` (the participants-index sort key of the last holder reminded, empty before the first), `caughtUp` |
//!
//! Both expire (TTL, housekeeping only) 30 days after the start. The rules they
//! implement are `crate::domain::reminders`.

use super::StoreResult;
use super::dynamodb::{DynamoReservationStore, HolderPage};
use crate::domain::reminders::{Marker, Run};
use crate::domain::reservation::Reservation;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use shared::clock::stored;
use shared::dynamo::{self, Failure, Item, number as n, string as s};
use std::collections::HashMap;
use std::future::Future;

const MARKER: &str = "REMINDER";
const RUN: &str = "RUN";

fn marker_key(reservation_id: &str, start: &str) -> Item {
    dynamo::key(format!("REMINDER#{reservation_id}#{start}"), MARKER)
}

fn run_key(event_id: &str, start: &str) -> Item {
    dynamo::key(format!("REMINDERS#{event_id}#{start}"), RUN)
}

/// Housekeeping: markers and runs outlive the start by 30 days.
fn expires_at(start: &str) -> i64 {
    DateTime::parse_from_rfc3339(start).map(|t| t.timestamp()).unwrap_or_default() + 30 * 86_400
}

pub trait ReminderStore: Send + Sync {
    /// Up to `limit` of the event's confirmed reservations (the participants index,
    /// by confirmation time) after the index sort key `after`, with the last one's key;
    /// each as its item stands now (read consistently), not as the index last saw it.
    fn confirmed_after(
        &self,
        event_id: &str,
        limit: u32,
        after: Option<&str>,
    ) -> impl Future<Output = StoreResult<HolderPage>> + Send;
    /// The markers the reservations have for `start` (consistent reads).
    fn markers(
        &self,
        reservation_ids: &[String],
        start: &str,
    ) -> impl Future<Output = Result<HashMap<String, Marker>, Failure>> + Send;
    /// Claims the marker until `until`; `false` when it is sent or claimed by a live run.
    fn claim(
        &self,
        reservation_id: &str,
        start: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, Failure>> + Send;
    /// Marks the markers sent (their reminders are queued), 25 to a write call.
    fn mark_sent(&self, reservation_ids: &[String], start: &str) -> impl Future<Output = Result<(), Failure>> + Send;
    /// Gives a claim back (its reminder could not be queued).
    fn unclaim(&self, reservation_id: &str, start: &str) -> impl Future<Output = Result<(), Failure>> + Send;
    /// The runs recorded for these (event, start) pairs.
    fn runs(
        &self,
        occurrences: &[(String, String)],
    ) -> impl Future<Output = Result<HashMap<(String, String), Run>, Failure>> + Send;
    /// Takes the run on for one firing: creates it (when `seen` is `None`) or marks it
    /// in progress again, if it is still as `seen`; `false` when another firing got
    /// there first.
    fn take_run(
        &self,
        event_id: &str,
        start: &str,
        seen: Option<&Run>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, Failure>> + Send;
    /// Moves the run from position `from` to `to`; `false` if it was not at `from`.
    fn advance(
        &self,
        event_id: &str,
        start: &str,
        from: Option<&str>,
        to: Option<&str>,
        caught_up: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, Failure>> + Send;
}

impl DynamoReservationStore {
    /// Reads `keys` with BatchGetItem (consistent).
    async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, Failure> {
        dynamo::batch_get(self.client(), self.table(), keys, true, None).await
    }
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

impl ReminderStore for DynamoReservationStore {
    async fn confirmed_after(&self, event_id: &str, limit: u32, after: Option<&str>) -> StoreResult<HolderPage> {
        let page = self.confirmed_for_event_after(event_id, limit, after).await?;
        // The index is eventually consistent: its copy of a reservation may predate a
        // cancellation. Each is read again (consistently), so the status decided on
        // is the current one; the index only gives the order.
        let keys = page.holders.iter().map(|r| super::dynamodb::key(&r.id)).collect();
        let mut current: HashMap<String, Reservation> = self
            .batch_get(keys)
            .await?
            .into_iter()
            .map(|item| super::dynamodb::decode(item).map(|r| (r.id.clone(), r)))
            .collect::<Result<_, _>>()?;
        let holders = page.holders.iter().filter_map(|r| current.remove(&r.id)).collect();
        Ok(HolderPage { holders, ..page })
    }

    async fn markers(&self, reservation_ids: &[String], start: &str) -> Result<HashMap<String, Marker>, Failure> {
        let keys = reservation_ids.iter().map(|id| marker_key(id, start)).collect();
        let mut markers = HashMap::new();
        for item in self.batch_get(keys).await? {
            let Some(id) = text(&item, "reservationId") else { continue };
            let marker = match text(&item, "status").as_deref() {
                Some("sent") => Marker::Sent,
                _ => {
                    let until = item.get("claimUntil").and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok());
                    Marker::Claimed {
                        until: DateTime::from_timestamp(until.unwrap_or_default(), 0).unwrap_or_default(),
                    }
                }
            };
            markers.insert(id, marker);
        }
        Ok(markers)
    }

    async fn claim(
        &self,
        reservation_id: &str,
        start: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let mut item = marker_key(reservation_id, start);
        item.insert("reservationId".into(), s(reservation_id));
        item.insert("startsAt".into(), s(start));
        item.insert("status".into(), s("claimed"));
        item.insert("claimUntil".into(), n(until.timestamp()));
        item.insert("claimedAt".into(), s(stored(now)));
        item.insert("expiresAt".into(), n(expires_at(start)));
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR (#status = :claimed AND claimUntil < :now)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":claimed", s("claimed"))
            .expression_attribute_values(":now", n(now.timestamp()))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    async fn mark_sent(&self, reservation_ids: &[String], start: &str) -> Result<(), Failure> {
        // Unconditional puts: only the run holding a claim gets here, and it still
        // holds it (Lambda stops the invocation before the claim lapses). BatchWriteItem
        // takes no conditions, which is why the claim itself is one write per holder.
        let items = reservation_ids.iter().map(|id| {
            let mut item = marker_key(id, start);
            item.insert("reservationId".into(), s(id));
            item.insert("startsAt".into(), s(start));
            item.insert("status".into(), s("sent"));
            item.insert("expiresAt".into(), n(expires_at(start)));
            item
        });
        dynamo::batch_put(self.client(), self.table(), items.collect()).await
    }

    async fn unclaim(&self, reservation_id: &str, start: &str) -> Result<(), Failure> {
        let result = self
            .client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(marker_key(reservation_id, start)))
            .condition_expression("#status = :claimed")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":claimed", s("claimed"))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result).map(drop)
    }

    async fn runs(&self, occurrences: &[(String, String)]) -> Result<HashMap<(String, String), Run>, Failure> {
        let keys = occurrences.iter().map(|(event, start)| run_key(event, start)).collect();
        let mut runs = HashMap::new();
        for item in self.batch_get(keys).await? {
            let (Some(event), Some(start)) = (text(&item, "eventId"), text(&item, "startsAt")) else { continue };
            let position = text(&item, "position").filter(|p| !p.is_empty());
            let caught_up = item.get("caughtUp").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false);
            let updated_at = text(&item, "updatedAt");
            runs.insert((event, start), Run { position, caught_up, updated_at });
        }
        Ok(runs)
    }

    async fn take_run(
        &self,
        event_id: &str,
        start: &str,
        seen: Option<&Run>,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(run_key(event_id, start)))
            .update_expression(
                "SET eventId = :event, startsAt = :start, #position = if_not_exists(#position, :empty), \
                 caughtUp = :false, updatedAt = :now, expiresAt = :expires",
            )
            .expression_attribute_names("#position", "position")
            .expression_attribute_values(":event", s(event_id))
            .expression_attribute_values(":start", s(start))
            .expression_attribute_values(":empty", s(""))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":now", s(stored(now)))
            .expression_attribute_values(":expires", n(expires_at(start)));
        update = match seen {
            None => update.condition_expression("attribute_not_exists(pk)"),
            Some(run) => {
                let position = run.position.clone().unwrap_or_default();
                let update = update
                    .expression_attribute_values(":seen_position", s(position))
                    .expression_attribute_values(":seen_caught_up", AttributeValue::Bool(run.caught_up));
                match &run.updated_at {
                    Some(at) => update
                        .condition_expression(
                            "#position = :seen_position AND caughtUp = :seen_caught_up AND updatedAt = :seen_at",
                        )
                        .expression_attribute_values(":seen_at", s(at)),
                    None => update.condition_expression(
                        "#position = :seen_position AND caughtUp = :seen_caught_up AND attribute_not_exists(updatedAt)",
                    ),
                }
            }
        };
        dynamo::condition_held(update.send().await.map_err(dynamo::sdk_failure))
    }

    async fn advance(
        &self,
        event_id: &str,
        start: &str,
        from: Option<&str>,
        to: Option<&str>,
        caught_up: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(run_key(event_id, start)))
            .update_expression(
                "SET eventId = :event, startsAt = :start, #position = :to, caughtUp = :caught_up, updatedAt = :now, \
                 expiresAt = :expires ADD pages :one",
            )
            .expression_attribute_names("#position", "position")
            .expression_attribute_values(":event", s(event_id))
            .expression_attribute_values(":start", s(start))
            .expression_attribute_values(":to", s(to.unwrap_or_default()))
            .expression_attribute_values(":caught_up", AttributeValue::Bool(caught_up))
            .expression_attribute_values(":now", s(stored(now)))
            .expression_attribute_values(":expires", n(expires_at(start)))
            .expression_attribute_values(":one", n(1));
        update = match from {
            // From the first holder: nobody has reminded anyone of this start yet.
            None => update
                .condition_expression("attribute_not_exists(pk) OR #position = :empty")
                .expression_attribute_values(":empty", s("")),
            Some(from) => {
                update.condition_expression("#position = :from").expression_attribute_values(":from", s(from))
            }
        };
        dynamo::condition_held(update.send().await.map_err(dynamo::sdk_failure))
    }
}
