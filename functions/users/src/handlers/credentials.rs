//! What the sign-in endpoints share: one answer for bad credentials, the password
//! check with its lockout, and the token pair they hand out.

use crate::domain::account::{PASSWORD_MAX_CHARS, User};
use crate::domain::lockout::LockoutPolicy;
use crate::domain::password;
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

/// Checks a password against the account, counting failures towards the lockout.
/// `Err` is the answer to give: 401 or 429.
pub async fn check_password<S: UserStore>(
    store: &S,
    policy: &LockoutPolicy,
    user: &User,
    password: &str,
    now: i64,
) -> Result<(), ApiError> {
    if let Some(retry_after) = policy.retry_after(user.locked_until, now) {
        return Err(ApiError::too_many_requests("too many failed attempts; try again later", retry_after));
    }
    let matches = password.chars().count() <= PASSWORD_MAX_CHARS
        && user.password_hash.as_deref().is_some_and(|hash| password::verify(password, hash));
    if matches {
        if user.failed_logins > 0 || user.locked_until.is_some() {
            store.clear_failed_logins(&user.id).await?;
        }
        return Ok(());
    }
    if let Some(until) = store.record_failed_login(&user.id, policy, now).await? {
        tracing::warn!(user_id = %user.id, until, "account locked after repeated failed logins");
    }
    Err(invalid_credentials())
}

/// The `{refreshToken}` body of refresh and logout.
pub fn refresh_token_field(request: &Request) -> Result<String, ApiError> {
    let mut fields = Fields::new(json_object(request)?);
    let token = fields.required_str("refreshToken");
    fields.finish_with(|| token)
}
