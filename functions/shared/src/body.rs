//! Reading JSON request bodies into clear 4xx errors: malformed JSON is 400, an
//! oversized body 413, wrong types, missing and unknown fields 422 naming each field.

use crate::http::{ApiError, FieldError};
use lambda_http::Request;
use serde_json::{Map, Value};

/// Our bodies are small forms; anything larger is a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The body as a JSON object. The request must say it is JSON: a form or
/// `text/plain` body is what a browser sends cross-site without asking first, so
/// reading it as JSON would open the API to forged requests.
pub fn json_object(request: &Request) -> Result<Map<String, Value>, ApiError> {
    json_object_up_to(request, MAX_BODY_BYTES)
}

/// [`json_object`] for the few routes whose bodies are documents (a venue's seat
/// map), up to `max_bytes`.
pub fn json_object_up_to(request: &Request, max_bytes: usize) -> Result<Map<String, Value>, ApiError> {
    let content_type = request.headers().get(lambda_http::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if !content_type.is_some_and(is_json_media_type) {
        return Err(ApiError::new(
            lambda_http::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        ));
    }
    let bytes: &[u8] = request.body().as_ref();
    parse_object_up_to(bytes, max_bytes)
}

/// `application/json` or a `+json` type, with any parameters (`; charset=utf-8`).
pub fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    parse_object_up_to(bytes, MAX_BODY_BYTES)
}

fn parse_object_up_to(bytes: &[u8], max_bytes: usize) -> Result<Map<String, Value>, ApiError> {
    if bytes.len() > max_bytes {
        return Err(ApiError::payload_too_large(max_bytes));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("the request needs a JSON body"));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => match serde_json::from_slice::<NoRepeatedKeys>(bytes) {
            Ok(NoRepeatedKeys) => Ok(map),
            // `{"quantity": 1, "quantity": 5}` would otherwise mean 5 here and 1 to a
            // proxy or a log reader that keeps the first: refused, whichever it meant.
            Err(err) => Err(ApiError::new(
                lambda_http::http::StatusCode::BAD_REQUEST,
                "duplicate_key",
                err.to_string().split(" at line").next().unwrap_or_default().to_owned(),
            )),
        },
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(err) => Err(ApiError::new(
            lambda_http::http::StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {err}"),
        )),
    }
}

/// A JSON document in which no object names a key twice, at any depth (serde_json
/// keeps the last of repeated keys without a word).
struct NoRepeatedKeys;

impl<'de> serde::Deserialize<'de> for NoRepeatedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoRepeatedKeysVisitor)
    }
}

struct NoRepeatedKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoRepeatedKeysVisitor {
    type Value = NoRepeatedKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<NoRepeatedKeys, E> {
        Ok(NoRepeatedKeys)
    }

    fn visit_i64<E>(self, _: i64) -> Result<NoRepeatedKeys, E> {
        Ok(NoRepeatedKeys)
    }

    fn visit_u64<E>(self, _: u64) -> Result<NoRepeatedKeys, E> {
        Ok(NoRepeatedKeys)
    }

    fn visit_f64<E>(self, _: f64) -> Result<NoRepeatedKeys, E> {
        Ok(NoRepeatedKeys)
    }

    fn visit_str<E>(self, _: &str) -> Result<NoRepeatedKeys, E> {
        Ok(NoRepeatedKeys)
    }

    fn visit_unit<E>(self) -> Result<NoRepeatedKeys, E> {
        Ok(NoRepeatedKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<NoRepeatedKeys, A::Error> {
        while seq.next_element::<NoRepeatedKeys>()?.is_some() {}
        Ok(NoRepeatedKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<NoRepeatedKeys, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(serde::de::Error::custom(format!("the key {key:?} appears twice in one object")));
            }
            map.next_value::<NoRepeatedKeys>()?;
            seen.insert(key);
        }
        Ok(NoRepeatedKeys)
    }
}

/// Takes typed fields out of a JSON object, collecting every problem so the client
/// learns about all of them at once.
pub struct Fields {
    map: Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Fields {
    pub fn new(map: Map<String, Value>) -> Self {
        Self { map, errors: Vec::new() }
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A string the client must send.
    pub fn required_str(&mut self, field: &str) -> Option<String> {
        match self.map.remove(field) {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) | None => {
                self.error(field, "is required");
                None
            }
            Some(_) => {
                self.error(field, "must be a string");
                None
            }
        }
    }

    /// A whole number from 0 to `u32::MAX` the client must send.
    pub fn required_u32(&mut self, field: &str) -> Option<u32> {
        match self.map.remove(field) {
            Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) => Some(n),
                None => {
                    self.error(field, "must be a whole number");
                    None
                }
            },
            Some(Value::Null) | None => {
                self.error(field, "is required");
                None
            }
            Some(_) => {
                self.error(field, "must be a whole number");
                None
            }
        }
    }

    /// A string the client may send; `null` counts as absent.
    pub fn optional_str(&mut self, field: &str) -> Option<String> {
        match self.map.remove(field) {
            Some(Value::String(s)) => Some(s),
            Some(Value::Null) | None => None,
            Some(_) => {
                self.error(field, "must be a string");
                None
            }
        }
    }

    /// Whether a problem was recorded already.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Whether the client sent `field` (`null` counts as absent).
    pub fn has(&self, field: &str) -> bool {
        self.map.get(field).is_some_and(|v| !v.is_null())
    }

    /// Any JSON the client may send as `field`, to read with the caller's own rules.
    pub fn optional_value(&mut self, field: &str) -> Option<Value> {
        self.map.remove(field).filter(|v| !v.is_null())
    }

    /// Rejects fields nobody asked for (typos would otherwise be silently ignored),
    /// then returns every error found, or `Ok` when there were none.
    pub fn finish(self) -> Result<(), ApiError> {
        self.finish_with(|| Some(()))
    }

    /// Like [`finish`](Self::finish), and builds the typed request from the values
    /// read: `build` sees `None` only for a field that was missing or wrong, and
    /// such a field has always recorded an error, so a request that passed
    /// validation always builds (never a 500 for "impossible" input).
    pub fn finish_with<T>(mut self, build: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        let mut unknown: Vec<String> = self.map.keys().cloned().collect();
        unknown.sort();
        for field in unknown {
            self.error(&field, "is not a known field");
        }
        match build() {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ApiError::validation(self.errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_media_types_are_read_as_json() {
        for ok in ["application/json", "Application/JSON; charset=utf-8", "application/merge-patch+json"] {
            assert!(is_json_media_type(ok), "{ok}");
        }
        for bad in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "json"] {
            assert!(!is_json_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn a_body_without_a_json_content_type_is_415() {
        let request = lambda_http::http::Request::builder()
            .header("content-type", "text/plain")
            .body(lambda_http::Body::from(r#"{"a":1}"#))
            .unwrap();
        assert_eq!(json_object(&request).unwrap_err().status, 415);
        let untyped = lambda_http::http::Request::builder().body(lambda_http::Body::from(r#"{"a":1}"#)).unwrap();
        assert_eq!(json_object(&untyped).unwrap_err().status, 415);
        let json = lambda_http::http::Request::builder()
            .header("content-type", "application/json")
            .body(lambda_http::Body::from(r#"{"a":1}"#))
            .unwrap();
        assert!(json_object(&json).is_ok());
    }

    #[test]
    fn malformed_and_non_object_bodies_are_400() {
        assert_eq!(parse_object(b"{not json").unwrap_err().code, "malformed_json");
        assert_eq!(parse_object(b"[1,2]").unwrap_err().status, 400);
        assert_eq!(parse_object(b"   ").unwrap_err().status, 400);
    }

    #[test]
    fn a_key_named_twice_in_one_object_is_400_at_any_depth() {
        let twice = parse_object(br#"{"quantity": 1, "quantity": 5}"#).unwrap_err();
        assert_eq!((twice.status.as_u16(), twice.code), (400, "duplicate_key"));
        assert!(twice.message.contains("\"quantity\""), "{}", twice.message);
        let nested = parse_object(br#"{"tiers": [{"name": "A", "capacity": 1, "capacity": 900}]}"#).unwrap_err();
        assert_eq!(nested.code, "duplicate_key");
        // The same key in different objects, escapes, and every JSON type: fine.
        let fine = br#"{"a": {"id": 1}, "b": [{"id": 2}, {"id": 3}], "c": null, "d": true, "e": -1.5, "f": "\u0041", "g": 18446744073709551615}"#;
        assert!(parse_object(fine).is_ok());
    }

    #[test]
    fn oversized_bodies_are_413() {
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(parse_object(&big).unwrap_err().status, 413);
    }

    #[test]
    fn finish_with_builds_the_typed_request_only_when_valid() {
        let map = parse_object(br#"{"email": "a@example.com", "password": "p"}"#).unwrap();
        let mut fields = Fields::new(map);
        let email = fields.required_str("email");
        let password = fields.required_str("password");
        assert_eq!(fields.finish_with(|| Some((email?, password?))).unwrap(), ("a@example.com".into(), "p".into()));

        let map = parse_object(br#"{"email": "a@example.com"}"#).unwrap();
        let mut fields = Fields::new(map);
        let email = fields.required_str("email");
        let password = fields.required_str("password");
        let err = fields.finish_with(|| Some((email?, password?))).unwrap_err();
        assert_eq!((err.status.as_u16(), err.fields[0].field.as_str()), (422, "password"));
    }

    #[test]
    fn every_field_problem_is_reported() {
        let map = parse_object(br#"{"email": 5, "extra": true, "name": null}"#).unwrap();
        let mut fields = Fields::new(map);
        assert_eq!(fields.required_str("email"), None);
        assert_eq!(fields.required_str("password"), None);
        assert_eq!(fields.optional_str("name"), None);
        let err = fields.finish().unwrap_err();
        assert_eq!(err.status, 422);
        let named: Vec<(&str, &str)> = err.fields.iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
        assert_eq!(
            named,
            vec![("email", "must be a string"), ("password", "is required"), ("extra", "is not a known field")]
        );
    }
}
