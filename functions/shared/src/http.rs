//! One JSON error shape for the whole API, and helpers to build responses.
//!
//! ```json
//! {"error": {"status": 400, "code": "validation_failed", "message": "...",
//!            "fields": [{"field": "email", "message": "..."}]}}
//! ```

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use subtle::ConstantTimeEq;

/// One invalid input field, named the way the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
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
    /// Seconds, sent as `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new(), retry_after: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        let mut err = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "some fields are invalid");
        err.fields = fields;
        err
    }

    /// No valid identity. Token problems never reach handlers (the authorizer refuses
    /// them); this covers routes that need a caller and have none.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in first")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the body exceeds {limit} bytes"))
    }

    pub fn too_many_requests(message: impl Into<String>, retry_after_seconds: u64) -> Self {
        let mut err = Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message);
        err.retry_after = Some(retry_after_seconds.max(1));
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
        let mut response = json_response(self.status, &envelope);
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", seconds.into());
        }
        response
    }
}

/// Storage failures at the HTTP edge, the one place their kinds become statuses:
/// throttling is a 503 worth retrying, a lost race a 409, the rest our fault (500).
/// Stores that know what a failed condition means (an email taken, seats gone)
/// turn it into their own error before it gets here.
impl From<crate::dynamo::Failure> for ApiError {
    fn from(failure: crate::dynamo::Failure) -> Self {
        use crate::dynamo::Failure;
        match failure {
            Failure::Throttled(_) | Failure::Cancelled(_) if failure.is_transient() => {
                tracing::warn!(%failure, "storage busy");
                let mut err = ApiError::service_unavailable("we are busy; try again in a moment");
                err.retry_after = Some(1);
                err
            }
            Failure::ConditionFailed | Failure::Cancelled(_) | Failure::Throttled(_) => {
                ApiError::conflict("concurrent_change", "something changed meanwhile; reload and try again")
            }
            Failure::NotFound(detail) | Failure::Other(detail) => {
                tracing::error!(%detail, "storage failed");
                ApiError::internal()
            }
        }
    }
}

/// The API Gateway request id: the correlation id of whatever a request starts
/// (it travels on queue messages, so every log line of the chain can name it).
pub fn correlation_id(request: &lambda_http::Request) -> String {
    use lambda_http::RequestExt;
    match request.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
            context.request_id.clone().unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// The client's address as API Gateway saw it (the TCP peer; clients cannot set
/// it), or `unknown`.
pub fn source_ip(request: &lambda_http::Request) -> String {
    use lambda_http::RequestExt;
    match request.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
            context.http.source_ip.clone().unwrap_or_else(|| "unknown".into())
        }
        _ => "unknown".into(),
    }
}

/// Where a request's client is, for per-client limits (the sign-in throttle).
///
/// Behind CloudFront, API Gateway's `sourceIp` is a CloudFront edge's address, shared
/// by everyone near it; CloudFront passes the viewer's own in `CloudFront-Viewer-Address`
/// (`198.51.100.10:46532`). A client calling the API directly could send that header
/// too, so it is believed only with the secret CloudFront adds to every origin request
/// (`X-Origin-Verify`, the template's `OriginVerifySecret`), which clients never see.
#[derive(Clone, Default)]
pub struct ClientAddress {
    origin_secret: Option<String>,
}

impl std::fmt::Debug for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAddress").field("origin_secret", &self.origin_secret.as_ref().map(|_| "…")).finish()
    }
}

impl ClientAddress {
    /// `origin_secret`: the value CloudFront sends in `X-Origin-Verify`; empty: never
    /// believe `CloudFront-Viewer-Address`.
    pub fn new(origin_secret: &str) -> Self {
        let secret = origin_secret.trim();
        Self { origin_secret: (!secret.is_empty()).then(|| secret.to_owned()) }
    }

    /// From `ORIGIN_VERIFY_SECRET` (unset or empty: `sourceIp` only).
    pub fn from_env() -> Self {
        Self::new(&std::env::var("ORIGIN_VERIFY_SECRET").unwrap_or_default())
    }

    /// The viewer's address when the request came through CloudFront, else `sourceIp`.
    pub fn of(&self, request: &lambda_http::Request) -> String {
        let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
        self.viewer(header("x-origin-verify"), header("cloudfront-viewer-address"))
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| source_ip(request))
    }

    /// The viewer's address, if `presented` is the origin secret and `viewer` an address.
    fn viewer(&self, presented: Option<&str>, viewer: Option<&str>) -> Option<std::net::IpAddr> {
        let secret = self.origin_secret.as_deref()?;
        if !bool::from(presented?.as_bytes().ct_eq(secret.as_bytes())) {
            return None;
        }
        // `ip:port`, an IPv6 address in its plain form (colons and all) before the port.
        let (ip, port) = viewer?.trim().rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        ip.trim_start_matches('[').trim_end_matches(']').parse().ok()
    }
}

/// Serves an HTTP API function: each request is handled inside a span carrying
/// its correlation id (API Gateway's request id, which also travels on the queue
/// messages it causes), and the handler's result becomes the response.
pub async fn run<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(lambda_http::Request) -> Fut,
    Fut: std::future::Future<Output = Result<Response<Body>, ApiError>> + Send,
{
    use tracing::Instrument;
    let handler = &handler;
    lambda_http::run(lambda_http::service_fn(move |request: lambda_http::Request| {
        let span = tracing::info_span!("request", correlation_id = %correlation_id(&request));
        let answer = handler(request);
        async move {
            let response = respond(answer.instrument(span).await);
            crate::telemetry::answered();
            Ok::<_, lambda_http::Error>(response)
        }
    }))
    .await
}

/// The response for a handler's result: its own response, or the error's.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(|err| {
        if err.status.is_server_error() {
            tracing::error!(code = err.code, message = %err.message, "request failed");
        }
        err.to_response()
    })
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

    #[test]
    fn the_viewer_address_is_believed_only_with_cloudfronts_secret() {
        let behind = ClientAddress::new("s3cret-from-ssm");
        let viewer = |presented, header| behind.viewer(presented, header).map(|ip| ip.to_string());
        assert_eq!(viewer(Some("s3cret-from-ssm"), Some("198.51.100.10:46532")).as_deref(), Some("198.51.100.10"));
        assert_eq!(viewer(Some("s3cret-from-ssm"), Some("2001:db8::7:443")).as_deref(), Some("2001:db8::7"));
        assert_eq!(viewer(Some("s3cret-from-ssm"), Some("[2001:db8::7]:443")).as_deref(), Some("2001:db8::7"));
        // Forged or missing: the caller's own sourceIp is used instead.
        assert_eq!(viewer(Some("guess"), Some("198.51.100.10:46532")), None);
        assert_eq!(viewer(Some("s3cret-from-ss"), Some("198.51.100.10:46532")), None);
        assert_eq!(viewer(None, Some("198.51.100.10:46532")), None);
        assert_eq!(viewer(Some("s3cret-from-ssm"), None), None);
        for garbage in ["198.51.100.10", "not-an-ip:80", "198.51.100.10:port", ""] {
            assert_eq!(viewer(Some("s3cret-from-ssm"), Some(garbage)), None, "{garbage}");
        }
        // Without a secret configured, the header is never believed.
        let direct = ClientAddress::new("  ");
        assert_eq!(direct.viewer(Some(""), Some("198.51.100.10:46532")), None);
        assert_eq!(direct.viewer(Some("  "), Some("198.51.100.10:46532")), None);
        assert!(!format!("{behind:?}").contains("s3cret"), "the secret stays out of logs");
    }

    fn body_json(resp: &Response<Body>) -> serde_json::Value {
        match resp.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("expected a text body, got {other:?}"),
        }
    }

    #[test]
    fn errors_share_one_shape() {
        let resp = ApiError::validation(vec![FieldError::new("email", "is not an email")]).to_response();
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
    fn storage_failures_map_by_kind() {
        use crate::dynamo::Failure;
        let throttled = ApiError::from(Failure::Throttled("slow".into()));
        assert_eq!((throttled.status, throttled.retry_after), (StatusCode::SERVICE_UNAVAILABLE, Some(1)));
        assert_eq!(ApiError::from(Failure::ConditionFailed).status, StatusCode::CONFLICT);
        assert_eq!(ApiError::from(Failure::Cancelled(vec![])).status, StatusCode::CONFLICT);
        let conflict =
            crate::dynamo::Cancellation { reason: crate::dynamo::CancelReason::TransactionConflict, item: None };
        assert_eq!(
            ApiError::from(Failure::Cancelled(vec![conflict])).status,
            StatusCode::SERVICE_UNAVAILABLE,
            "a transaction in the way is worth retrying, not a lost race"
        );
        let other = ApiError::from(Failure::Other("secret detail".into()));
        assert_eq!(other.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!other.message.contains("secret"), "details stay in the logs");
    }

    #[test]
    fn too_many_requests_says_when_to_retry() {
        let resp = ApiError::too_many_requests("locked", 90).to_response();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], "90");
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
