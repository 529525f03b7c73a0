//! Who may use the control endpoints under `/_local` (fire schedules, invoke any
//! function, e.g. `BootstrapAdminFunction`, read every email sent).
//!
//! Whoever can reach the port is trusted: a developer's own machine. What must not
//! work is a web page in that developer's browser driving them: a cross-site
//! `fetch`/form post (CSRF) or a DNS-rebinding page whose name resolves to
//! 127.0.0.1. So a request is refused when
//! - its `Host` is not a loopback name (DNS rebinding sends the attacker's name),
//! - it carries an `Origin` other than the runner's own (browsers always send
//!   `Origin` on cross-site POSTs; curl and SDKs send none),
//! - a body is typed as anything but JSON (a form or `text/plain` is what a page
//!   can send cross-site without a CORS preflight, which the runner never grants).

use axum::http::{HeaderMap, Method, header};

/// Why the request is refused, or `None` when it may go through.
pub fn refusal(method: &Method, headers: &HeaderMap) -> Option<&'static str> {
    let text = |name| headers.get(name).and_then(|v: &axum::http::HeaderValue| v.to_str().ok());
    let Some(host) = text(header::HOST) else { return Some("a Host header is required") };
    if !is_loopback_host(host) {
        return Some("the control endpoints answer only to 127.0.0.1, localhost or [::1]");
    }
    if let Some(origin) = text(header::ORIGIN)
        && origin != format!("http://{host}")
    {
        return Some("requests from other web origins are refused");
    }
    let reads_only = method == Method::GET || method == Method::HEAD;
    if !reads_only && let Some(content_type) = text(header::CONTENT_TYPE) {
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence != "application/json" {
            return Some("send no body or a JSON body (Content-Type: application/json)");
        }
    }
    None
}

/// A loopback name, and after it nothing or a port number: `127.0.0.1:3300@evil.example`
/// and `localhost:x.evil.example` name other hosts to whatever parses them next.
fn is_loopback_host(host: &str) -> bool {
    let (name, rest) = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some(parts) => parts,
            None => return false,
        },
        None => host.split_once(':').map_or((host, ""), |(name, _)| (name, &host[name.len()..])),
    };
    let port_ok = rest.is_empty() || rest.strip_prefix(':').is_some_and(|port| port.parse::<u16>().is_ok());
    port_ok && matches!(name, "127.0.0.1" | "localhost" | "::1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), v.parse().unwrap())).collect()
    }

    #[test]
    fn tools_on_the_machine_pass() {
        let curl = headers(&[("host", "127.0.0.1:3000")]);
        assert_eq!(refusal(&Method::POST, &curl), None);
        let json = headers(&[("host", "localhost:3000"), ("content-type", "application/json")]);
        assert_eq!(refusal(&Method::POST, &json), None);
        let same_site = headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")]);
        assert_eq!(refusal(&Method::POST, &same_site), None);
        assert_eq!(refusal(&Method::GET, &headers(&[("host", "[::1]:3000")])), None);
    }

    #[test]
    fn what_a_foreign_page_can_send_is_refused() {
        let cross_site = headers(&[("host", "127.0.0.1:3000"), ("origin", "https://evil.example")]);
        assert!(refusal(&Method::POST, &cross_site).is_some());
        let null_origin = headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]);
        assert!(refusal(&Method::POST, &null_origin).is_some(), "sandboxed frames send Origin: null");
        let simple = headers(&[("host", "127.0.0.1:3000"), ("content-type", "text/plain;charset=UTF-8")]);
        assert!(refusal(&Method::POST, &simple).is_some(), "a simple CORS request");
        let form = headers(&[("host", "127.0.0.1:3000"), ("content-type", "application/x-www-form-urlencoded")]);
        assert!(refusal(&Method::POST, &form).is_some());
        for smuggled in ["127.0.0.1:3300@evil.example", "localhost:x.evil.example", "[::1]x:3000", "localhost:", "[::1"]
        {
            assert!(refusal(&Method::GET, &headers(&[("host", smuggled)])).is_some(), "{smuggled}");
        }
        assert_eq!(refusal(&Method::GET, &headers(&[("host", "localhost")])), None);
        assert_eq!(refusal(&Method::GET, &headers(&[("host", "[::1]")])), None);
        let rebound = headers(&[("host", "attacker.example:3000")]);
        assert!(refusal(&Method::GET, &rebound).is_some(), "DNS rebinding");
        assert!(refusal(&Method::GET, &HeaderMap::new()).is_some());
    }
}
