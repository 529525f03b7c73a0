//! PATCH /users/me: `{displayName?, currentPassword?, newPassword?}`. A password
//! change needs the current password and signs out every other session.

use super::credentials::check_password;
use super::{now, own_account, profile_response};
use crate::domain::account::{check_new_password, normalize_display_name};
use crate::domain::lockout::LockoutPolicy;
use crate::domain::password;
use crate::store::UserStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, FieldError, caller};

pub async fn handle<S: UserStore>(
    store: &S,
    policy: &LockoutPolicy,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let mut fields = Fields::new(json_object(request)?);
    let display_name = fields.optional_str("displayName");
    let current_password = fields.optional_str("currentPassword");
    let new_password = fields.optional_str("newPassword");
    let display_name =
        display_name.and_then(|n| normalize_display_name(&n).map_err(|e| fields.error(&e.field, e.message)).ok());
    if let Some(new_password) = &new_password {
        if let Err(e) = check_new_password("newPassword", new_password) {
            fields.error(&e.field, e.message);
        }
        if current_password.is_none() {
            fields.error("currentPassword", "is required to change the password");
        }
    }
    if display_name.is_none() && new_password.is_none() && current_password.is_none() {
        fields.error("displayName", "send displayName and/or currentPassword with newPassword");
    }
    fields.finish()?;

    let (now_secs, now_text) = now(clock);
    let user = own_account(store, &caller.user_id).await?;
    let new_hash = match (&new_password, &current_password) {
        (Some(new_password), Some(current)) => {
            check_password(store, policy, &user, current, now_secs).await.map_err(|err| {
                if err.status == StatusCode::UNAUTHORIZED {
                    let mut wrong = ApiError::new(
                        StatusCode::FORBIDDEN,
                        "invalid_current_password",
                        "the current password is incorrect",
                    );
                    wrong.fields = vec![FieldError::new("currentPassword", "is incorrect")];
                    wrong
                } else {
                    err
                }
            })?;
            Some(password::hash(new_password))
        }
        _ => None,
    };
    let updated = store.update_profile(&user.id, display_name.as_deref(), new_hash.as_deref(), &now_text).await?;
    if new_hash.is_some() {
        store.revoke_user_sessions(&user.id, Some(&caller.session_id), &now_text).await?;
        tracing::info!(user_id = %user.id, "password changed; other sessions signed out");
    }
    Ok(profile_response(StatusCode::OK, &updated))
}
