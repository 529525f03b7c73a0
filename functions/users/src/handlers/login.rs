//! POST /auth/login: `{email, password}` → a new session and its token pair.

use super::credentials::{check_password, invalid_credentials, issue};
use super::now;
use crate::domain::account::normalize_email;
use crate::domain::lockout::LockoutPolicy;
use crate::domain::password;
use crate::domain::session::{self, SESSION_LIFETIME_SECONDS, Session};
use crate::domain::token::Tokens;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, json_response};

pub async fn handle<S: UserStore>(
    store: &S,
    tokens: &Tokens,
    policy: &LockoutPolicy,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let mut fields = Fields::new(json_object(request)?);
    let email = fields.required_str("email");
    let password = fields.required_str("password");
    let (email, password) = fields.finish_with(|| Some((email?, password?)))?;

    let (now_secs, now_text) = now(clock);
    let user = match normalize_email(&email) {
        Ok(email) => store.user_by_email(&email).await?.filter(|u| !u.deleted),
        Err(_) => None,
    };
    let Some(user) = user else {
        // Same work as a wrong password, so the answer's timing tells nothing.
        let _always_false = password::verify_against_nothing(&password);
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
