//! API Gateway HTTP API, locally: matches a request to a route of the template,
//! turns it into a payload 2.0 event, invokes the function and turns its answer
//! back into HTTP.

use crate::lambda::{FunctionPool, InvokeError};
use crate::stack::Stack;
use crate::template::HttpRoute;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// API Gateway's payload limit.
pub const MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;
/// How long a client has to send the body it announced.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

/// One route: `GET /events/{id}`, `ANY /files/{proxy+}` or `$default`.
#[derive(Clone)]
pub struct Route {
    pub route_key: String,
    /// The Lambda authorizer that guards the route, if any.
    pub auth: Option<Arc<Authorizer>>,
    method: Option<String>,
    segments: Option<Vec<Segment>>,
    pub function: Arc<FunctionPool>,
}

impl Route {
    pub fn new(method: Option<&str>, path: Option<&str>, function: Arc<FunctionPool>) -> Self {
        let Some(path) = path else {
            return Self { route_key: "$default".into(), auth: None, method: None, segments: None, function };
        };
        let method = method.unwrap_or("ANY").to_ascii_uppercase();
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => match name.strip_suffix('+') {
                    Some(greedy) => Segment::Greedy(greedy.to_owned()),
                    None => Segment::Param(name.to_owned()),
                },
                None => Segment::Literal(s.to_owned()),
            })
            .collect();
        Self {
            route_key: format!("{method} {path}"),
            auth: None,
            method: Some(method),
            segments: Some(segments),
            function,
        }
    }

    /// Path parameters when the route matches, with a rank: lower is more specific.
    fn matches(&self, method: &str, path: &str) -> Option<(Vec<u8>, BTreeMap<String, String>)> {
        let segments = self.segments.as_ref()?;
        let route_method = self.method.as_deref()?;
        if route_method != "ANY" && route_method != method {
            return None;
        }
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut params = BTreeMap::new();
        // Literal beats parameter beats greedy, segment by segment; an exact method beats ANY.
        let mut rank = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            match segment {
                Segment::Literal(lit) => {
                    if parts.get(i) != Some(&lit.as_str()) {
                        return None;
                    }
                    rank.push(0);
                }
                Segment::Param(name) => {
                    let part = parts.get(i)?;
                    params.insert(name.clone(), decode(part));
                    rank.push(1);
                }
                Segment::Greedy(name) => {
                    if parts.len() <= i {
                        return None;
                    }
                    params.insert(name.clone(), decode(&parts[i..].join("/")));
                    rank.push(2);
                    rank.push(u8::from(route_method == "ANY"));
                    return Some((rank, params));
                }
            }
        }
        if parts.len() != segments.len() {
            return None;
        }
        rank.push(u8::from(route_method == "ANY"));
        Some((rank, params))
    }
}

fn decode(part: &str) -> String {
    percent_encoding::percent_decode_str(part).decode_utf8_lossy().into_owned()
}

/// Lambda authorizers per API, keyed by (API logical id, authorizer name).
pub type Authorizers = BTreeMap<(String, String), Arc<Authorizer>>;

/// The template's HttpApi authorizers, each calling its function's pool.
pub fn authorizers(stack: &Stack, functions: &BTreeMap<String, Arc<FunctionPool>>) -> anyhow::Result<Authorizers> {
    let mut authorizers = BTreeMap::new();
    for (api_id, api) in &stack.apis {
        for def in &api.authorizers {
            let arn = stack.resolver.resolve_string(&def.function_arn)?;
            let pool = functions.values().find(|f| f.config.arn == arn).ok_or_else(|| {
                anyhow::anyhow!("authorizer {} of {api_id} points at {arn}, not a function of the template", def.name)
            })?;
            let authorizer = Authorizer::new(
                def.name.clone(),
                pool.clone(),
                def.identity_headers.clone(),
                def.cache_ttl,
                def.simple_responses,
            );
            authorizers.insert((api_id.clone(), def.name.clone()), Arc::new(authorizer));
        }
    }
    Ok(authorizers)
}

/// One `HttpApi` event of a function as a served route, with its authorizer.
pub fn route(
    stack: &Stack,
    authorizers: &Authorizers,
    event: &HttpRoute,
    function: &Arc<FunctionPool>,
) -> anyhow::Result<Route> {
    let mut served = Route::new(event.method.as_deref(), event.path.as_deref(), function.clone());
    // SAM: routes without ApiId belong to the implicit API; `Authorizer: NONE` opts out
    // of the API's default authorizer.
    let api_id = event.api_id.clone().unwrap_or_else(|| "ServerlessHttpApi".to_owned());
    let name = match event.authorizer.as_deref() {
        Some("NONE") => None,
        Some(name) => Some(name.to_owned()),
        None => stack.apis.get(&api_id).and_then(|api| api.default_authorizer.clone()),
    };
    if let Some(name) = name {
        let auth = authorizers.get(&(api_id.clone(), name.clone())).ok_or_else(|| {
            anyhow::anyhow!("route {} uses authorizer {name}, which {api_id} does not declare", served.route_key)
        })?;
        served.auth = Some(auth.clone());
    }
    Ok(served)
}

/// One HTTP request through the API: route, authorize, invoke, answer.
pub async fn serve(routes: &RouteTable, source: SocketAddr, request: axum::extract::Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let declared = parts.headers.get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
    if declared.and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n > MAX_REQUEST_BYTES as u64) {
        // Refused at once, as API Gateway does, instead of waiting for a body that large.
        return json_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    }
    let body = match tokio::time::timeout(BODY_READ_TIMEOUT, axum::body::to_bytes(body, MAX_REQUEST_BYTES)).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return json_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
        // A body shorter than its Content-Length (or trickled) no longer holds the connection.
        Err(_) => return json_message(StatusCode::BAD_REQUEST, "Bad Request: the request body did not arrive in time"),
    };
    let incoming = IncomingRequest { method: parts.method, uri: parts.uri, headers: parts.headers, body, source };
    let Some((route, params)) = routes.find(incoming.method.as_str(), incoming.uri.path()) else {
        return json_message(StatusCode::NOT_FOUND, "Not Found");
    };
    let authorizer = match &route.auth {
        Some(auth) => match auth.authorize(&incoming, &route.route_key, &params, &request_id).await {
            Ok(context) => Some(context),
            Err(refusal) => return refusal,
        },
        None => None,
    };
    let event = build_event(&incoming, &route.route_key, &params, &request_id, authorizer);
    let mut response = match route.function.invoke(Bytes::from(event.to_string())).await {
        Ok(payload) => to_http_response(&payload),
        Err(err) => integration_failure(&err),
    };
    if let Ok(value) = request_id.parse() {
        response.headers_mut().insert("apigw-requestid", value);
    }
    response
}

pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    pub fn new(routes: Vec<Route>) -> Self {
        Self { routes }
    }

    /// (route key, function logical id, authorizer) for every route.
    pub fn describe(&self) -> Vec<(String, String, Option<String>)> {
        self.routes
            .iter()
            .map(|r| {
                (r.route_key.clone(), r.function.config.logical_id.clone(), r.auth.as_ref().map(|a| a.name.clone()))
            })
            .collect()
    }

    /// The most specific matching route, else `$default`, else none.
    pub fn find(&self, method: &str, path: &str) -> Option<(&Route, BTreeMap<String, String>)> {
        let best = self
            .routes
            .iter()
            .filter_map(|route| route.matches(method, path).map(|(rank, params)| (rank, route, params)))
            .min_by(|a, b| a.0.cmp(&b.0));
        match best {
            Some((_, route, params)) => Some((route, params)),
            None => self.routes.iter().find(|r| r.segments.is_none()).map(|r| (r, BTreeMap::new())),
        }
    }
}

pub fn json_message(status: StatusCode, message: &str) -> Response {
    (status, [("content-type", "application/json")], json!({ "message": message }).to_string()).into_response()
}

fn is_text(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else { return true };
    let ct = ct.to_ascii_lowercase();
    ct.starts_with("text/")
        || ["json", "xml", "javascript", "x-www-form-urlencoded", "graphql", "yaml"].iter().any(|t| ct.contains(t))
}

pub struct IncomingRequest {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub source: SocketAddr,
}

/// Builds the API Gateway HTTP API payload 2.0 event.
pub fn build_event(
    request: &IncomingRequest,
    route_key: &str,
    path_parameters: &BTreeMap<String, String>,
    request_id: &str,
    authorizer: Option<Value>,
) -> Value {
    let now = chrono::Utc::now();
    let raw_path = request.uri.path().to_owned();
    let raw_query = request.uri.query().unwrap_or_default().to_owned();

    // HTTP API lower-cases header names and joins repeated headers with commas;
    // cookies travel apart, in `cookies`.
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies = Vec::new();
    for (name, value) in &request.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()));
            continue;
        }
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    headers.insert("x-forwarded-for".into(), request.source.ip().to_string());
    headers.insert("x-forwarded-proto".into(), "http".into());
    headers.entry("x-forwarded-port".into()).or_insert_with(|| request.uri.port_u16().unwrap_or(80).to_string());

    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")));
        query
            .entry(k)
            .and_modify(|existing| {
                existing.push(',');
                existing.push_str(&v);
            })
            .or_insert(v);
    }

    let mut event = Map::new();
    event.insert("version".into(), json!("2.0"));
    event.insert("routeKey".into(), json!(route_key));
    event.insert("rawPath".into(), json!(raw_path));
    event.insert("rawQueryString".into(), json!(raw_query));
    if !cookies.is_empty() {
        event.insert("cookies".into(), json!(cookies));
    }
    event.insert("headers".into(), json!(headers));
    if !query.is_empty() {
        event.insert("queryStringParameters".into(), json!(query));
    }
    if !path_parameters.is_empty() {
        event.insert("pathParameters".into(), json!(path_parameters));
    }
    let host = headers.get("host").cloned().unwrap_or_else(|| "localhost".into());
    let mut context = json!({
        "accountId": crate::stack::ACCOUNT,
        "apiId": "local",
        "domainName": host,
        "domainPrefix": host.split('.').next().unwrap_or_default(),
        "http": {
            "method": request.method.as_str(),
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source.ip().to_string(),
            "userAgent": headers.get("user-agent").cloned().unwrap_or_default(),
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": "$default",
        "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
        "timeEpoch": now.timestamp_millis(),
    });
    if let Some(authorizer) = authorizer {
        context["authorizer"] = authorizer;
    }
    event.insert("requestContext".into(), context);
    if !request.body.is_empty() {
        let content_type = request.headers.get("content-type").and_then(|v| v.to_str().ok());
        match std::str::from_utf8(&request.body) {
            Ok(text) if is_text(content_type) => {
                event.insert("body".into(), json!(text));
                event.insert("isBase64Encoded".into(), json!(false));
            }
            _ => {
                event.insert("body".into(), json!(BASE64.encode(&request.body)));
                event.insert("isBase64Encoded".into(), json!(true));
            }
        }
    } else {
        event.insert("isBase64Encoded".into(), json!(false));
    }
    Value::Object(event)
}

/// Turns a function's payload 2.0 answer into an HTTP response, the way HTTP API does:
/// an object with `statusCode` is a full response; any other JSON is a 200 JSON body.
pub fn to_http_response(payload: &[u8]) -> Response {
    let Ok(value) = serde_json::from_slice::<Value>(payload) else {
        return json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };
    let Some(status) = value.get("statusCode") else {
        return (StatusCode::OK, [("content-type", "application/json")], payload.to_vec()).into_response();
    };
    let Some(status) = status.as_u64().and_then(|s| StatusCode::from_u16(s as u16).ok()) else {
        return json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
    };
    let body = match value.get("body") {
        Some(Value::String(body)) if value.get("isBase64Encoded") == Some(&Value::Bool(true)) => {
            match BASE64.decode(body) {
                Ok(bytes) => bytes,
                Err(_) => return json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
            }
        }
        Some(Value::String(body)) => body.clone().into_bytes(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => other.to_string().into_bytes(),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in value.get("headers").and_then(Value::as_object).into_iter().flatten() {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(text)) {
            headers.append(name, value);
        }
    }
    for (name, values) in value.get("multiValueHeaders").and_then(Value::as_object).into_iter().flatten() {
        for v in values.as_array().into_iter().flatten().filter_map(Value::as_str) {
            if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(v)) {
                headers.append(name, value);
            }
        }
    }
    for cookie in value.get("cookies").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        if let Ok(value) = HeaderValue::try_from(cookie) {
            headers.append("set-cookie", value);
        }
    }
    response
}

/// The answer API Gateway gives when the integration fails.
pub fn integration_failure(error: &InvokeError) -> Response {
    match error {
        InvokeError::Timeout(_) => json_message(StatusCode::GATEWAY_TIMEOUT, "Endpoint request timed out"),
        InvokeError::Function { .. } | InvokeError::Crashed(_) => {
            json_message(StatusCode::BAD_GATEWAY, "Internal Server Error")
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Decision {
    Allow(Value),
    Deny,
}

/// A Lambda REQUEST authorizer (payload 2.0), called and cached the way API Gateway does.
pub struct Authorizer {
    pub name: String,
    pub function: Arc<FunctionPool>,
    pub identity_headers: Vec<String>,
    pub cache_ttl: Duration,
    pub simple_responses: bool,
    cache: Mutex<HashMap<String, (Instant, Decision)>>,
}

impl Authorizer {
    pub fn new(
        name: String,
        function: Arc<FunctionPool>,
        identity_headers: Vec<String>,
        cache_ttl: Duration,
        simple_responses: bool,
    ) -> Self {
        Self { name, function, identity_headers, cache_ttl, simple_responses, cache: Mutex::new(HashMap::new()) }
    }

    /// The context to hand the route's function as `requestContext.authorizer`, or
    /// the gateway's refusal: 401 without identity, 403 when denied, 500 when the
    /// authorizer fails.
    pub async fn authorize(
        &self,
        request: &IncomingRequest,
        route_key: &str,
        path_parameters: &BTreeMap<String, String>,
        request_id: &str,
    ) -> Result<Value, Response> {
        let mut identity = Vec::new();
        for header in &self.identity_headers {
            match request.headers.get(header).and_then(|v| v.to_str().ok()).filter(|v| !v.trim().is_empty()) {
                Some(value) => identity.push(value.to_owned()),
                None => return Err(json_message(StatusCode::UNAUTHORIZED, "Unauthorized")),
            }
        }
        let key = identity.join("\n");
        let caching = !self.cache_ttl.is_zero() && !identity.is_empty();
        let cached = if caching {
            let cache = self.cache.lock().expect("cache lock");
            cache.get(&key).filter(|(at, _)| at.elapsed() < self.cache_ttl).map(|(_, d)| d.clone())
        } else {
            None
        };
        let decision = match cached {
            Some(decision) => decision,
            None => {
                let event = authorizer_event(request, route_key, path_parameters, request_id, &identity);
                let answer = self.function.invoke(Bytes::from(event.to_string())).await;
                let Some(decision) = answer.ok().and_then(|payload| self.decide(&payload)) else {
                    return Err(json_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"));
                };
                if caching {
                    self.cache.lock().expect("cache lock").insert(key, (Instant::now(), decision.clone()));
                }
                decision
            }
        };
        match decision {
            Decision::Allow(context) => Ok(json!({ "lambda": context })),
            Decision::Deny => Err(json_message(StatusCode::FORBIDDEN, "Forbidden")),
        }
    }

    /// Reads a simple response (`isAuthorized`) or an IAM policy; `None` when malformed.
    fn decide(&self, payload: &[u8]) -> Option<Decision> {
        let answer: Value = serde_json::from_slice(payload).ok()?;
        let context = answer.get("context").cloned().filter(Value::is_object).unwrap_or_else(|| json!({}));
        let allowed = if self.simple_responses {
            answer.get("isAuthorized")?.as_bool()?
        } else {
            let statements = answer.get("policyDocument")?.get("Statement")?.as_array()?;
            let effect = |e: &str| statements.iter().any(|s| s.get("Effect").and_then(Value::as_str) == Some(e));
            effect("Allow") && !effect("Deny")
        };
        Some(if allowed { Decision::Allow(context) } else { Decision::Deny })
    }
}

/// The REQUEST authorizer event (payload 2.0): the route's event without the body,
/// plus `type`, `routeArn` and `identitySource`.
fn authorizer_event(
    request: &IncomingRequest,
    route_key: &str,
    path_parameters: &BTreeMap<String, String>,
    request_id: &str,
    identity: &[String],
) -> Value {
    let mut event = build_event(request, route_key, path_parameters, request_id, None);
    let map = event.as_object_mut().expect("events are objects");
    map.remove("body");
    map.remove("isBase64Encoded");
    map.insert("type".into(), json!("REQUEST"));
    let route_arn = format!(
        "arn:aws:execute-api:us-east-1:{}:local/$default/{}{}",
        crate::stack::ACCOUNT,
        request.method,
        request.uri.path()
    );
    map.insert("routeArn".into(), json!(route_arn));
    map.insert("identitySource".into(), json!(identity));
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(name: &str) -> Arc<FunctionPool> {
        crate::lambda::unstarted_pool(name)
    }

    fn table() -> RouteTable {
        RouteTable::new(vec![
            Route::new(Some("GET"), Some("/events/{id}"), pool("GetEvent")),
            Route::new(Some("GET"), Some("/events/mine"), pool("Mine")),
            Route::new(Some("ANY"), Some("/events/{id}"), pool("AnyEvent")),
            Route::new(Some("GET"), Some("/files/{proxy+}"), pool("Files")),
            Route::new(None, None, pool("Default")),
        ])
    }

    #[test]
    fn most_specific_route_wins() {
        let t = table();
        let (route, params) = t.find("GET", "/events/42").unwrap();
        assert_eq!(route.function.config.logical_id, "GetEvent");
        assert_eq!(params["id"], "42");
        assert_eq!(t.find("GET", "/events/mine").unwrap().0.function.config.logical_id, "Mine");
        assert_eq!(t.find("DELETE", "/events/42").unwrap().0.function.config.logical_id, "AnyEvent");
        let (route, params) = t.find("GET", "/files/a/b%20c.txt").unwrap();
        assert_eq!(route.function.config.logical_id, "Files");
        assert_eq!(params["proxy"], "a/b c.txt");
        assert_eq!(t.find("GET", "/nothing/here").unwrap().0.route_key, "$default");
    }

    #[test]
    fn no_route_and_no_default_is_none() {
        let t = RouteTable::new(vec![Route::new(Some("GET"), Some("/health"), pool("Health"))]);
        assert!(t.find("GET", "/healthz").is_none());
        assert!(t.find("POST", "/health").is_none());
        assert!(t.find("GET", "/health/").is_some(), "a trailing slash still names the same resource");
    }

    #[test]
    fn event_has_the_payload_2_shape() {
        let mut headers = HeaderMap::new();
        headers.append("X-Multi", "a".parse().unwrap());
        headers.append("X-Multi", "b".parse().unwrap());
        headers.append("cookie", "s=1; t=2".parse().unwrap());
        headers.append("content-type", "application/octet-stream".parse().unwrap());
        let request = IncomingRequest {
            method: Method::POST,
            uri: "/things/7?a=1&a=2&b=x%20y".parse().unwrap(),
            headers,
            body: Bytes::from_static(&[0, 159, 146, 150]),
            source: "127.0.0.1:5555".parse().unwrap(),
        };
        let params = [("id".to_owned(), "7".to_owned())].into();
        let event = build_event(&request, "POST /things/{id}", &params, "req-1", None);
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["rawQueryString"], "a=1&a=2&b=x%20y");
        assert_eq!(event["queryStringParameters"], json!({"a": "1,2", "b": "x y"}));
        assert_eq!(event["pathParameters"], json!({"id": "7"}));
        assert_eq!(event["headers"]["x-multi"], "a,b");
        assert_eq!(event["cookies"], json!(["s=1", "t=2"]));
        assert_eq!(event["isBase64Encoded"], true);
        assert_eq!(BASE64.decode(event["body"].as_str().unwrap()).unwrap(), vec![0, 159, 146, 150]);
        assert_eq!(event["requestContext"]["http"]["method"], "POST");
        assert_eq!(event["requestContext"]["requestId"], "req-1");
        let _: aws_lambda_events::apigw::ApiGatewayV2httpRequest = serde_json::from_value(event).unwrap();
    }

    #[test]
    fn responses_follow_payload_2_rules() {
        let full = to_http_response(
            br#"{"statusCode":201,"headers":{"x-a":"1"},"cookies":["a=1","b=2"],"body":"aGk=","isBase64Encoded":true}"#,
        );
        assert_eq!(full.status(), StatusCode::CREATED);
        assert_eq!(full.headers()["x-a"], "1");
        assert_eq!(full.headers().get_all("set-cookie").iter().count(), 2);
        let inferred = to_http_response(br#"{"hello":"world"}"#);
        assert_eq!(inferred.status(), StatusCode::OK);
        assert_eq!(inferred.headers()["content-type"], "application/json");
        assert_eq!(to_http_response(b"not json").status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
