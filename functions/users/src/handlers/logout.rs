//! POST /auth/logout: `{refreshToken}` → 204; the session and its access tokens
//! are revoked. 204 whether or not the token was valid: logging out twice is
//! fine, and nothing is learnt from it.

use super::credentials::refresh_token_field;
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
    let presented = refresh_token_field(request)?;
    if let Some(presented) = session::parse_refresh_token(&presented) {
        let (now_secs, now_text) = now(clock);
        let stored = store.get_session(&presented.session_id).await?;
        if session::knows(stored.as_ref(), &presented.hash, now_secs) {
            store.revoke_session(&presented.session_id, &now_text).await?;
            tracing::info!(session_id = %presented.session_id, "signed out");
        }
    }
    Ok(no_content())
}
