//! DynamoDB stream event source mappings, locally: read a table's stream from
//! DynamoDB Local (its Streams API on the same port) and hand the records to the
//! function in Lambda's DynamoDB event, with the mapping's semantics:
//!
//! - records reach the function in order, one batch in flight per shard;
//! - records that match none of `FilterCriteria` are skipped (they count as processed);
//! - with `ReportBatchItemFailures`, the function names the first record it could
//!   not process (`itemIdentifier` = its `SequenceNumber`): the ones before it are
//!   done, it and the ones after are retried;
//! - an error (or a crash, or a timeout) fails the whole batch; with
//!   `BisectBatchOnFunctionError` the failed part is split in half and the first
//!   half retried alone, down to a single record. A split is not counted as a
//!   retry: only failures of an unsplittable batch count against
//!   `MaximumRetryAttempts`, so a poison record is isolated before its retries
//!   run out and the records beside it are not given up with it;
//! - when the retries run out, or the oldest record is older than
//!   `MaximumRecordAgeInSeconds` (measured from when the runner read it: DynamoDB
//!   Local rounds `ApproximateCreationDateTime` to the minute), the batch's
//!   metadata goes to the `OnFailure` destination and the shard moves on.
//!
//! The runner reads the stream through its JSON protocol, so records arrive in
//! DynamoDB JSON, exactly as Lambda passes them on.

use crate::lambda::FunctionPool;
use crate::output;
use crate::stack::Stack;
use crate::template::StreamSource;
use axum::body::Bytes;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a shard is read: at once after records came, every 250 ms while it is
/// idle (Lambda polls a shard four times a second), and once a second after
/// [`QUIET_AFTER`] without records. Most shards are quiet most of the time, and
/// with a platform per test binary their polls were a tenth of DynamoDB Local's
/// and the runner's CPU time; the cost is up to a second more for the first
/// record after a quiet spell.
const BUSY_POLL: Duration = Duration::from_millis(100);
const IDLE_POLL: Duration = Duration::from_millis(250);
const QUIET_POLL: Duration = Duration::from_secs(1);
const QUIET_AFTER: Duration = Duration::from_secs(10);
/// How often the stream's shards are listed again (a shard closes and its children begin).
const RESHARD_POLL: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Mapping {
    pub function: Arc<FunctionPool>,
    pub table: String,
    /// The stream's ARN as the template sees it (the records' `eventSourceARN`).
    pub stream_arn: String,
    pub dynamodb_endpoint: String,
    pub region: String,
    pub source: StreamSource,
    /// The `OnFailure` queue, as (url, arn).
    pub on_failure: Option<(String, String)>,
}

/// A function's DynamoDB event source as a mapping to poll; `None` when it is disabled.
pub fn mapping(stack: &Stack, source: &StreamSource, function: &Arc<FunctionPool>) -> anyhow::Result<Option<Mapping>> {
    let (table, stream_arn) = stack.stream_of(&source.stream)?;
    let on_failure = match &source.on_failure {
        Some(destination) => {
            let (_, url, arn) = stack.queue_of(destination)?;
            Some((url, arn))
        }
        None => None,
    };
    if !source.enabled {
        return Ok(None);
    }
    let mut source = source.clone();
    source.batch_size = source.batch_size.clamp(1, 10_000);
    Ok(Some(Mapping {
        function: function.clone(),
        table,
        stream_arn,
        dynamodb_endpoint: stack.options.dynamodb_endpoint.clone(),
        region: stack.options.region.clone(),
        source,
        on_failure,
    }))
}

/// DynamoDB Local's Streams API (and the one DescribeTable call that finds the stream).
#[derive(Clone)]
struct Streams {
    http: reqwest::Client,
    endpoint: String,
}

impl Streams {
    async fn call(&self, target: &str, body: Value) -> Result<Value, String> {
        let response = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", target)
            // DynamoDB Local wants a signature's shape, not a valid one.
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential={}/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local",
                    crate::local_services::access_key_id()
                ),
            )
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("{target}: {e}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| format!("{target}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{target}: {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{target}: {e}"))
    }

    async fn latest_stream(&self, table: &str) -> Result<Option<String>, String> {
        let described = self.call("DynamoDB_20120810.DescribeTable", json!({ "TableName": table })).await?;
        Ok(described["Table"]["LatestStreamArn"].as_str().map(str::to_owned))
    }

    /// The stream's shards as (id, parent id).
    async fn shards(&self, stream: &str) -> Result<Vec<(String, Option<String>)>, String> {
        let mut shards = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let mut request = json!({ "StreamArn": stream });
            if let Some(id) = &start {
                request["ExclusiveStartShardId"] = json!(id);
            }
            let described = self.call("DynamoDBStreams_20120810.DescribeStream", request).await?;
            let description = &described["StreamDescription"];
            for shard in description["Shards"].as_array().into_iter().flatten() {
                if let Some(id) = shard["ShardId"].as_str() {
                    shards.push((id.to_owned(), shard["ParentShardId"].as_str().map(str::to_owned)));
                }
            }
            match description["LastEvaluatedShardId"].as_str() {
                Some(last) => start = Some(last.to_owned()),
                None => return Ok(shards),
            }
        }
    }

    async fn iterator(&self, stream: &str, shard: &str, position: &Position) -> Result<String, String> {
        let mut request = json!({ "StreamArn": stream, "ShardId": shard });
        match position {
            Position::Start(kind) => request["ShardIteratorType"] = json!(kind),
            Position::After(sequence) => {
                request["ShardIteratorType"] = json!("AFTER_SEQUENCE_NUMBER");
                request["SequenceNumber"] = json!(sequence);
            }
        }
        let answer = self.call("DynamoDBStreams_20120810.GetShardIterator", request).await?;
        answer["ShardIterator"].as_str().map(str::to_owned).ok_or_else(|| "no ShardIterator".to_owned())
    }
}

enum Position {
    /// `TRIM_HORIZON` or `LATEST`.
    Start(String),
    After(String),
}

/// Runs the mapping until the task is dropped: a reader per shard, a child shard
/// only once its parent is read to its end.
pub async fn poll(sqs: aws_sdk_sqs::Client, mapping: Mapping) {
    let streams = Streams { http: reqwest::Client::new(), endpoint: mapping.dynamodb_endpoint.clone() };
    let finished: Arc<Mutex<HashSet<String>>> = Arc::default();
    // A shard read to its end lists the shards again at once: its children are
    // read without waiting for the next periodic listing.
    let shard_ended = Arc::new(tokio::sync::Notify::new());
    let mut readers: HashMap<String, tokio::task::JoinHandle<()>> = HashMap::new();
    loop {
        match discover(&streams, &mapping.table).await {
            Ok(Some((stream, shards))) => {
                let known: HashSet<&String> = shards.iter().map(|(id, _)| id).collect();
                for (id, parent) in &shards {
                    let parent_done = parent
                        .as_ref()
                        .is_none_or(|p| !known.contains(p) || finished.lock().expect("lock").contains(p));
                    if readers.contains_key(id) || !parent_done {
                        continue;
                    }
                    let reader = ShardReader {
                        streams: streams.clone(),
                        sqs: sqs.clone(),
                        mapping: mapping.clone(),
                        stream: stream.clone(),
                        shard: id.clone(),
                    };
                    let finished = finished.clone();
                    let shard_ended = shard_ended.clone();
                    let shard = id.clone();
                    readers.insert(
                        id.clone(),
                        tokio::spawn(async move {
                            reader.run().await;
                            finished.lock().expect("lock").insert(shard);
                            shard_ended.notify_one();
                        }),
                    );
                }
            }
            Ok(None) => tracing::warn!(table = %mapping.table, "the table has no stream yet"),
            Err(err) => tracing::warn!(table = %mapping.table, error = %err, "listing the stream's shards failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(RESHARD_POLL) => {}
            () = shard_ended.notified() => {}
        }
    }
}

async fn discover(streams: &Streams, table: &str) -> Result<Option<(String, Vec<(String, Option<String>)>)>, String> {
    let Some(stream) = streams.latest_stream(table).await? else { return Ok(None) };
    let shards = streams.shards(&stream).await?;
    Ok(Some((stream, shards)))
}

/// A record read from the shard, waiting to be processed.
struct Pending {
    record: Value,
    read_at: Instant,
}

struct ShardReader {
    streams: Streams,
    sqs: aws_sdk_sqs::Client,
    mapping: Mapping,
    /// DynamoDB Local's ARN of the stream.
    stream: String,
    shard: String,
}

/// What an invocation did with a batch.
#[derive(Debug, PartialEq, Eq)]
pub enum BatchResult {
    /// Every record processed.
    Done,
    /// The first `n` records processed; the rest failed.
    Partly(usize),
    /// Nothing processed.
    Failed(String),
}

impl ShardReader {
    async fn run(self) {
        let source = &self.mapping.source;
        let mut position = Position::Start(source.starting_position.clone());
        let mut iterator: Option<String> = None;
        let mut buffer: VecDeque<Pending> = VecDeque::new();
        let mut closed = false;
        let mut pause = BUSY_POLL;
        let mut last_records = Instant::now();
        // Failed invocations of the batch at the front (splits not counted).
        let mut attempts = 0u32;
        // How many records the next invocation gets (smaller after a split).
        let mut limit = source.batch_size;
        loop {
            if !closed && buffer.len() < source.batch_size {
                if iterator.is_none() {
                    match self.streams.iterator(&self.stream, &self.shard, &position).await {
                        Ok(it) => iterator = Some(it),
                        Err(err) => {
                            tracing::warn!(shard = %self.shard, error = %err, "positioning in the shard failed");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            continue;
                        }
                    }
                }
                let request = json!({ "ShardIterator": iterator.as_deref().unwrap_or_default(), "Limit": 1000 });
                match self.streams.call("DynamoDBStreams_20120810.GetRecords", request).await {
                    Ok(answer) => {
                        let records = answer["Records"].as_array().cloned().unwrap_or_default();
                        let read_at = Instant::now();
                        if let Some(last) = records.last().and_then(|r| r["dynamodb"]["SequenceNumber"].as_str()) {
                            position = Position::After(last.to_owned());
                        }
                        let fetched = records.len();
                        buffer.extend(
                            records
                                .into_iter()
                                .filter(|r| passes(&source.filters, r))
                                .map(|record| Pending { record, read_at }),
                        );
                        iterator = answer["NextShardIterator"].as_str().map(str::to_owned);
                        closed = iterator.is_none();
                        if fetched == 0 && buffer.is_empty() && !closed {
                            tokio::time::sleep(pause).await;
                            let idle = if last_records.elapsed() >= QUIET_AFTER { QUIET_POLL } else { IDLE_POLL };
                            pause = (pause * 2).min(idle);
                            continue;
                        }
                        if fetched > 0 {
                            pause = BUSY_POLL;
                            last_records = Instant::now();
                        }
                    }
                    Err(err) => {
                        // An iterator expires: position again after the last record read.
                        tracing::warn!(shard = %self.shard, error = %err, "reading the shard failed");
                        iterator = None;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            let Some(oldest) = buffer.front().map(|p| p.read_at) else {
                if closed {
                    return;
                }
                continue;
            };
            if !closed && buffer.len() < source.batch_size && oldest.elapsed() < source.batching_window {
                tokio::time::sleep(BUSY_POLL).await;
                continue;
            }
            let count = buffer.len().min(limit).max(1);
            let batch: Vec<&Value> = buffer.iter().take(count).map(|p| &p.record).collect();
            let result = self.invoke(&batch).await;
            let failed = match result {
                BatchResult::Done => {
                    buffer.drain(..count);
                    attempts = 0;
                    limit = source.batch_size;
                    continue;
                }
                BatchResult::Partly(done) => {
                    buffer.drain(..done);
                    attempts = 0;
                    count - done
                }
                BatchResult::Failed(_) => count,
            };
            let too_old = source.max_record_age.is_some_and(|age| oldest.elapsed() > age);
            if source.bisect_on_error && failed > 1 && !too_old {
                limit = failed / 2;
                continue;
            }
            attempts += 1;
            let exhausted = source.max_retries.is_some_and(|max| attempts > max);
            if exhausted || too_old {
                let condition = if too_old { "RecordAgeExceeded" } else { "RetryAttemptsExhausted" };
                let given_up: Vec<Value> = buffer.drain(..failed).map(|p| p.record).collect();
                self.give_up(&given_up, condition, attempts).await;
                attempts = 0;
                limit = source.batch_size;
                continue;
            }
            limit = failed;
            tokio::time::sleep(Duration::from_millis(100u64 << attempts.min(6))).await;
        }
    }

    async fn invoke(&self, batch: &[&Value]) -> BatchResult {
        let event = event(&self.mapping, batch);
        let function = &self.mapping.function.config.logical_id;
        match self.mapping.function.invoke(Bytes::from(event.to_string())).await {
            Ok(body) => {
                let result = outcome(self.mapping.source.report_batch_item_failures, batch, &body);
                match &result {
                    BatchResult::Done => {}
                    BatchResult::Partly(done) => output::platform(
                        function,
                        &format!("stream batch of {}: {} processed, the rest retried", batch.len(), done),
                    ),
                    BatchResult::Failed(why) => {
                        output::platform(function, &format!("stream batch of {} failed: {why}", batch.len()))
                    }
                }
                result
            }
            Err(err) => {
                output::platform(function, &format!("stream batch of {} failed: {err}; retried", batch.len()));
                BatchResult::Failed(err.to_string())
            }
        }
    }

    /// Records what was given up in the `OnFailure` destination (its metadata, as
    /// Lambda sends it: the records themselves stay in the stream for 24 hours).
    async fn give_up(&self, records: &[Value], condition: &str, attempts: u32) {
        let function = &self.mapping.function.config.logical_id;
        let sequence = |r: Option<&Value>| r.and_then(|r| r["dynamodb"]["SequenceNumber"].as_str()).map(str::to_owned);
        let arrival = |r: Option<&Value>| r.map(|r| r["dynamodb"]["ApproximateCreationDateTime"].clone());
        let (first, last) = (records.first(), records.last());
        let report = json!({
            "requestContext": {
                "requestId": uuid::Uuid::new_v4().to_string(),
                "functionArn": self.mapping.function.config.arn,
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "responseContext": { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" },
            "version": "1.0",
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "DDBStreamBatchInfo": {
                "shardId": self.shard,
                "startSequenceNumber": sequence(first),
                "endSequenceNumber": sequence(last),
                "approximateArrivalOfFirstRecord": arrival(first),
                "approximateArrivalOfLastRecord": arrival(last),
                "batchSize": records.len(),
                "streamArn": self.mapping.stream_arn,
            },
        });
        let Some((url, _)) = &self.mapping.on_failure else {
            output::platform(
                function,
                &format!("{condition}: {} stream records given up, no OnFailure destination", records.len()),
            );
            return;
        };
        output::platform(
            function,
            &format!("{condition}: {} stream records given up; recorded in the OnFailure queue", records.len()),
        );
        // The shard waits until the record of what it skipped is kept.
        loop {
            match self.sqs.send_message().queue_url(url).message_body(report.to_string()).send().await {
                Ok(_) => return,
                Err(err) => {
                    tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), "OnFailure send failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// Lambda's DynamoDB event for a batch of stream records.
pub fn event(mapping: &Mapping, batch: &[&Value]) -> Value {
    let records: Vec<Value> = batch
        .iter()
        .map(|record| {
            let mut record = (*record).clone();
            record["awsRegion"] = json!(mapping.region);
            record["eventSourceARN"] = json!(mapping.stream_arn);
            record
        })
        .collect();
    json!({ "Records": records })
}

/// What the function's answer says about the batch.
pub fn outcome(report_batch_item_failures: bool, batch: &[&Value], payload: &[u8]) -> BatchResult {
    if !report_batch_item_failures {
        return BatchResult::Done;
    }
    let Ok(response) = serde_json::from_slice::<Value>(payload) else { return BatchResult::Done };
    let failures = match response.get("batchItemFailures") {
        None | Some(Value::Null) => return BatchResult::Done,
        Some(Value::Array(items)) if items.is_empty() => return BatchResult::Done,
        Some(Value::Array(items)) => items,
        Some(_) => return BatchResult::Failed("batchItemFailures is not a list".into()),
    };
    let sequences: Vec<&str> =
        batch.iter().map(|r| r["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default()).collect();
    let mut first_failed = batch.len();
    for item in failures {
        let position = item
            .get("itemIdentifier")
            .and_then(Value::as_str)
            .and_then(|id| sequences.iter().position(|s| !id.is_empty() && s == &id));
        match position {
            Some(at) => first_failed = first_failed.min(at),
            // An empty, null or unknown identifier fails the whole batch.
            None => return BatchResult::Failed("a batchItemFailures entry names no record of the batch".into()),
        }
    }
    if first_failed == 0 {
        BatchResult::Failed("the first record failed".into())
    } else {
        BatchResult::Partly(first_failed)
    }
}

/// Whether a record passes the mapping's filters (any one of them); no filters pass everything.
pub fn passes(filters: &[Value], record: &Value) -> bool {
    filters.is_empty() || filters.iter().any(|pattern| matches(pattern, Some(record)))
}

/// Lambda's event filtering (EventBridge patterns): an object pattern descends
/// into the value's fields; a list lists what a field may be, values or
/// `exists`, `anything-but`, `prefix` and `numeric` matchers.
pub fn matches(pattern: &Value, value: Option<&Value>) -> bool {
    match pattern {
        Value::Object(fields) => fields.iter().all(|(key, sub)| {
            let field = value.and_then(|v| v.get(key));
            matches(sub, field)
        }),
        Value::Array(options) => options.iter().any(|option| option_matches(option, value)),
        other => value == Some(other),
    }
}

fn option_matches(option: &Value, value: Option<&Value>) -> bool {
    if let Value::Object(matcher) = option {
        if let Some(exists) = matcher.get("exists").and_then(Value::as_bool) {
            return value.is_some() == exists;
        }
        let Some(value) = value else { return false };
        if let Some(values) = value.as_array() {
            return values.iter().any(|v| option_matches(option, Some(v)));
        }
        if let Some(excluded) = matcher.get("anything-but") {
            return match excluded {
                Value::Array(list) => !list.contains(value),
                single => single != value,
            };
        }
        if let Some(prefix) = matcher.get("prefix").and_then(Value::as_str) {
            return value.as_str().is_some_and(|s| s.starts_with(prefix));
        }
        if let Some(conditions) = matcher.get("numeric").and_then(Value::as_array) {
            let number = value.as_f64().or_else(|| value.as_str().and_then(|s| s.parse().ok()));
            let Some(number) = number else { return false };
            return conditions.chunks(2).all(|pair| {
                let bound = pair.get(1).and_then(Value::as_f64).unwrap_or(f64::NAN);
                match pair[0].as_str() {
                    Some("=") => number == bound,
                    Some("<") => number < bound,
                    Some("<=") => number <= bound,
                    Some(">") => number > bound,
                    Some(">=") => number >= bound,
                    _ => false,
                }
            });
        }
        return false;
    }
    match value {
        Some(Value::Array(values)) => values.contains(option),
        Some(value) => value == option,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, sequence: &str, old_status: Option<&str>, new_status: &str) -> Value {
        let mut dynamodb = json!({
            "Keys": {"pk": {"S": "RESERVATION#1"}, "sk": {"S": "RESERVATION"}},
            "NewImage": {"pk": {"S": "RESERVATION#1"}, "sk": {"S": "RESERVATION"}, "status": {"S": new_status}},
            "SequenceNumber": sequence,
            "SizeBytes": 10,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            "ApproximateCreationDateTime": 1796206740.0,
        });
        if let Some(old) = old_status {
            dynamodb["OldImage"] = json!({"sk": {"S": "RESERVATION"}, "status": {"S": old}});
        }
        json!({"eventID": sequence, "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
               "awsRegion": "ddblocal", "dynamodb": dynamodb})
    }

    fn pattern(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn filters_select_inserts_and_status_changes() {
        let inserted = pattern(
            r#"{"eventName":["INSERT"],"dynamodb":{"NewImage":{"sk":{"S":["RESERVATION"]},"status":{"S":["pending_payment"]}}}}"#,
        );
        assert!(matches(&inserted, Some(&record("INSERT", "1", None, "pending_payment"))));
        assert!(!matches(&inserted, Some(&record("MODIFY", "1", Some("pending_payment"), "pending_payment"))));
        assert!(!matches(&inserted, Some(&record("INSERT", "1", None, "confirmed"))));

        let settled = pattern(
            r#"{"eventName":["MODIFY"],"dynamodb":{"OldImage":{"status":{"S":["pending_payment"]}},"NewImage":{"status":{"S":[{"anything-but":["pending_payment"]}]}}}}"#,
        );
        assert!(matches(&settled, Some(&record("MODIFY", "2", Some("pending_payment"), "confirmed"))));
        assert!(!matches(&settled, Some(&record("MODIFY", "2", Some("pending_payment"), "pending_payment"))));
        assert!(!matches(&settled, Some(&record("INSERT", "2", None, "confirmed"))), "no OldImage: no match");
    }

    #[test]
    fn exists_prefix_and_numeric_matchers() {
        let value = json!({"a": {"S": "EVENT#1"}, "n": {"N": "5"}});
        assert!(matches(&pattern(r#"{"b":[{"exists":false}]}"#), Some(&value)));
        assert!(!matches(&pattern(r#"{"a":[{"exists":false}]}"#), Some(&value)));
        assert!(matches(&pattern(r#"{"a":[{"exists":true}]}"#), Some(&value)));
        assert!(matches(&pattern(r#"{"a":{"S":[{"prefix":"EVENT#"}]}}"#), Some(&value)));
        assert!(!matches(&pattern(r#"{"a":{"S":[{"prefix":"USER#"}]}}"#), Some(&value)));
        assert!(matches(&pattern(r#"{"n":{"N":[{"numeric":[">",4,"<=",5]}]}}"#), Some(&value)));
        assert!(!matches(&pattern(r#"{"n":{"N":[{"numeric":[">",5]}]}}"#), Some(&value)));
        assert!(passes(&[], &value), "no filters: every record");
        let any_of = [pattern(r#"{"a":{"S":["x"]}}"#), pattern(r#"{"n":{"N":["5"]}}"#)];
        assert!(passes(&any_of, &value), "filters are alternatives");
    }

    #[test]
    fn reported_failures_keep_the_records_before_the_first_one() {
        let records =
            [record("INSERT", "1", None, "x"), record("INSERT", "2", None, "x"), record("INSERT", "3", None, "x")];
        let batch: Vec<&Value> = records.iter().collect();
        let answer = |text: &str| outcome(true, &batch, text.as_bytes());
        assert_eq!(answer(r#"{"batchItemFailures":[]}"#), BatchResult::Done);
        assert_eq!(answer("null"), BatchResult::Done);
        assert_eq!(
            answer(r#"{"batchItemFailures":[{"itemIdentifier":"3"},{"itemIdentifier":"2"}]}"#),
            BatchResult::Partly(1)
        );
        assert!(matches!(answer(r#"{"batchItemFailures":[{"itemIdentifier":"1"}]}"#), BatchResult::Failed(_)));
        assert!(matches!(answer(r#"{"batchItemFailures":[{"itemIdentifier":"9"}]}"#), BatchResult::Failed(_)));
        assert!(matches!(answer(r#"{"batchItemFailures":[{"itemIdentifier":""}]}"#), BatchResult::Failed(_)));
        assert!(matches!(answer(r#"{"batchItemFailures":"oops"}"#), BatchResult::Failed(_)));
        assert_eq!(
            outcome(false, &batch, br#"{"batchItemFailures":[{"itemIdentifier":"2"}]}"#),
            BatchResult::Done,
            "Lambda ignores the list unless the mapping asks for it"
        );
    }
}
