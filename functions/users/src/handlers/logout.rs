//! POST /auth/logout: `{refreshToken}` (or, with `X-Session: cookie`, the session
//! cookie's, which the answer clears) → 204; the session and its access tokens
//! are revoked. 204 whether or not the token was valid: logging out twice is
//! fine, and nothing is learnt from it.

use super::credentials::{clearing_the_cookie, cookie_mode, presented_refresh_token};
use super::{no_content, now};
use crate::domain::session;
use crate::store::UserStore;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, Clock};

pub async fn handle<S: UserStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let cookie_mode = cookie_mode(request)?;
    // Without a cookie there is nothing to revoke, and the cookie is cleared anyway.
    let presented = match presented_refresh_token(request, cookie_mode) {
        Err(_) if cookie_mode => String::new(),
        other => other?,
    };
    if let Some(presented) = session::parse_refresh_token(&presented) {
        let (now_secs, now_text) = now(clock);
        let stored = store.get_session(&presented.session_id).await?;
        if session::knows(stored.as_ref(), &presented.hash, now_secs) {
            store.revoke_session(&presented.session_id, &now_text).await?;
            tracing::info!(session_id = %presented.session_id, "signed out");
        }
    }
    Ok(if cookie_mode { clearing_the_cookie(no_content()) } else { no_content() })
}
