//! What the sign-in endpoints share: one answer for bad credentials, the attempt
//! throttle, the password check, and the token pair they hand out.

use crate::domain::account::{PASSWORD_MAX_CHARS, User};
use crate::domain::password;
use crate::domain::throttle::{AttemptDecision, ThrottlePolicy};
use crate::domain::token::Tokens;
use crate::store::UserStore;
use lambda_http::Request;
use lambda_http::http::StatusCode;
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
    pub refresh_token: String,
    /// Epoch seconds when the session ends and a new login is needed.
    pub refresh_expires_at: i64,
}

/// One answer for unknown email and wrong password: nobody learns which accounts exist.
pub fn invalid_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "the email or password is incorrect")
}

pub fn invalid_refresh_token() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_refresh_token", "the refresh token is not valid; sign in again")
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
        refresh_token,
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
