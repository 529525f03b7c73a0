//! What the sign-in endpoints share: one answer for bad credentials, the attempt
//! throttle, the password check, and the token pair they hand out.

use crate::domain::account::{PASSWORD_MAX_CHARS, User};
use crate::domain::password;
use crate::domain::session_cookie;
use crate::domain::throttle::{AttemptDecision, ThrottlePolicy};
use crate::domain::token::Tokens;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::http::header::{CACHE_CONTROL, HeaderValue, SET_COOKIE};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shared::ApiError;
use shared::body::{Fields, json_object};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires (its `exp` claim says the same).
    pub expires_in: i64,
    /// Absent when the refresh token went into the session cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Epoch seconds when the session ends and a new login is needed.
    pub refresh_expires_at: i64,
}

/// One answer for unknown email and wrong password: nobody learns which accounts exist.
pub fn invalid_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "the email or password is incorrect")
}

/// The code of a refresh token refused for good (unknown, expired, revoked or reused).
pub const INVALID_REFRESH_TOKEN: &str = "invalid_refresh_token";

pub fn invalid_refresh_token() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, INVALID_REFRESH_TOKEN, "the refresh token is not valid; sign in again")
}

pub fn issue(
    tokens: &Tokens,
    user: &User,
    session_id: &str,
    refresh_token: String,
    session_end: i64,
    now: i64,
) -> TokenPair {
    let (access_token, _) = tokens.issue(&user.id, user.role, session_id, now);
    TokenPair {
        access_token,
        token_type: "Bearer",
        expires_in: tokens.ttl_seconds,
        refresh_token: Some(refresh_token),
        refresh_expires_at: session_end,
    }
}

/// Parallel attempts that keep changing the counter under us get this many tries
/// before the request is told to wait.
const COUNTER_RACES: usize = 8;

/// Counts this attempt under `key` before any password is checked, so parallel
/// guesses cannot exceed the limit. `Err` is the 429 to answer.
pub async fn count_attempt<S: UserStore>(
    store: &S,
    policy: &ThrottlePolicy,
    key: &str,
    now: i64,
) -> Result<(), ApiError> {
    for _ in 0..COUNTER_RACES {
        let seen = store.attempts(key).await?;
        match policy.decide(seen, now) {
            AttemptDecision::Wait(seconds) => {
                return Err(ApiError::too_many_requests("too many attempts; try again later", seconds));
            }
            AttemptDecision::Allowed(next) => {
                if store.record_attempt(key, seen, next, now + policy.forget_after_seconds).await? {
                    return Ok(());
                }
            }
        }
    }
    Err(ApiError::too_many_requests("too many attempts at once; try again later", 1))
}

/// Whether `password` is the account's. Without an account (or a hash) the same
/// Argon2 work is done against a stand-in hash, so the answer takes as long.
pub fn password_matches(user: Option<&User>, password: &str) -> bool {
    let hash = user.and_then(|u| u.password_hash.as_deref());
    match hash {
        Some(hash) if password.chars().count() <= PASSWORD_MAX_CHARS => password::verify(password, hash),
        _ => password::verify_against_nothing(password),
    }
}

/// The `{refreshToken}` body of refresh and logout.
pub fn refresh_token_field(request: &Request) -> Result<String, ApiError> {
    let mut fields = Fields::new(json_object(request)?);
    let token = fields.required_str("refreshToken");
    fields.finish_with(|| token)
}

/// Whether the caller keeps its refresh token in the session cookie (`X-Session:
/// cookie`, the web site); refused (403) from any page but the site's own.
pub fn cookie_mode(request: &Request) -> Result<bool, ApiError> {
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    if header(session_cookie::MODE_HEADER) != Some(session_cookie::MODE_VALUE) {
        return Ok(false);
    }
    if !session_cookie::from_the_site(header("sec-fetch-site")) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "the session cookie is only used from the site's own pages",
        ));
    }
    Ok(true)
}

/// The refresh token refresh and logout act on: the session cookie's in cookie mode
/// (none: 401), else the body's.
pub fn presented_refresh_token(request: &Request, cookie_mode: bool) -> Result<String, ApiError> {
    if !cookie_mode {
        return refresh_token_field(request);
    }
    let cookies = request.headers().get_all("cookie").iter().filter_map(|v| v.to_str().ok());
    session_cookie::token_in(cookies).map(str::to_owned).ok_or_else(invalid_refresh_token)
}

/// The token pair as the caller keeps it: in cookie mode the refresh token leaves the
/// body for the cookie (no script of the page ever sees it).
pub fn answer_with_pair(mut pair: TokenPair, cookie_mode: bool, now: i64) -> Response<Body> {
    let Some(token) = pair.refresh_token.take_if(|_| cookie_mode) else {
        return shared::json_response(StatusCode::OK, &pair);
    };
    let response = shared::json_response(StatusCode::OK, &pair);
    match HeaderValue::try_from(session_cookie::set_cookie(&token, pair.refresh_expires_at - now)) {
        Ok(cookie) => with_session_cookie(response, cookie),
        Err(_) => response,
    }
}

/// `response` with the session cookie removed (sign-out, or a refresh refused for good).
pub fn clearing_the_cookie(response: Response<Body>) -> Response<Body> {
    with_session_cookie(response, HeaderValue::from_static(session_cookie::CLEAR_COOKIE))
}

/// An answer that sets the session cookie is never stored by a cache.
fn with_session_cookie(mut response: Response<Body>, cookie: HeaderValue) -> Response<Body> {
    response.headers_mut().append(SET_COOKIE, cookie);
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
