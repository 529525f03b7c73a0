//! The web site (`web/dist`) on the API's own address, the way CloudFront serves both
//! from one origin in AWS: a path whose first segment is one of the API's (`/events`,
//! `/auth`, ...) goes to the API; every other GET is a file of the site, or
//! `index.html`, since the single-page app routes in the browser.
//!
//! `/config.json`, the site's run-time settings, is written here from the local stack
//! (Stripe.js from localstripe); in AWS it is a file uploaded with the site.

use crate::gateway::json_message;
use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

pub struct Site {
    root: PathBuf,
    api_prefixes: BTreeSet<String>,
    config: serde_json::Value,
}

impl Site {
    /// `api_paths`: the HttpApi routes' paths, e.g. `/events/{id}`.
    pub fn new(root: PathBuf, api_paths: impl IntoIterator<Item = String>, config: serde_json::Value) -> Self {
        let api_prefixes = api_paths.into_iter().map(|path| first_segment(&path).to_owned()).collect();
        Self { root, api_prefixes, config }
    }

    /// Whether the site answers this path (the API answers the rest).
    pub fn owns(&self, path: &str) -> bool {
        !self.api_prefixes.contains(first_segment(path))
    }

    pub async fn serve(&self, method: &Method, path: &str) -> Response {
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
    fn paths_cannot_leave_the_site() {
        assert_eq!(safe_relative("/assets/app.js"), Some(PathBuf::from("assets/app.js")));
        assert_eq!(safe_relative("/"), Some(PathBuf::new()));
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/assets/../../secret"), None);
    }
}
