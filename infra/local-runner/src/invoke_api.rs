//! Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`), as
//! `sam local start-lambda` serves it, so `aws lambda invoke --endpoint-url` and
//! the SDKs (boto3, the Rust SDK) call the local functions unchanged.
//!
//! What is kept of the real API: the function by name, ARN or partial ARN (a
//! qualifier is ignored: there is only `$LATEST`); `X-Amz-Invocation-Type`
//! `RequestResponse` (the result), `Event` (202, run in the background) and `DryRun`
//! (204); a function's failure is a 200 with `X-Amz-Function-Error: Unhandled` and
//! `{errorType, errorMessage}`; API errors carry `x-amzn-ErrorType`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The function name inside `name`, `name:qualifier`, `account:function:name` or a full ARN.
pub fn function_name(raw: &str) -> &str {
    let parts: Vec<&str> = raw.split(':').collect();
    match parts.iter().position(|p| *p == "function") {
        Some(i) if i + 1 < parts.len() => parts[i + 1],
        _ => parts[0],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvocationType {
    RequestResponse,
    Event,
    DryRun,
}

impl InvocationType {
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, String> {
        match headers.get("x-amz-invocation-type").map(|v| v.to_str().unwrap_or_default()) {
            None | Some("RequestResponse") => Ok(Self::RequestResponse),
            Some("Event") => Ok(Self::Event),
            Some("DryRun") => Ok(Self::DryRun),
            Some(other) => Err(format!("unknown invocation type {other:?}")),
        }
    }
}

/// AWS clients sign every request (SigV4). A web page cannot send an
/// `Authorization` header to another origin without a CORS preflight, which the
/// runner never grants, so requiring one keeps browsers out. The signature itself
/// is not checked: there are no credentials locally.
pub fn is_signed(headers: &HeaderMap) -> bool {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 "))
}

/// An error of the Invoke API itself, shaped as Lambda's (botocore reads the type header).
pub fn api_error(status: StatusCode, error_type: &str, message: &str) -> Response {
    let mut response = (status, axum::Json(json!({"Type": "User", "message": message}))).into_response();
    if let Ok(value) = HeaderValue::from_str(error_type) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}

/// The answer to a synchronous invocation that ran: the result, or the function's error.
pub fn result(outcome: Result<axum::body::Bytes, String>, error_type: Option<&str>) -> Response {
    let mut response = match outcome {
        Ok(body) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(message) => {
            let error = json!({"errorType": error_type.unwrap_or("Runtime.Error"), "errorMessage": message});
            let mut response = (StatusCode::OK, axum::Json(error)).into_response();
            response.headers_mut().insert("x-amz-function-error", HeaderValue::from_static("Unhandled"));
            response
        }
    };
    response.headers_mut().insert("x-amz-executed-version", HeaderValue::from_static("$LATEST"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_arns_and_qualifiers_resolve_to_the_function() {
        assert_eq!(function_name("HealthFunction"), "HealthFunction");
        assert_eq!(function_name("HealthFunction:$LATEST"), "HealthFunction");
        assert_eq!(function_name("123456789012:function:local-HealthFunction"), "local-HealthFunction");
        assert_eq!(function_name("arn:aws:lambda:eu-west-1:123456789012:function:HealthFunction:1"), "HealthFunction");
    }

    #[test]
    fn invocation_types_follow_the_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(InvocationType::from_headers(&headers), Ok(InvocationType::RequestResponse));
        headers.insert("x-amz-invocation-type", HeaderValue::from_static("Event"));
        assert_eq!(InvocationType::from_headers(&headers), Ok(InvocationType::Event));
        headers.insert("x-amz-invocation-type", HeaderValue::from_static("Sometimes"));
        assert!(InvocationType::from_headers(&headers).is_err());
    }

    #[test]
    fn only_signed_requests_are_taken() {
        let mut headers = HeaderMap::new();
        assert!(!is_signed(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert!(!is_signed(&headers));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=x/20261124/us-east-1/lambda/aws4_request, ..."),
        );
        assert!(is_signed(&headers));
    }

    #[test]
    fn a_function_error_is_a_200_flagged_unhandled() {
        let response = result(Err("boom".into()), Some("Runtime.ExitError"));
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["x-amz-function-error"], "Unhandled");
        let ok = result(Ok(axum::body::Bytes::from_static(b"{}")), None);
        assert!(ok.headers().get("x-amz-function-error").is_none());
    }
}
