//! The payments table: one item per reservation, `PAYMENT#<reservationId>` /
//! `PAYMENT`, with its status and the provider's intent id.

use crate::domain::{Payment, Status};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use shared::clock::stored;
use shared::dynamo::{self, Failure, Item, number, string as s};

pub struct PaymentStore {
    client: Client,
    table: String,
}

/// A partial refund's own record, beside its payment.
fn partial_key(reservation_id: &str, refund_id: &str) -> Item {
    dynamo::key(format!("PAYMENT#{reservation_id}"), format!("REFUND#{refund_id}"))
}

/// What claiming a partial refund found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartClaim {
    /// Nobody had started it.
    New,
    /// A worker had, and died (its claim lapsed): the provider may have done it.
    TakenOver,
    /// Done already.
    Done,
    /// Another worker has it now.
    Busy,
}

fn key(reservation_id: &str) -> Item {
    dynamo::key(format!("PAYMENT#{reservation_id}"), "PAYMENT")
}

impl PaymentStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub async fn get(&self, reservation_id: &str) -> Result<Option<Payment>, Failure> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(reservation_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let Some(item) = out.item else { return Ok(None) };
        let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
        let integer = |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok());
        let status = text("status")
            .as_deref()
            .and_then(Status::parse)
            .ok_or_else(|| Failure::Other(format!("unknown payment status {:?}", text("status"))))?;
        Ok(Some(Payment {
            reservation_id: reservation_id.to_owned(),
            status,
            intent_id: text("intentId"),
            amount_minor: integer("amountMinor").unwrap_or(0),
            currency: text("currency").unwrap_or_default(),
            refund_claimed_until: integer("refundClaimUntil"),
            client_secret: text("clientSecret"),
            attempt: integer("attempt").unwrap_or(0) as u32,
            refund_failures: integer("refundFailures").unwrap_or(0) as u32,
        }))
    }

    /// Claims a partial refund for `until` (Unix seconds): a new claim, or one whose
    /// worker died (its claim lapsed). What the refund's record said before, if anything.
    pub async fn claim_partial_refund(
        &self,
        reservation_id: &str,
        refund_id: &str,
        amount_minor: i64,
        until: i64,
        now: DateTime<Utc>,
    ) -> Result<PartClaim, Failure> {
        let mut item = partial_key(reservation_id, refund_id);
        item.insert("reservationId".into(), s(reservation_id));
        item.insert("refundId".into(), s(refund_id));
        item.insert("amountMinor".into(), dynamo::number(amount_minor));
        item.insert("status".into(), s(Status::Refunding.as_str()));
        item.insert("claimUntil".into(), number(until));
        item.insert("updatedAt".into(), s(stored(now)));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR (#status = :refunding AND claimUntil <= :now)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":refunding", s(Status::Refunding.as_str()))
            .expression_attribute_values(":now", number(now.timestamp()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        match result {
            Ok(out) => Ok(if out.attributes.is_some_and(|old| !old.is_empty()) {
                PartClaim::TakenOver
            } else {
                PartClaim::New
            }),
            Err(Failure::ConditionFailed) => {
                let out = self
                    .client
                    .get_item()
                    .table_name(&self.table)
                    .set_key(Some(partial_key(reservation_id, refund_id)))
                    .consistent_read(true)
                    .send()
                    .await
                    .map_err(dynamo::sdk_failure)?;
                let done = out.item.and_then(|i| i.get("status").and_then(|v| v.as_s().ok()).cloned())
                    == Some(Status::Refunded.as_str().to_owned());
                Ok(if done { PartClaim::Done } else { PartClaim::Busy })
            }
            Err(other) => Err(other),
        }
    }

    /// Marks a claimed partial refund done.
    pub async fn finish_partial_refund(
        &self,
        reservation_id: &str,
        refund_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Failure> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(partial_key(reservation_id, refund_id)))
            .update_expression("SET #status = :refunded, updatedAt = :now REMOVE claimUntil")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":refunded", s(Status::Refunded.as_str()))
            .expression_attribute_values(":now", s(stored(now)))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(())
    }

    /// Records a payment (pending, or succeeded for a free order), unless one exists
    /// (`false` then), with the chain's correlation id (its outcome carries it on).
    pub async fn start(&self, payment: &Payment, correlation_id: &str, now: DateTime<Utc>) -> Result<bool, Failure> {
        let mut item = key(&payment.reservation_id);
        item.insert("correlationId".into(), s(correlation_id));
        item.insert("reservationId".into(), s(&payment.reservation_id));
        item.insert("status".into(), s(payment.status.as_str()));
        item.insert("amountMinor".into(), number(payment.amount_minor));
        item.insert("currency".into(), s(&payment.currency));
        item.insert("createdAt".into(), s(stored(now)));
        item.insert("updatedAt".into(), s(stored(now)));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    /// Records the intent, unless another worker recorded one first (`false` then).
    pub async fn record_intent(&self, reservation_id: &str, intent_id: &str) -> Result<bool, Failure> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(reservation_id)))
            .update_expression("SET intentId = :intent")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(intentId)")
            .expression_attribute_values(":intent", s(intent_id))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    /// The payment now waits on its buyer (`to`: requires action, or requires another
    /// card), moved from `from`; the sequence number orders what the reservation shows.
    /// `false` if it had moved already.
    pub async fn await_buyer(
        &self,
        reservation_id: &str,
        from: Status,
        to: Status,
        client_secret: Option<&str>,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(reservation_id)))
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", s(from.as_str()))
            .expression_attribute_values(":to", s(to.as_str()))
            .expression_attribute_values(":detail", s(detail))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":now", s(stored(now)));
        let mut sets =
            "SET #status = :to, detail = :detail, #seq = if_not_exists(#seq, :zero) + :one, updatedAt = :now";
        update = update.expression_attribute_names("#seq", "sequence");
        let with_secret;
        if let Some(secret) = client_secret {
            with_secret = format!("{sets}, clientSecret = :secret");
            sets = &with_secret;
            update = update.expression_attribute_values(":secret", s(secret));
        }
        let result = update.update_expression(sets).send().await.map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    /// The buyer's card retry `attempt` is applied: the payment (waiting on its buyer,
    /// `from`) is pending again.
    /// `false` if it (or a later one) was applied already or the payment moved on.
    pub async fn begin_retry(
        &self,
        reservation_id: &str,
        from: Status,
        attempt: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(reservation_id)))
            .update_expression("SET #status = :pending, attempt = :attempt, updatedAt = :now")
            .condition_expression("#status = :waiting AND (attribute_not_exists(attempt) OR attempt < :attempt)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(Status::Pending.as_str()))
            .expression_attribute_values(":waiting", s(from.as_str()))
            .expression_attribute_values(":attempt", number(attempt as i64))
            .expression_attribute_values(":now", s(stored(now)))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    /// Records the dispute the buyer's bank opened, once (`false` if recorded already).
    pub async fn record_dispute(
        &self,
        reservation_id: &str,
        dispute_id: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(reservation_id)))
            .update_expression("SET disputeId = :dispute, disputeReason = :reason, updatedAt = :now")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(disputeId)")
            .expression_attribute_values(":dispute", s(dispute_id))
            .expression_attribute_values(":reason", s(reason.unwrap_or("unknown")))
            .expression_attribute_values(":now", s(stored(now)))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    /// A refund that failed at the bank: the payment is `succeeded` again (the money is
    /// back), its failures counted; `false` if that refund's failure was applied already.
    pub async fn refund_failed(
        &self,
        reservation_id: &str,
        refund_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(reservation_id)))
            .update_expression(
                "SET #status = :succeeded, refundFailures = if_not_exists(refundFailures, :zero) + :one, \
                 lastFailedRefund = :refund, updatedAt = :now REMOVE refundClaimUntil",
            )
            .condition_expression(
                "#status = :refunded AND (attribute_not_exists(lastFailedRefund) OR lastFailedRefund <> :refund)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":succeeded", s(Status::Succeeded.as_str()))
            .expression_attribute_values(":refunded", s(Status::Refunded.as_str()))
            .expression_attribute_values(":refund", s(refund_id))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":now", s(stored(now)))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    /// Claims the payment's refund until `until` (Unix seconds): from `succeeded`, or
    /// from a claim that lapsed by `now`. `false` if another worker holds it or it is done.
    pub async fn claim_refund(&self, reservation_id: &str, until: i64, now: DateTime<Utc>) -> Result<bool, Failure> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(reservation_id)))
            .update_expression("SET #status = :refunding, refundClaimUntil = :until, updatedAt = :now")
            .condition_expression("#status = :succeeded OR (#status = :refunding AND refundClaimUntil <= :epoch)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":refunding", s(Status::Refunding.as_str()))
            .expression_attribute_values(":succeeded", s(Status::Succeeded.as_str()))
            .expression_attribute_values(":until", number(until))
            .expression_attribute_values(":epoch", number(now.timestamp()))
            .expression_attribute_values(":now", s(stored(now)))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    /// The payment's move from `from` to `to`, as an action of a larger transaction.
    pub fn transition(
        &self,
        reservation_id: &str,
        from: Status,
        to: Status,
        now: DateTime<Utc>,
    ) -> Result<TransactWriteItem, Failure> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(reservation_id)))
            .update_expression("SET #status = :to, updatedAt = :now")
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":to", s(to.as_str()))
            .expression_attribute_values(":from", s(from.as_str()))
            .expression_attribute_values(":now", AttributeValue::S(stored(now)))
            .build()
            .map_err(dynamo::failure)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The payment's move from `from` to `to` on its own; `false` if it had moved already.
    pub async fn set_status(
        &self,
        reservation_id: &str,
        from: Status,
        to: Status,
        now: DateTime<Utc>,
    ) -> Result<bool, Failure> {
        let action = self.transition(reservation_id, from, to, now)?;
        let result =
            self.client.transact_write_items().transact_items(action).send().await.map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(true),
            Err(failure) if failure.condition_failed_at(0) => Ok(false),
            Err(other) => Err(other),
        }
    }
}
