//! DynamoDB plumbing every store repeats: attribute values, keys, failures by kind
//! and opaque pagination cursors. Nothing here knows any table's items.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// Ids in paths are UUIDs; a longer one cannot exist, and DynamoDB refuses keys
/// over 2 KB with an error, so handlers answer 404 before asking.
pub const MAX_ID_BYTES: usize = 64;

/// Whether a client-supplied id can name anything stored.
pub fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_BYTES
}

pub fn string(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The `pk`/`sk` key every table of ours uses.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_owned(), string(pk)), ("sk".to_owned(), string(sk))])
}

/// What went wrong with a DynamoDB call, by kind. Callers decide on the kind
/// (answer 409, retry later, give up), never on message text; the text is for logs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Failure {
    /// DynamoDB asked us to slow down or try again: throughput or request limits, or
    /// a transaction in the way. Worth retrying after a pause.
    #[error("throttled: {0}")]
    Throttled(String),
    /// A single write's condition was false.
    #[error("the condition check failed")]
    ConditionFailed,
    /// A transaction was cancelled; one reason per action, in the order they were sent.
    #[error("transaction cancelled: {0:?}")]
    Cancelled(Vec<Cancellation>),
    /// A table or index that does not exist: a deployment problem, not the client's.
    #[error("not found: {0}")]
    NotFound(String),
    /// Anything else: the network, a timeout, an item that does not decode.
    #[error("storage failure: {0}")]
    Other(String),
}

/// Why one action of a cancelled transaction failed (DynamoDB's `CancellationReason`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cancellation {
    pub reason: CancelReason,
    /// The item as it was, when the action asked for it
    /// (`ReturnValuesOnConditionCheckFailure = ALL_OLD`) and its condition failed.
    pub item: Option<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelReason {
    /// This action was fine; another one cancelled the transaction.
    None,
    ConditionFailed,
    /// Another transaction or write touched the same item at the same time.
    TransactionConflict,
    Throttled,
    Other(String),
}

impl Failure {
    /// Whether trying the same call again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Failure::Throttled(_) | Failure::Other(_) => true,
            Failure::Cancelled(reasons) => {
                reasons.iter().any(|r| matches!(r.reason, CancelReason::TransactionConflict | CancelReason::Throttled))
                    && !reasons.iter().any(|r| r.reason == CancelReason::ConditionFailed)
            }
            Failure::ConditionFailed | Failure::NotFound(_) => false,
        }
    }

    /// The reason of action `index` of a cancelled transaction, if this is one.
    pub fn cancelled_at(&self, index: usize) -> Option<&Cancellation> {
        match self {
            Failure::Cancelled(reasons) => reasons.get(index),
            _ => None,
        }
    }

    /// Whether action `index` of a cancelled transaction failed its condition.
    pub fn condition_failed_at(&self, index: usize) -> bool {
        self.cancelled_at(index).is_some_and(|c| c.reason == CancelReason::ConditionFailed)
    }
}

/// A conditional write's outcome: `Ok(false)` when its condition was false (for
/// writes where that is an answer, not an error).
pub fn condition_held<T>(result: Result<T, Failure>) -> Result<bool, Failure> {
    match result {
        Ok(_) => Ok(true),
        Err(Failure::ConditionFailed) => Ok(false),
        Err(other) => Err(other),
    }
}

/// DynamoDB's limits of keys per `BatchGetItem` and of writes per `BatchWriteItem`.
const BATCH_GET: usize = 100;
const BATCH_WRITE: usize = 25;

/// Tries of a batch call while DynamoDB leaves part of it unprocessed, with growing pauses.
const BATCH_TRIES: u32 = 8;

async fn batch_pause(attempt: u32) {
    if attempt > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(50 << attempt.min(5))).await;
    }
}

/// Reads `keys` of `table` with `BatchGetItem` (a call per hundred), retrying what
/// DynamoDB leaves unprocessed; the items found, in no particular order.
pub async fn batch_get(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    keys: Vec<Item>,
    consistent: bool,
    projection: Option<&str>,
) -> Result<Vec<Item>, Failure> {
    use aws_sdk_dynamodb::types::KeysAndAttributes;
    let mut found = Vec::new();
    for chunk in keys.chunks(BATCH_GET) {
        let request = KeysAndAttributes::builder()
            .set_keys(Some(chunk.to_vec()))
            .consistent_read(consistent)
            .set_projection_expression(projection.map(str::to_owned))
            .build()
            .map_err(failure)?;
        let mut pending = Some(request);
        for attempt in 0..BATCH_TRIES {
            let Some(request) = pending.take() else { break };
            batch_pause(attempt).await;
            let out = client.batch_get_item().request_items(table, request).send().await.map_err(sdk_failure)?;
            found.extend(out.responses.and_then(|mut r| r.remove(table)).unwrap_or_default());
            pending = out.unprocessed_keys.and_then(|mut u| u.remove(table));
        }
        if pending.is_some() {
            return Err(Failure::Throttled("batch read left keys unprocessed".into()));
        }
    }
    Ok(found)
}

/// Puts `items` into `table` with `BatchWriteItem` (a call per 25; no conditions),
/// retrying what DynamoDB leaves unprocessed.
pub async fn batch_put(client: &aws_sdk_dynamodb::Client, table: &str, items: Vec<Item>) -> Result<(), Failure> {
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    let requests = items
        .into_iter()
        .map(|item| {
            PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map(|put| WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(failure)?;
    batch_write(client, table, requests).await
}

/// Deletes the items of `keys` from `table` with `BatchWriteItem` (no conditions).
pub async fn batch_delete(client: &aws_sdk_dynamodb::Client, table: &str, keys: Vec<Item>) -> Result<(), Failure> {
    use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
    let requests = keys
        .into_iter()
        .map(|key| {
            DeleteRequest::builder()
                .set_key(Some(key))
                .build()
                .map(|d| WriteRequest::builder().delete_request(d).build())
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(failure)?;
    batch_write(client, table, requests).await
}

async fn batch_write(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    requests: Vec<aws_sdk_dynamodb::types::WriteRequest>,
) -> Result<(), Failure> {
    for chunk in requests.chunks(BATCH_WRITE) {
        let mut pending = chunk.to_vec();
        for attempt in 0..BATCH_TRIES {
            if pending.is_empty() {
                break;
            }
            batch_pause(attempt).await;
            let out = client.batch_write_item().request_items(table, pending).send().await.map_err(sdk_failure)?;
            pending = out.unprocessed_items.and_then(|mut u| u.remove(table)).unwrap_or_default();
        }
        if !pending.is_empty() {
            return Err(Failure::Throttled("batch write left items unprocessed".into()));
        }
    }
    Ok(())
}

/// Every item a query finds, page after page.
pub async fn query_all(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<Item>, Failure> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = query.clone().set_exclusive_start_key(start.take()).send().await.map_err(sdk_failure)?;
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// For `map_err` on anything displayable (decode errors, builders).
pub fn failure(err: impl std::fmt::Display) -> Failure {
    Failure::Other(err.to_string())
}

const THROTTLING_CODES: [&str; 5] = [
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ThrottlingException",
    "TransactionConflictException",
    "TransactionInProgressException",
];

fn classify(code: Option<&str>, detail: String) -> Failure {
    match code {
        Some("ConditionalCheckFailedException") => Failure::ConditionFailed,
        Some("ResourceNotFoundException") => Failure::NotFound(detail),
        Some(code) if THROTTLING_CODES.contains(&code) => Failure::Throttled(detail),
        _ => Failure::Other(detail),
    }
}

/// For `map_err` on SDK calls: the failure's kind from the service's error code.
pub fn sdk_failure<E, R>(err: SdkError<E, R>) -> Failure
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    let code = err.code().map(str::to_owned);
    classify(code.as_deref(), DisplayErrorContext(err).to_string())
}

/// For `map_err` on `TransactWriteItems`: a cancellation keeps its per-action reasons.
pub fn transaction_failure<R: std::fmt::Debug>(err: SdkError<TransactWriteItemsError, R>) -> Failure {
    match err {
        SdkError::ServiceError(service) => match service.into_err() {
            TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                Failure::Cancelled(cancelled.cancellation_reasons().iter().map(cancellation).collect())
            }
            other => {
                let code = other.code().map(str::to_owned);
                classify(code.as_deref(), DisplayErrorContext(other).to_string())
            }
        },
        other => sdk_failure(other),
    }
}

fn cancellation(reason: &aws_sdk_dynamodb::types::CancellationReason) -> Cancellation {
    let reason_kind = match reason.code() {
        None | Some("None") => CancelReason::None,
        Some("ConditionalCheckFailed") => CancelReason::ConditionFailed,
        Some("TransactionConflict") => CancelReason::TransactionConflict,
        Some("ThrottlingError" | "ProvisionedThroughputExceeded" | "RequestLimitExceeded") => CancelReason::Throttled,
        Some(other) => CancelReason::Other(other.to_owned()),
    };
    Cancellation { reason: reason_kind, item: reason.item().cloned() }
}

/// A listing's next position (DynamoDB's last evaluated key) as opaque base64url JSON.
pub fn encode_cursor(last: &Item) -> String {
    let plain: HashMap<&str, &str> =
        last.iter().filter_map(|(k, v)| v.as_s().ok().map(|v| (k.as_str(), v.as_str()))).collect();
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&plain).expect("a string map always serializes"))
}

/// Decodes a cursor for a listing of `index` in `partition`, refusing anything else,
/// so a forged cursor cannot reach another partition or item kind. `None` if invalid.
pub fn decode_cursor(cursor: &str, index: &str, partition: &str, pk_prefix: &str) -> Option<Item> {
    // Keys are short; anything long is forged and would only make DynamoDB refuse the query.
    if cursor.len() > 2048 {
        return None;
    }
    let json = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let plain: HashMap<String, String> = serde_json::from_slice(&json).ok()?;
    let (index_pk, index_sk) = (format!("{index}pk"), format!("{index}sk"));
    let expected = ["pk", "sk", index_pk.as_str(), index_sk.as_str()];
    let valid = plain.len() == expected.len()
        && expected.iter().all(|k| plain.contains_key(*k))
        && plain[&index_pk] == partition
        && plain["pk"].starts_with(pk_prefix)
        && plain.values().all(|v| !v.is_empty() && v.len() <= MAX_ID_BYTES * 4);
    valid.then(|| plain.into_iter().map(|(k, v)| (k, string(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_partitions() {
        let last = HashMap::from([
            ("pk".to_owned(), string("USER#u1")),
            ("sk".to_owned(), string("PROFILE")),
            ("gsi2pk".to_owned(), string("ROLE#admin")),
            ("gsi2sk".to_owned(), string("2026-01-01T00:00:00Z#u1")),
        ]);
        let cursor = encode_cursor(&last);
        assert_eq!(decode_cursor(&cursor, "gsi2", "ROLE#admin", "USER#"), Some(last));
        assert_eq!(decode_cursor(&cursor, "gsi2", "ROLE#attendee", "USER#"), None, "another partition");
        assert_eq!(decode_cursor(&cursor, "gsi1", "USERS", "USER#"), None, "another index");
        assert_eq!(decode_cursor(&cursor, "gsi2", "ROLE#admin", "EVENT#"), None, "another item kind");
        assert_eq!(decode_cursor("!!!", "gsi1", "USERS", ""), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("[1]"), "gsi1", "USERS", ""), None);
    }

    #[test]
    fn failures_keep_their_kind() {
        assert_eq!(classify(Some("ConditionalCheckFailedException"), "x".into()), Failure::ConditionFailed);
        assert_eq!(
            classify(Some("ProvisionedThroughputExceededException"), "slow".into()),
            Failure::Throttled("slow".into())
        );
        assert_eq!(classify(Some("ResourceNotFoundException"), "t".into()), Failure::NotFound("t".into()));
        assert_eq!(classify(None, "io".into()), Failure::Other("io".into()));
        assert!(Failure::Throttled(String::new()).is_transient());
        assert!(!Failure::ConditionFailed.is_transient());
    }

    #[test]
    fn cancellations_are_read_by_action() {
        let reason =
            |code: &str| cancellation(&aws_sdk_dynamodb::types::CancellationReason::builder().code(code).build());
        let failure = Failure::Cancelled(vec![reason("None"), reason("ConditionalCheckFailed")]);
        assert!(!failure.condition_failed_at(0));
        assert!(failure.condition_failed_at(1));
        assert!(!failure.condition_failed_at(2));
        assert!(!failure.is_transient(), "a failed condition will fail again");
        let conflict = Failure::Cancelled(vec![reason("TransactionConflict"), reason("None")]);
        assert!(conflict.is_transient(), "a conflicting transaction may be gone next time");
        assert_eq!(reason("ThrottlingError").reason, CancelReason::Throttled);
        assert_eq!(reason("ValidationError").reason, CancelReason::Other("ValidationError".into()));
    }

    #[test]
    fn keys_are_pk_and_sk() {
        let k = key("EVENT#1", "META");
        assert_eq!(k["pk"], string("EVENT#1"));
        assert_eq!(k["sk"], string("META"));
    }
}
