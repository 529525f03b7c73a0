//! The web site (`web/dist`) on the API's own address, the way CloudFront serves both
//! from one origin in AWS: a path whose first segment is one of the API's (`/events`,
//! `/auth`, ...) goes to the API; every other GET is a file of the site, or
//! `index.html`, since the single-page app routes in the browser.
//!
//! `/config.json`, the site's run-time settings, is written here from the local stack
//! (Stripe.js from localstripe); in AWS it is a file uploaded with the site.
//!
//! Every answer carries the headers of the response headers policy the template puts
//! on the distribution's site behavior (Content-Security-Policy and the rest), so the
//! browser tests run under the headers CloudFront adds in AWS.

use crate::gateway::json_message;
use crate::template::Template;
use anyhow::{Context, Result, anyhow};
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

pub struct Site {
    root: PathBuf,
    api_prefixes: BTreeSet<String>,
    config: serde_json::Value,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Site {
    /// `api_paths`: the HttpApi routes' paths, e.g. `/events/{id}`.
    pub fn new(root: PathBuf, api_paths: impl IntoIterator<Item = String>, config: serde_json::Value) -> Self {
        let api_prefixes = api_paths.into_iter().map(|path| first_segment(&path).to_owned()).collect();
        Self { root, api_prefixes, config, headers: Vec::new() }
    }

    /// Adds `headers` to every answer (those of [`policy_headers`]).
    pub fn with_headers(mut self, headers: &[(String, String)]) -> Result<Self> {
        for (name, value) in headers {
            let name = HeaderName::try_from(name.as_str()).with_context(|| format!("header name {name:?}"))?;
            let value = HeaderValue::try_from(value.as_str()).with_context(|| format!("value of {name}"))?;
            self.headers.push((name, value));
        }
        Ok(self)
    }

    pub async fn serve(&self, method: &Method, path: &str) -> Response {
        let mut response = self.answer(method, path).await;
        for (name, value) in &self.headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        response
    }

    /// Whether the site answers this path (the API answers the rest).
    pub fn owns(&self, path: &str) -> bool {
        !self.api_prefixes.contains(first_segment(path))
    }

    async fn answer(&self, method: &Method, path: &str) -> Response {
        if method != Method::GET && method != Method::HEAD {
            let mut response = json_message(StatusCode::METHOD_NOT_ALLOWED, "the site only answers GET");
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        if path == "/config.json" {
            return ([(header::CACHE_CONTROL, "no-store")], axum::Json(self.config.clone())).into_response();
        }
        let file = match safe_relative(path) {
            Some(relative) if !relative.as_os_str().is_empty() => self.root.join(relative),
            Some(_) => self.root.join("index.html"),
            None => return json_message(StatusCode::BAD_REQUEST, "the path leaves the site"),
        };
        // A path with an extension names a file: missing is a 404, not the app.
        let looks_like_file = Path::new(path).extension().is_some();
        let (file, status) = match tokio::fs::metadata(&file).await {
            Ok(meta) if meta.is_file() => (file, StatusCode::OK),
            _ if looks_like_file => return json_message(StatusCode::NOT_FOUND, "Not Found"),
            _ => (self.root.join("index.html"), StatusCode::OK),
        };
        match tokio::fs::read(&file).await {
            Ok(bytes) => {
                let immutable = path.starts_with("/assets/"); // Vite's hashed file names
                let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
                let body = if method == Method::HEAD { Body::empty() } else { Body::from(bytes) };
                let mut response = (status, body).into_response();
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
                response
            }
            Err(_) => {
                (StatusCode::NOT_FOUND, "the site is not built: run `npm --prefix web run build` (make run does it)")
                    .into_response()
            }
        }
    }
}

/// The headers CloudFront adds to the site's answers: those of the response headers
/// policy (`AWS::CloudFront::ResponseHeadersPolicy`) that the distribution's default
/// behavior names with `!Ref`, its values resolved by `resolve` (parameters, `!Sub`).
/// None without a distribution or with a managed policy (named by id).
pub fn policy_headers(
    template: &Template,
    resolve: impl Fn(&Value) -> Result<String>,
) -> Result<Vec<(String, String)>> {
    let Some(distribution) = template.of_kind("AWS::CloudFront::Distribution").next() else { return Ok(Vec::new()) };
    let named = &distribution.properties["DistributionConfig"]["DefaultCacheBehavior"]["ResponseHeadersPolicyId"];
    let Some(policy) = named.get("Ref").and_then(Value::as_str) else { return Ok(Vec::new()) };
    let policy = template
        .of_kind("AWS::CloudFront::ResponseHeadersPolicy")
        .find(|r| r.logical_id == policy)
        .ok_or_else(|| anyhow!("the site's behavior names {policy}, which is no ResponseHeadersPolicy"))?;
    headers_of(&policy.properties["ResponseHeadersPolicyConfig"], resolve)
        .with_context(|| format!("{}: ResponseHeadersPolicyConfig", policy.logical_id))
}

/// A `ResponseHeadersPolicyConfig`'s security and custom headers, as CloudFront writes them.
fn headers_of(config: &Value, resolve: impl Fn(&Value) -> Result<String>) -> Result<Vec<(String, String)>> {
    let flag = |value: &Value| value == &Value::Bool(true) || value == "true";
    let mut headers = Vec::new();
    let security = &config["SecurityHeadersConfig"];
    if let Some(csp) = security.get("ContentSecurityPolicy") {
        headers.push(("content-security-policy".into(), resolve(&csp["ContentSecurityPolicy"])?));
    }
    if let Some(hsts) = security.get("StrictTransportSecurity") {
        let mut value = format!("max-age={}", resolve(&hsts["AccessControlMaxAgeSec"])?);
        if flag(&hsts["IncludeSubdomains"]) {
            value.push_str("; includeSubDomains");
        }
        if flag(&hsts["Preload"]) {
            value.push_str("; preload");
        }
        headers.push(("strict-transport-security".into(), value));
    }
    if security.get("ContentTypeOptions").is_some() {
        headers.push(("x-content-type-options".into(), "nosniff".into()));
    }
    if let Some(frames) = security.get("FrameOptions") {
        headers.push(("x-frame-options".into(), resolve(&frames["FrameOption"])?));
    }
    if let Some(referrer) = security.get("ReferrerPolicy") {
        headers.push(("referrer-policy".into(), resolve(&referrer["ReferrerPolicy"])?));
    }
    if let Some(xss) = security.get("XSSProtection") {
        let value = match (flag(&xss["Protection"]), flag(&xss["ModeBlock"])) {
            (false, _) => "0",
            (true, false) => "1",
            (true, true) => "1; mode=block",
        };
        headers.push(("x-xss-protection".into(), value.into()));
    }
    for item in config["CustomHeadersConfig"]["Items"].as_array().into_iter().flatten() {
        headers.push((resolve(&item["Header"])?.to_ascii_lowercase(), resolve(&item["Value"])?));
    }
    Ok(headers)
}

fn first_segment(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or_default()
}

/// The request path as a path under the site's root; `None` when it tries to leave it.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site::new(
            PathBuf::from("/site"),
            ["/events/{id}".to_owned(), "/auth/login".to_owned(), "/health".to_owned()],
            serde_json::json!({}),
        )
    }

    #[test]
    fn the_api_keeps_its_first_segments_and_the_site_gets_the_rest() {
        let site = site();
        for api in ["/events", "/events/abc", "/auth/login", "/auth/anything", "/health"] {
            assert!(!site.owns(api), "{api} belongs to the API");
        }
        for page in ["/", "/e/abc", "/tickets", "/assets/index-1a2b.js", "/config.json", "/eventsx"] {
            assert!(site.owns(page), "{page} belongs to the site");
        }
    }

    #[test]
    fn the_site_answers_with_the_headers_of_its_behaviors_response_headers_policy() {
        let template = Template::parse(
            r#"
Parameters:
  StripeJsOrigins: {Type: String, Default: "https://js.stripe.com"}
Resources:
  Headers:
    Type: AWS::CloudFront::ResponseHeadersPolicy
    Properties:
      ResponseHeadersPolicyConfig:
        Name: site
        SecurityHeadersConfig:
          ContentSecurityPolicy: {Override: true, ContentSecurityPolicy: !Sub "script-src 'self' ${StripeJsOrigins}"}
          StrictTransportSecurity: {Override: true, AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true}
          ContentTypeOptions: {Override: true}
          FrameOptions: {Override: true, FrameOption: DENY}
          ReferrerPolicy: {Override: true, ReferrerPolicy: strict-origin-when-cross-origin}
        CustomHeadersConfig:
          Items:
            - {Header: Permissions-Policy, Override: true, Value: "camera=(self)"}
  Site:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        DefaultCacheBehavior: {TargetOriginId: site, ResponseHeadersPolicyId: !Ref Headers}
"#,
        )
        .unwrap();
        // What the runner's resolver does with parameters, here by hand.
        let resolve = |value: &Value| -> Result<String> {
            Ok(match value.get("Fn::Sub").and_then(Value::as_str) {
                Some(text) => text.replace("${StripeJsOrigins}", "http://127.0.0.1:9"),
                None => value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string()),
            })
        };
        let headers = policy_headers(&template, resolve).unwrap();
        let expected = [
            ("content-security-policy", "script-src 'self' http://127.0.0.1:9"),
            ("strict-transport-security", "max-age=63072000; includeSubDomains"),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("permissions-policy", "camera=(self)"),
        ];
        assert_eq!(headers, expected.map(|(n, v)| (n.to_owned(), v.to_owned())));

        let managed = Template::parse(
            "Resources:\n  Site:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n        DefaultCacheBehavior: {ResponseHeadersPolicyId: 67f7725c-6f97-4210-82d7-5512b31e9d03}\n",
        )
        .unwrap();
        assert_eq!(policy_headers(&managed, resolve).unwrap(), vec![]);
    }

    #[tokio::test]
    async fn every_answer_of_the_site_carries_the_headers() {
        let root = std::env::temp_dir().join(format!("site-headers-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("index.html"), "<!doctype html>").unwrap();
        let headers = [("content-security-policy".to_owned(), "default-src 'self'".to_owned())];
        let site =
            Site::new(root.clone(), ["/events".to_owned()], serde_json::json!({})).with_headers(&headers).unwrap();
        for (method, path, status) in [
            (Method::GET, "/", StatusCode::OK),
            (Method::GET, "/door/abc", StatusCode::OK),
            (Method::GET, "/config.json", StatusCode::OK),
            (Method::GET, "/missing.js", StatusCode::NOT_FOUND),
            (Method::POST, "/", StatusCode::METHOD_NOT_ALLOWED),
        ] {
            let response = site.serve(&method, path).await;
            assert_eq!(response.status(), status, "{method} {path}");
            assert_eq!(response.headers()["content-security-policy"], "default-src 'self'", "{method} {path}");
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn paths_cannot_leave_the_site() {
        assert_eq!(safe_relative("/assets/app.js"), Some(PathBuf::from("assets/app.js")));
        assert_eq!(safe_relative("/"), Some(PathBuf::new()));
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/assets/../../secret"), None);
    }
}
