//! POST /auth/login, POST /auth/refresh, POST /auth/logout.

use super::{no_content, now};
use crate::domain::account::{PASSWORD_MAX_CHARS, User, normalize_email};
use crate::domain::lockout::LockoutPolicy;
use crate::domain::password;
use crate::domain::session::{self, RefreshDecision, SESSION_LIFETIME_SECONDS, Session};
use crate::domain::token::Tokens;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use shared::body::{Fields, json_object};
use shared::{ApiError, json_response};

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
fn invalid_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "the email or password is incorrect")
}

fn invalid_refresh_token() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_refresh_token", "the refresh token is not valid; sign in again")
}

fn issue(
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

pub async fn login<S: UserStore>(
    store: &S,
    tokens: &Tokens,
    policy: &LockoutPolicy,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let mut fields = Fields::new(json_object(request)?);
    let email = fields.required_str("email");
    let password = fields.required_str("password");
    fields.finish()?;
    let (Some(email), Some(password)) = (email, password) else { return Err(ApiError::internal()) };

    let (now_secs, now_text) = now();
    let user = match normalize_email(&email) {
        Ok(email) => store.user_by_email(&email).await?.filter(|u| !u.deleted),
        Err(_) => None,
    };
    let Some(user) = user else {
        password::verify_against_nothing(&password);
        return Err(invalid_credentials());
    };
    check_password(store, policy, &user, &password, now_secs).await?;

    let session_id = session::new_session_id();
    let (refresh_token, hash) = session::new_refresh_token(&session_id);
    let session_end = now_secs + SESSION_LIFETIME_SECONDS;
    let session = Session {
        id: session_id.clone(),
        user_id: user.id.clone(),
        current_hash: hash,
        previous_hashes: Vec::new(),
        revoked: false,
        expires_at: session_end,
    };
    store.create_session(&session, &now_text).await?;
    tracing::info!(user_id = %user.id, session_id = %session_id, "signed in");
    Ok(json_response(StatusCode::OK, &issue(tokens, &user, &session_id, refresh_token, session_end, now_secs)))
}

fn refresh_token_field(request: &Request) -> Result<String, ApiError> {
    let mut fields = Fields::new(json_object(request)?);
    let token = fields.required_str("refreshToken");
    fields.finish()?;
    token.ok_or_else(ApiError::internal)
}

pub async fn refresh<S: UserStore>(store: &S, tokens: &Tokens, request: &Request) -> Result<Response<Body>, ApiError> {
    let presented = refresh_token_field(request)?;
    let Some((session_id, hash)) = session::parse_refresh_token(&presented) else {
        return Err(invalid_refresh_token());
    };
    let (now_secs, now_text) = now();
    let mut stored = store.get_session(&session_id).await?;
    loop {
        match session::decide(stored.as_ref(), &hash, now_secs) {
            RefreshDecision::Refuse => return Err(invalid_refresh_token()),
            RefreshDecision::Reuse => {
                store.revoke_session(&session_id, &now_text).await?;
                tracing::warn!(session_id = %session_id, "a rotated refresh token was used again; session revoked");
                return Err(invalid_refresh_token());
            }
            RefreshDecision::Rotate => {
                let session = stored.as_ref().expect("rotate implies a session");
                let (refresh_token, new_hash) = session::new_refresh_token(&session_id);
                if !store.rotate_session(session, &new_hash, &now_text).await? {
                    // Another refresh with the same token won the race: decide again on what it left.
                    stored = store.get_session(&session_id).await?;
                    continue;
                }
                let user = store.get_user(&session.user_id).await?.filter(|u| !u.deleted);
                let Some(user) = user else { return Err(invalid_refresh_token()) };
                let pair = issue(tokens, &user, &session_id, refresh_token, session.expires_at, now_secs);
                return Ok(json_response(StatusCode::OK, &pair));
            }
        }
    }
}

/// Revokes the session of the given refresh token. Answers 204 whether or not the
/// token was valid: logging out twice is fine, and nothing is learnt from it.
pub async fn logout<S: UserStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let presented = refresh_token_field(request)?;
    if let Some((session_id, hash)) = session::parse_refresh_token(&presented) {
        let (now_secs, now_text) = now();
        let stored = store.get_session(&session_id).await?;
        if session::decide(stored.as_ref(), &hash, now_secs) != RefreshDecision::Refuse {
            store.revoke_session(&session_id, &now_text).await?;
            tracing::info!(session_id = %session_id, "signed out");
        }
    }
    Ok(no_content())
}
