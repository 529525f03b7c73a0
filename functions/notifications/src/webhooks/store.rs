//! Webhook endpoints and deliveries in the notifications domain's own table.
//!
//! - `ORG#<organizerId>` / `WEBHOOK#<endpointId>`: an endpoint (its URL, event
//!   types, secrets, whether it is on, since when it fails);
//! - `WEBHOOK#<endpointId>` / `MSG#<messageId>`: a delivery of one message to it,
//!   with its attempts. Message ids are UUIDv7s, so a query newest-first is the
//!   delivery log in time order. Deliveries expire (TTL) 30 days after they began.
//!
//! A delivery is attempted by whoever holds its lease (`leaseUntil`), taken with a
//! condition, so two copies of its queue message never post it at the same time.

use super::{Attempt, DeliveryStatus};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::dynamo::{self, Failure, Item, condition_held, key, number, string};

/// Days a delivery and its log are kept.
const DELIVERY_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub id: String,
    pub organizer_id: String,
    pub url: String,
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    /// The first failure since the last success; cleared by a success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// Switched off by its failures (its organizer is emailed), not by its organizer.
    #[serde(default)]
    pub disabled_automatically: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub endpoint_id: String,
    pub message_id: String,
    pub organizer_id: String,
    pub event_type: String,
    /// The exact body posted (what is signed).
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// Attempts since its current run of retries began (a redelivery starts a new
    /// run): what the retry schedule counts.
    #[serde(default)]
    pub run_attempts: u32,
    /// Epoch ms of the next attempt while pending.
    pub next_attempt_at: i64,
    /// Epoch ms when its current run of retries began (creation, or a redelivery).
    pub retry_started_at: i64,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub log: Vec<Attempt>,
}

fn endpoint_key(organizer_id: &str, endpoint_id: &str) -> Item {
    key(format!("ORG#{organizer_id}"), format!("WEBHOOK#{endpoint_id}"))
}

fn delivery_key(endpoint_id: &str, message_id: &str) -> Item {
    key(format!("WEBHOOK#{endpoint_id}"), format!("MSG#{message_id}"))
}

pub struct WebhookStore {
    pub client: aws_sdk_dynamodb::Client,
    pub table: String,
}

impl WebhookStore {
    pub async fn endpoints(&self, organizer_id: &str) -> Result<Vec<Endpoint>, Failure> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :sk)")
            .expression_attribute_values(":pk", string(format!("ORG#{organizer_id}")))
            .expression_attribute_values(":sk", string("WEBHOOK#"))
            .consistent_read(true);
        let items = dynamo::query_all(query).await?;
        items.into_iter().map(|item| serde_dynamo::from_item(item).map_err(dynamo::failure)).collect()
    }

    pub async fn endpoint(&self, organizer_id: &str, endpoint_id: &str) -> Result<Option<Endpoint>, Failure> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(endpoint_key(organizer_id, endpoint_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        out.item.map(|item| serde_dynamo::from_item(item).map_err(dynamo::failure)).transpose()
    }

    pub async fn put_endpoint(&self, endpoint: &Endpoint) -> Result<(), Failure> {
        let mut item: Item = serde_dynamo::to_item(endpoint).map_err(dynamo::failure)?;
        item.extend(endpoint_key(&endpoint.organizer_id, &endpoint.id));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(())
    }

    /// `false` if there was none.
    pub async fn delete_endpoint(&self, organizer_id: &str, endpoint_id: &str) -> Result<bool, Failure> {
        condition_held(
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(endpoint_key(organizer_id, endpoint_id)))
                .condition_expression("attribute_exists(pk)")
                .send()
                .await
                .map_err(dynamo::sdk_failure),
        )
    }

    /// Records the endpoint's health after an attempt: a success clears
    /// `failingSince`; a failure sets it if unset. Returns it as it stands then.
    pub async fn record_health(
        &self,
        organizer_id: &str,
        endpoint_id: &str,
        succeeded: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, Failure> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(endpoint_key(organizer_id, endpoint_id)))
            .condition_expression("attribute_exists(pk)")
            .return_values(ReturnValue::AllNew);
        let update = if succeeded {
            update.update_expression("REMOVE failingSince")
        } else {
            update
                .update_expression("SET failingSince = if_not_exists(failingSince, :now)")
                .expression_attribute_values(":now", string(shared::clock::stored(now)))
        };
        match update.send().await.map_err(dynamo::sdk_failure) {
            Ok(out) => Ok(out
                .attributes
                .and_then(|a| a.get("failingSince").and_then(|v| v.as_s().ok()).and_then(|s| s.parse().ok()))),
            Err(Failure::ConditionFailed) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Switches the endpoint off if it is still on and still failing; `true` when
    /// this call did it (so the organizer is told once).
    pub async fn disable(
        &self,
        organizer_id: &str,
        endpoint_id: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        condition_held(
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(endpoint_key(organizer_id, endpoint_id)))
                .condition_expression("enabled = :on AND attribute_exists(failingSince)")
                .update_expression(
                    "SET enabled = :off, disabledAt = :now, disabledReason = :why, disabledAutomatically = :on",
                )
                .expression_attribute_values(":on", AttributeValue::Bool(true))
                .expression_attribute_values(":off", AttributeValue::Bool(false))
                .expression_attribute_values(":now", string(shared::clock::stored(now)))
                .expression_attribute_values(":why", string(reason))
                .send()
                .await
                .map_err(dynamo::sdk_failure),
        )
    }

    /// Creates the delivery unless it exists; the delivery as stored either way.
    pub async fn open_delivery(&self, delivery: &Delivery) -> Result<Delivery, Failure> {
        let mut item: Item = serde_dynamo::to_item(delivery).map_err(dynamo::failure)?;
        item.extend(delivery_key(&delivery.endpoint_id, &delivery.message_id));
        item.insert("expiresAt".into(), number(delivery.created_at.timestamp() + DELIVERY_DAYS * 86_400));
        let created = condition_held(
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await
                .map_err(dynamo::sdk_failure),
        )?;
        if created {
            return Ok(delivery.clone());
        }
        self.delivery(&delivery.endpoint_id, &delivery.message_id)
            .await?
            .ok_or_else(|| Failure::Other("a delivery vanished as it was opened".into()))
    }

    pub async fn delivery(&self, endpoint_id: &str, message_id: &str) -> Result<Option<Delivery>, Failure> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(delivery_key(endpoint_id, message_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        out.item.map(|item| serde_dynamo::from_item(item).map_err(dynamo::failure)).transpose()
    }

    /// A page of the endpoint's deliveries, newest first, after `after` (a message id).
    pub async fn deliveries(
        &self,
        endpoint_id: &str,
        limit: u32,
        after: Option<&str>,
    ) -> Result<(Vec<Delivery>, Option<String>), Failure> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :sk)")
            .expression_attribute_values(":pk", string(format!("WEBHOOK#{endpoint_id}")))
            .expression_attribute_values(":sk", string("MSG#"))
            .scan_index_forward(false)
            .limit(limit as i32)
            .set_exclusive_start_key(after.map(|id| delivery_key(endpoint_id, id)))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let deliveries: Vec<Delivery> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).map_err(dynamo::failure))
            .collect::<Result<_, _>>()?;
        let next = out.last_evaluated_key.and_then(|_| deliveries.last().map(|d| d.message_id.clone()));
        Ok((deliveries, next))
    }

    /// Takes the delivery's lease until `until` if it is pending, due no later than
    /// `due` and nobody else holds it; `false` otherwise.
    pub async fn take_lease(
        &self,
        endpoint_id: &str,
        message_id: &str,
        due: i64,
        now: DateTime<Utc>,
        until: i64,
    ) -> Result<bool, Failure> {
        condition_held(
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(delivery_key(endpoint_id, message_id)))
                .condition_expression(
                    "#status = :pending AND nextAttemptAt <= :due AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
                )
                .update_expression("SET leaseUntil = :until")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":pending", string("pending"))
                .expression_attribute_values(":due", number(due))
                .expression_attribute_values(":now", number(now.timestamp_millis()))
                .expression_attribute_values(":until", number(until))
                .send()
                .await
                .map_err(dynamo::sdk_failure),
        )
    }

    /// Records an attempt made under the lease `lease` and releases it; `false` if
    /// the lease was lost meanwhile (then the record is left to its new holder).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_attempt(
        &self,
        endpoint_id: &str,
        message_id: &str,
        lease: i64,
        attempt: &Attempt,
        status: DeliveryStatus,
        next_attempt_at: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let entry = serde_dynamo::to_attribute_value(attempt).map_err(dynamo::failure)?;
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(delivery_key(endpoint_id, message_id)))
            .condition_expression("leaseUntil = :lease")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#log", "log")
            .expression_attribute_values(":lease", number(lease))
            .expression_attribute_values(":status", string(status_text(status)))
            .expression_attribute_values(":next", number(next_attempt_at))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":entry", AttributeValue::L(vec![entry]))
            .expression_attribute_values(":none", AttributeValue::L(vec![]));
        let mut set = "#status = :status, attempts = attempts + :one, \
                       runAttempts = if_not_exists(runAttempts, :zero) + :one, nextAttemptAt = :next, \
                       #log = list_append(if_not_exists(#log, :none), :entry)"
            .to_owned();
        if status == DeliveryStatus::Delivered {
            set.push_str(", deliveredAt = :now");
            update = update.expression_attribute_values(":now", string(shared::clock::stored(now)));
        }
        condition_held(
            update.update_expression(format!("SET {set} REMOVE leaseUntil")).send().await.map_err(dynamo::sdk_failure),
        )
    }

    /// Sets a delivery pending again from `now`, a new run of retries (the
    /// organizer's redeliver), unless an attempt is under way.
    pub async fn reopen(&self, endpoint_id: &str, message_id: &str, now: DateTime<Utc>) -> Result<Reopened, Failure> {
        let ms = now.timestamp_millis();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(delivery_key(endpoint_id, message_id)))
            .condition_expression("attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)")
            .update_expression(
                "SET #status = :pending, nextAttemptAt = :now, retryStartedAt = :now, runAttempts = :zero",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", string("pending"))
            .expression_attribute_values(":now", number(ms))
            .expression_attribute_values(":zero", number(0))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        match result {
            Ok(out) => match out.attributes {
                Some(item) => Ok(Reopened::Pending(serde_dynamo::from_item(item).map_err(dynamo::failure)?)),
                None => Err(Failure::Other("an update returned no item".into())),
            },
            Err(Failure::ConditionFailed) => match self.delivery(endpoint_id, message_id).await? {
                Some(_) => Ok(Reopened::InProgress),
                None => Ok(Reopened::Missing),
            },
            Err(other) => Err(other),
        }
    }

    /// Gives up a delivery reopened at `reopened` (epoch ms) whose message could not
    /// be queued, so it does not stay pending with nothing to carry it; `false` if
    /// it moved on meanwhile.
    pub async fn abandon_reopened(&self, endpoint_id: &str, message_id: &str, reopened: i64) -> Result<bool, Failure> {
        condition_held(
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(delivery_key(endpoint_id, message_id)))
                .condition_expression("#status = :pending AND nextAttemptAt = :at AND attribute_not_exists(leaseUntil)")
                .update_expression("SET #status = :failed")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":pending", string("pending"))
                .expression_attribute_values(":failed", string("failed"))
                .expression_attribute_values(":at", number(reopened))
                .send()
                .await
                .map_err(dynamo::sdk_failure),
        )
    }

    /// Changes an endpoint's attributes in place (never a stale copy of the others:
    /// the deliverer may switch it off meanwhile); the endpoint as it is then, `None`
    /// if it does not exist or `only_if` (a condition on the stored item) did not hold.
    pub async fn update_endpoint(
        &self,
        organizer_id: &str,
        endpoint_id: &str,
        change: &EndpointUpdate,
    ) -> Result<Option<Endpoint>, Failure> {
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(endpoint_key(organizer_id, endpoint_id)))
            .return_values(ReturnValue::AllNew);
        for (i, (name, value)) in change.set.iter().enumerate() {
            sets.push(format!("#s{i} = :s{i}"));
            update = update.expression_attribute_names(format!("#s{i}"), *name).expression_attribute_values(
                format!(":s{i}"),
                serde_dynamo::to_attribute_value(value).map_err(dynamo::failure)?,
            );
        }
        for (i, name) in change.remove.iter().enumerate() {
            removes.push(format!("#r{i}"));
            update = update.expression_attribute_names(format!("#r{i}"), *name);
        }
        let mut expression = String::new();
        if !sets.is_empty() {
            expression.push_str(&format!("SET {}", sets.join(", ")));
        }
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let mut condition = "attribute_exists(pk)".to_owned();
        if let Some((name, value)) = &change.only_if {
            condition.push_str(" AND #c = :c");
            update = update
                .expression_attribute_names("#c", *name)
                .expression_attribute_values(":c", serde_dynamo::to_attribute_value(value).map_err(dynamo::failure)?);
        }
        let result = update
            .update_expression(expression.trim())
            .condition_expression(condition)
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        match result {
            Ok(out) => out.attributes.map(|item| serde_dynamo::from_item(item).map_err(dynamo::failure)).transpose(),
            Err(Failure::ConditionFailed) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// What a redelivery found.
#[derive(Debug)]
pub enum Reopened {
    Pending(Delivery),
    /// An attempt holds it now: ask again in a moment.
    InProgress,
    Missing,
}

/// Attributes to set and remove on an endpoint, and a condition on one attribute.
#[derive(Debug, Default)]
pub struct EndpointUpdate {
    pub set: Vec<(&'static str, serde_json::Value)>,
    pub remove: Vec<&'static str>,
    pub only_if: Option<(&'static str, serde_json::Value)>,
}

fn status_text(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Delivered => "delivered",
        DeliveryStatus::Failed => "failed",
    }
}
