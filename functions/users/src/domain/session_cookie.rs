//! The refresh token in a cookie, for the web site: the browser keeps it where no
//! script can read it (`HttpOnly`), sends it only over HTTPS (`Secure`), only from
//! the site's own pages (`SameSite=Strict`) and only to the sign-in routes
//! (`Path=/auth`), so a reload keeps its owner signed in while the access token stays
//! in the page's memory.
//!
//! A client asks for it with `X-Session: cookie` on login, refresh and logout. That
//! header is also the defence against cross-site request forgery: a form on another
//! site cannot send a custom header, and a script on another origin would need a CORS
//! preflight the API never grants. A browser's request from anywhere but the site's
//! own pages (`Sec-Fetch-Site`) is refused as well. Without the header the cookie is ignored and
//! the refresh token travels in the body, as API clients have always sent it.

/// The header (and its value) that asks for the refresh token in the cookie.
pub const MODE_HEADER: &str = "x-session";
pub const MODE_VALUE: &str = "cookie";

/// `__Secure-`: browsers accept the cookie only with `Secure`, from a secure origin.
pub const COOKIE_NAME: &str = "__Secure-refresh";

/// The `Set-Cookie` value that keeps `token` until the session ends.
pub fn set_cookie(token: &str, seconds_left: i64) -> String {
    format!("{COOKIE_NAME}={token}; Path=/auth; Max-Age={}; HttpOnly; Secure; SameSite=Strict", seconds_left.max(0))
}

/// The `Set-Cookie` value that removes the cookie (sign-out).
pub const CLEAR_COOKIE: &str = "__Secure-refresh=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict";

/// The refresh token among the request's `Cookie` headers, if any.
pub fn token_in<'a>(cookie_headers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    cookie_headers
        .into_iter()
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// Whether a request may use the cookie, by its `Sec-Fetch-Site` header: browsers
/// set it on every request and no script can, so `same-origin` is a page of the site
/// (whose origin is the API's behind CloudFront) and anything else (`same-site`,
/// `cross-site`, `none`) is not. A client that is no browser sends none.
pub fn from_the_site(sec_fetch_site: Option<&str>) -> bool {
    matches!(sec_fetch_site, None | Some("same-origin"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_secure_strict_and_scoped_to_the_sign_in_routes() {
        let cookie = set_cookie("rt_abc.def", 3600);
        assert_eq!(cookie, "__Secure-refresh=rt_abc.def; Path=/auth; Max-Age=3600; HttpOnly; Secure; SameSite=Strict");
        assert!(set_cookie("t", -5).contains("Max-Age=0;"), "an ended session keeps nothing");
        assert!(CLEAR_COOKIE.starts_with(&format!("{COOKIE_NAME}=; Path=/auth; Max-Age=0;")));
    }

    #[test]
    fn the_token_is_found_among_other_cookies_and_headers() {
        assert_eq!(token_in(["a=1; __Secure-refresh=tok; b=2"]), Some("tok"));
        assert_eq!(token_in(["a=1", "__Secure-refresh=tok"]), Some("tok"));
        assert_eq!(token_in(["refresh=tok; x__Secure-refresh=no"]), None);
        assert_eq!(token_in(["__Secure-refresh="]), None);
        assert_eq!(token_in([]), None);
    }

    #[test]
    fn only_the_sites_own_pages_or_clients_that_are_no_browser_may_use_the_cookie() {
        assert!(from_the_site(Some("same-origin")));
        assert!(from_the_site(None), "not a browser: no cross-site request to forge");
        for other in ["same-site", "cross-site", "none", "Same-Origin"] {
            assert!(!from_the_site(Some(other)), "{other}");
        }
    }
}
