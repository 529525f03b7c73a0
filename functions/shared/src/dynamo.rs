//! DynamoDB plumbing every store repeats: attribute values, keys, readable errors
//! and opaque pagination cursors. Nothing here knows any table's items.

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
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

/// A storage failure (a DynamoDB call or an item that does not decode), with the
/// whole error chain as text for the logs. Each store turns it into its own error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

/// For `map_err` on anything displayable (decode errors, builders).
pub fn failure(err: impl std::fmt::Display) -> Failure {
    Failure(err.to_string())
}

/// For `map_err` on SDK calls: keeps the service's error code and message.
pub fn sdk_failure<E, R>(err: SdkError<E, R>) -> Failure
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    Failure(DisplayErrorContext(err).to_string())
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
    fn keys_are_pk_and_sk() {
        let k = key("EVENT#1", "META");
        assert_eq!(k["pk"], string("EVENT#1"));
        assert_eq!(k["sk"], string("META"));
    }
}
