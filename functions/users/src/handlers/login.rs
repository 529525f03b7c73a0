//! POST /auth/login: `{email, password}` → a new session and its token pair (the
//! refresh token in the session cookie instead for `X-Session: cookie`).
//!
//! Known and unknown emails go through the same steps (the attempt counter, two
//! reads, one Argon2 verification), so neither the answers, their 429s nor their
//! timing tell which accounts exist.

use super::credentials::{answer_with_pair, cookie_mode, count_attempt, invalid_credentials, issue, password_matches};
use super::now;
use crate::domain::account::normalize_email;
use crate::domain::session::{self, SESSION_LIFETIME_SECONDS, Session};
use crate::domain::throttle::{self, ThrottlePolicy};
use crate::domain::token::Tokens;
use crate::store::{StoreError, UserStore};
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, ClientAddress, Clock};

/// A password or role change landing between our password check and the session's
/// creation makes us check again; more than this many in a row is an attack.
const CREDENTIAL_RACES: usize = 3;

pub async fn handle<S: UserStore>(
    store: &S,
    tokens: &Tokens,
    policy: &ThrottlePolicy,
    clients: &ClientAddress,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let cookie_mode = cookie_mode(request)?;
    let mut fields = Fields::new(json_object(request)?);
    let email = fields.required_str("email");
    let password = fields.required_str("password");
    let (email, password) = fields.finish_with(|| Some((email?, password?)))?;

    let (now_secs, now_text) = now(clock);
    let normalized = normalize_email(&email).ok();
    let attempts_key = throttle::login_key(normalized.as_deref().unwrap_or(&email), &clients.of(request));
    // An address that cannot be valid has no account; it is still looked up (under
    // a name no account has, and that fits in a key) to spend the same work.
    let email = normalized.unwrap_or_else(|| "not-an-address".to_owned());
    count_attempt(store, policy, &attempts_key, now_secs).await?;

    for _ in 0..CREDENTIAL_RACES {
        let user = store.user_by_email(&email).await?.filter(|u| !u.deleted);
        let verified = password_matches(user.as_ref(), &password);
        let Some(user) = user.filter(|_| verified) else { return Err(invalid_credentials()) };
        store.clear_attempts(&attempts_key).await?;

        let session_id = session::new_session_id();
        let refresh = session::new_refresh_token(&session_id);
        let session_end = now_secs + SESSION_LIFETIME_SECONDS;
        let session = Session {
            id: session_id.clone(),
            user_id: user.id.clone(),
            current_hash: refresh.hash,
            previous_hashes: Vec::new(),
            revoked: false,
            expires_at: session_end,
            rotated_at: None,
            credentials_version: user.credentials_version,
        };
        match store.create_session(&session, &now_text).await {
            Ok(()) => {
                tracing::info!(user_id = %user.id, session_id = %session_id, "signed in");
                let pair = issue(tokens, &user, &session_id, refresh.token, session_end, now_secs);
                return Ok(answer_with_pair(pair, cookie_mode, now_secs));
            }
            // The password or role changed after we read the account: check again
            // against what it is now (an old password then fails).
            Err(StoreError::CredentialsChanged) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(invalid_credentials())
}
