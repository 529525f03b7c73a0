//! POST /auth/refresh: `{refreshToken}` (or, with `X-Session: cookie`, the session
//! cookie's) → a new pair; the old token stops working,
//! and presenting an already rotated one revokes the whole session, except for a
//! retry of the refresh that just rotated it (see `domain::session`).

use super::credentials::{
    INVALID_REFRESH_TOKEN, answer_with_pair, clearing_the_cookie, cookie_mode, invalid_refresh_token, issue,
    presented_refresh_token,
};
use super::now;
use crate::domain::session::{self, RefreshDecision};
use crate::domain::token::Tokens;
use crate::store::UserStore;
use lambda_http::{Body, Request, Response};
use shared::{ApiError, Clock};

pub async fn handle<S: UserStore>(
    store: &S,
    tokens: &Tokens,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let cookie_mode = cookie_mode(request)?;
    match refresh(store, tokens, clock, request, cookie_mode).await {
        // A cookie that can never work again goes with the refusal, so the browser
        // stops sending it (a store failure keeps it: the session may be fine).
        Err(refused) if cookie_mode && refused.code == INVALID_REFRESH_TOKEN => {
            Ok(clearing_the_cookie(refused.to_response()))
        }
        answer => answer,
    }
}

async fn refresh<S: UserStore>(
    store: &S,
    tokens: &Tokens,
    clock: &impl Clock,
    request: &Request,
    cookie_mode: bool,
) -> Result<Response<Body>, ApiError> {
    let presented = presented_refresh_token(request, cookie_mode)?;
    let Some(presented) = session::parse_refresh_token(&presented) else {
        return Err(invalid_refresh_token());
    };
    let successor = session::successor_token(tokens.rotation_key(), &presented);
    let session_id = presented.session_id.clone();
    let (now_secs, now_text) = now(clock);
    let mut stored = store.get_session(&session_id).await?;
    loop {
        let (session, rotate) = match session::decide(stored.as_ref(), &presented.hash, &successor.hash, now_secs) {
            RefreshDecision::Refuse => return Err(invalid_refresh_token()),
            RefreshDecision::Reuse => {
                store.revoke_session(&session_id, &now_text).await?;
                tracing::warn!(session_id = %session_id, "a rotated refresh token was used again; session revoked");
                return Err(invalid_refresh_token());
            }
            RefreshDecision::Rotate(session) => (session, true),
            RefreshDecision::Replay(session) => (session, false),
        };
        let user = store.get_user(&session.user_id).await?;
        let live = session::is_live(&session, user.as_ref(), now_secs);
        let Some(user) = user.filter(|_| live) else {
            return Err(invalid_refresh_token());
        };
        if rotate && !store.rotate_session(&session, &successor.hash, now_secs, &now_text).await? {
            // Another refresh with the same token won the race: decide again on what
            // it left (a replay of its successor, when it was this client's retry).
            stored = store.get_session(&session_id).await?;
            continue;
        }
        let pair = issue(tokens, &user, &session_id, successor.token.clone(), session.expires_at, now_secs);
        return Ok(answer_with_pair(pair, cookie_mode, now_secs));
    }
}
