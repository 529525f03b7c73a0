//! PATCH /users/me: `{displayName?, language?, currentPassword?, newPassword?}`. A password
//! change needs the current password and signs out every other session (the
//! credentials version moves on; only the caller's session moves with it).

use super::credentials::{count_attempt, password_matches};
use super::{now, own_account, profile_response};
use crate::domain::account::{check_new_password, normalize_display_name};
use crate::domain::password;
use crate::domain::throttle::{self, ThrottlePolicy};
use crate::store::{CredentialsChange, StoreError, UserStore};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::locale::Language;
use shared::{ApiError, Clock, FieldError, caller};

pub async fn handle<S: UserStore>(
    store: &S,
    policy: &ThrottlePolicy,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let mut fields = Fields::new(json_object(request)?);
    let display_name = fields.optional_str("displayName");
    let current_password = fields.optional_str("currentPassword");
    let new_password = fields.optional_str("newPassword");
    let language = fields.optional_str("language").and_then(|tag| match Language::parse(&tag) {
        Some(language) if language.code() == tag => Some(language),
        _ => {
            fields.error("language", "must be \"en\" or \"fr\"");
            None
        }
    });
    let display_name =
        display_name.and_then(|n| normalize_display_name(&n).map_err(|e| fields.error(&e.field, e.message)).ok());
    match (&current_password, &new_password) {
        (_, Some(new_password)) => {
            if let Err(e) = check_new_password("newPassword", new_password) {
                fields.error(&e.field, e.message);
            }
            if current_password.is_none() {
                fields.error("currentPassword", "is required to change the password");
            }
        }
        (Some(_), None) => fields.error("newPassword", "is required with currentPassword"),
        (None, None) => {}
    }
    if display_name.is_none()
        && language.is_none()
        && new_password.is_none()
        && current_password.is_none()
        && !fields.has_errors()
    {
        fields.error("displayName", "send displayName, language and/or currentPassword with newPassword");
    }
    fields.finish()?;

    let (now_secs, now_text) = now(clock);
    let user = own_account(store, &caller.user_id).await?;
    let (Some(current), Some(new_password)) = (current_password, new_password) else {
        let updated = store.update_profile(&user.id, display_name.as_deref(), language, &now_text).await?;
        return Ok(profile_response(StatusCode::OK, &updated));
    };
    // Throttled per session: other people's guesses never block the owner's change.
    let attempts_key = throttle::password_change_key(&user.id, &caller.session_id);
    count_attempt(store, policy, &attempts_key, now_secs).await?;
    if !password_matches(Some(&user), &current) {
        let mut wrong =
            ApiError::new(StatusCode::FORBIDDEN, "invalid_current_password", "the current password is incorrect");
        wrong.fields = vec![FieldError::new("currentPassword", "is incorrect")];
        return Err(wrong);
    }
    store.clear_attempts(&attempts_key).await?;
    let new_hash = password::hash(&new_password);
    let change = CredentialsChange {
        user: &user,
        new_hash: &new_hash,
        display_name: display_name.as_deref(),
        keep_session: &caller.session_id,
    };
    match store.change_credentials(change, &now_text).await {
        Ok(()) => {}
        Err(StoreError::CredentialsChanged) => {
            return Err(ApiError::conflict(
                "credentials_changed",
                "the account's password or role changed meanwhile; sign in again",
            ));
        }
        Err(other) => return Err(other.into()),
    }
    tracing::info!(user_id = %user.id, "password changed; other sessions signed out");
    Ok(profile_response(StatusCode::OK, &own_account(store, &user.id).await?))
}
