//! One JSON error shape for the whole API, and helpers to build responses.
//!
//! ```json
//! {"error": {"status": 400, "code": "validation_failed", "message": "...",
//!            "fields": [{"field": "email", "message": "..."}]}}
//! ```

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;

/// One invalid input field, named the way the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// An error a handler answers with. `code` is stable and machine-readable;
/// `message` is for humans and may change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        let mut err = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "some fields are invalid");
        err.fields = fields;
        err
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// For failures of our own dependencies. The detail goes to the logs, never to the client.
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")
    }

    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", message)
    }

    pub fn to_response(&self) -> Response<Body> {
        #[derive(Serialize)]
        struct Envelope<'a> {
            error: Inner<'a>,
        }
        #[derive(Serialize)]
        struct Inner<'a> {
            status: u16,
            code: &'a str,
            message: &'a str,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            fields: &'a [FieldError],
        }
        let envelope = Envelope {
            error: Inner {
                status: self.status.as_u16(),
                code: self.code,
                message: &self.message,
                fields: &self.fields,
            },
        };
        json_response(self.status, &envelope)
    }
}

impl From<ApiError> for Response<Body> {
    fn from(err: ApiError) -> Self {
        err.to_response()
    }
}

/// A JSON response with the given status. Serializing our own response types cannot
/// fail in practice; if it ever does, the client gets a well-formed 500.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Body> {
    let (status, body) = match serde_json::to_string(value) {
        Ok(body) => (status, body),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"error":{"status":500,"code":"internal_error","message":"response could not be encoded"}}"#.to_owned(),
        ),
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .expect("static status and header are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_json(resp: &Response<Body>) -> serde_json::Value {
        match resp.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("expected a text body, got {other:?}"),
        }
    }

    #[test]
    fn errors_share_one_shape() {
        let resp = ApiError::validation(vec![FieldError { field: "email".into(), message: "is not an email".into() }])
            .to_response();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(resp.headers()["content-type"], "application/json");
        assert_eq!(
            body_json(&resp),
            serde_json::json!({"error": {"status": 422, "code": "validation_failed",
                "message": "some fields are invalid",
                "fields": [{"field": "email", "message": "is not an email"}]}})
        );
    }

    #[test]
    fn field_list_is_omitted_when_empty() {
        let resp = ApiError::not_found("no such event").to_response();
        assert_eq!(
            body_json(&resp),
            serde_json::json!({"error": {"status": 404, "code": "not_found", "message": "no such event"}})
        );
    }
}
