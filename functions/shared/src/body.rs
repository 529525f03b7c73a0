//! Reading JSON request bodies into clear 4xx errors: malformed JSON is 400, an
//! oversized body 413, wrong types, missing and unknown fields 422 naming each field.

use crate::http::{ApiError, FieldError};
use lambda_http::Request;
use serde_json::{Map, Value};

/// Our bodies are small forms; anything larger is a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The body as a JSON object.
pub fn json_object(request: &Request) -> Result<Map<String, Value>, ApiError> {
    let bytes: &[u8] = request.body().as_ref();
    parse_object(bytes)
}

pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("the request needs a JSON body"));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(err) => Err(ApiError::new(
            lambda_http::http::StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the body is not valid JSON: {err}"),
        )),
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
    fn malformed_and_non_object_bodies_are_400() {
        assert_eq!(parse_object(b"{not json").unwrap_err().code, "malformed_json");
        assert_eq!(parse_object(b"[1,2]").unwrap_err().status, 400);
        assert_eq!(parse_object(b"   ").unwrap_err().status, 400);
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
