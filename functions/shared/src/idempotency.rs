//! Doing a thing once per key, as AWS Lambda Powertools does it (there is no
//! Powertools for Rust): a record keyed by the idempotency key, claimed with a
//! conditional write before the work, completed with the stored response after it.
//!
//! - Same key, same request, work done: the stored response is replayed.
//! - Same key, another request: refused (the client reused a key by mistake).
//! - Same key while the first is still running: refused as in flight; if that
//!   worker died, its claim lapses after `in_progress_seconds` and a retry proceeds.
//! - After `expires_seconds` the key may be used afresh.
//!
//! HTTP handlers use it for `Idempotency-Key`; queue consumers for "this message's
//! effect happened once" (e.g. key = reservation + notification kind).

use crate::dynamo::{self, Failure, Item, number, string};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InProgress,
    Completed,
}

/// One idempotency record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub status: Status,
    /// What the request looked like ([`fingerprint`]), to refuse a reused key.
    pub fingerprint: String,
    /// Epoch seconds after which the key is free again (also the item's TTL).
    pub expires_at: i64,
    /// Epoch seconds after which an unfinished claim counts as abandoned.
    pub in_progress_until: i64,
    /// The response to replay, once completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

/// What to do with a request, given the record its key already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Nobody did this yet (or their claim lapsed): do the work, then `complete`.
    Proceed,
    /// Done before with the same request: answer with this.
    Replay(String),
    /// Another request with the same key is being worked on.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
}

/// The rule, without storage: `existing` is the record found under the key.
pub fn decide(existing: Option<&Record>, fingerprint: &str, now: i64) -> Claim {
    let Some(record) = existing else { return Claim::Proceed };
    if record.expires_at <= now {
        return Claim::Proceed;
    }
    if record.fingerprint != fingerprint {
        return Claim::Mismatch;
    }
    match (record.status, &record.response) {
        (Status::Completed, Some(response)) => Claim::Replay(response.clone()),
        (Status::Completed, None) => Claim::Replay(String::new()),
        (Status::InProgress, _) if record.in_progress_until <= now => Claim::Proceed,
        (Status::InProgress, _) => Claim::InFlight,
    }
}

/// A stable digest of what identifies a request (method, path, body...).
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// How long keys and claims live.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub expires_seconds: i64,
    pub in_progress_seconds: i64,
}

/// Idempotency records in a table of ours (`pk` = `IDEMPOTENCY#<scope>#<key>`).
pub struct IdempotencyStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
    scope: String,
    lifetimes: Lifetimes,
}

impl IdempotencyStore {
    /// `scope` keeps one operation's keys apart from another's in the same table.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, scope: &str, lifetimes: Lifetimes) -> Self {
        Self { client, table: table.into(), scope: scope.to_owned(), lifetimes }
    }

    fn key(&self, key: &str) -> Item {
        dynamo::key(format!("IDEMPOTENCY#{}#{key}", self.scope), "IDEMPOTENCY")
    }

    /// Claims `key` for this request, or says why not. One conditional write; when
    /// it fails, the record that made it fail decides.
    pub async fn begin(&self, key: &str, fingerprint: &str, now: i64) -> Result<Claim, Failure> {
        let record = Record {
            status: Status::InProgress,
            fingerprint: fingerprint.to_owned(),
            expires_at: now + self.lifetimes.expires_seconds,
            in_progress_until: now + self.lifetimes.in_progress_seconds,
            response: None,
        };
        let mut item: Item = serde_dynamo::to_item(&record).map_err(dynamo::failure)?;
        item.extend(self.key(key));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(pk) OR expiresAt <= :now OR (#status = :in_progress AND inProgressUntil <= :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", number(now))
            .expression_attribute_values(":in_progress", string("in_progress"))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Proceed),
            Err(err) => {
                let old = err.as_service_error().and_then(|e| match e {
                    aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) => {
                        c.item().cloned()
                    }
                    _ => None,
                });
                match old {
                    Some(old) => {
                        let existing: Record = serde_dynamo::from_item(old).map_err(dynamo::failure)?;
                        // The write failed, so the record is live: Proceed here would mean a
                        // race with a claim that lapsed this very second; treat it as in flight.
                        Ok(match decide(Some(&existing), fingerprint, now) {
                            Claim::Proceed => Claim::InFlight,
                            other => other,
                        })
                    }
                    None => Err(dynamo::sdk_failure(err)),
                }
            }
        }
    }

    /// Marks the work done and stores the response to replay.
    pub async fn complete(&self, key: &str, response: &str) -> Result<(), Failure> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(self.key(key)))
            .update_expression("SET #status = :completed, #response = :response")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":completed", string("completed"))
            .expression_attribute_values(":response", AttributeValue::S(response.to_owned()))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(())
    }

    /// Gives the key back after the work failed without effect, so a retry may run.
    pub async fn release(&self, key: &str) -> Result<(), Failure> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(self.key(key)))
            .condition_expression("#status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", string("in_progress"))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        // Not in progress any more (completed, or gone): nothing to give back.
        dynamo::condition_held(result).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: Status, response: Option<&str>) -> Record {
        Record {
            status,
            fingerprint: "f1".into(),
            expires_at: 1_000,
            in_progress_until: 100,
            response: response.map(str::to_owned),
        }
    }

    #[test]
    fn a_new_key_proceeds() {
        assert_eq!(decide(None, "f1", 50), Claim::Proceed);
    }

    #[test]
    fn a_completed_request_is_replayed_and_a_different_one_refused() {
        let done = record(Status::Completed, Some(r#"{"status":201}"#));
        assert_eq!(decide(Some(&done), "f1", 50), Claim::Replay(r#"{"status":201}"#.into()));
        assert_eq!(decide(Some(&done), "f2", 50), Claim::Mismatch);
    }

    #[test]
    fn a_running_request_is_in_flight_until_its_claim_lapses() {
        let running = record(Status::InProgress, None);
        assert_eq!(decide(Some(&running), "f1", 99), Claim::InFlight);
        assert_eq!(decide(Some(&running), "f1", 100), Claim::Proceed, "the worker died; a retry may run");
        assert_eq!(decide(Some(&running), "f2", 99), Claim::Mismatch);
    }

    #[test]
    fn an_expired_key_is_free_again() {
        let done = record(Status::Completed, Some("old"));
        assert_eq!(decide(Some(&done), "f2", 1_000), Claim::Proceed);
    }

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_eq!(fingerprint(&[b"POST", b"/a"]), fingerprint(&[b"POST", b"/a"]));
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
        assert_eq!(fingerprint(&[b"x"]).len(), 64);
    }
}
