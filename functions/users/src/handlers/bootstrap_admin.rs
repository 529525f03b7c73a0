//! The first admin. Not routed over HTTP: an operator invokes the function with
//! `{"email": ..., "password": ..., "displayName": ...}` (`sam remote invoke`,
//! or `local-runner invoke` locally). It creates an admin account; an existing
//! account with that email is promoted only when the password given is its own,
//! so nobody becomes admin by registering the operator's email first.

use super::now;
use crate::domain::account::{User, check_new_password, normalize_display_name, normalize_email};
use crate::domain::password;
use crate::store::{StoreError, UserStore};
use serde::{Deserialize, Serialize};
use shared::Clock;
use shared::Role;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BootstrapAdmin {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapResult {
    pub user_id: String,
    pub email: String,
    pub role: Role,
    /// `false` when an existing account was promoted.
    pub created: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("{field} {message}")]
    Invalid { field: String, message: String },
    #[error("an account with this email exists and the password is not its own; nothing was changed")]
    EmailTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn handle<S: UserStore>(
    store: &S,
    clock: &impl Clock,
    input: BootstrapAdmin,
) -> Result<BootstrapResult, BootstrapError> {
    let invalid = |e: shared::FieldError| BootstrapError::Invalid { field: e.field, message: e.message };
    let email = normalize_email(&input.email).map_err(invalid)?;
    let display_name = normalize_display_name(&input.display_name).map_err(invalid)?;
    check_new_password("password", &input.password).map_err(invalid)?;
    let (_, at) = now(clock);
    if let Some(existing) = store.user_by_email(&email).await?.filter(|u| !u.deleted) {
        if !password::verify(&input.password, existing.password_hash.as_deref().unwrap_or_default()) {
            return Err(BootstrapError::EmailTaken);
        }
        let user = store.set_role(&existing.id, Role::Admin, None, &at).await?;
        return Ok(BootstrapResult { user_id: user.id, email, role: Role::Admin, created: false });
    }
    let user = User::new_account(email.clone(), display_name, Role::Admin, password::hash(&input.password), &at);
    store.create_user(&user).await?;
    Ok(BootstrapResult { user_id: user.id, email, role: Role::Admin, created: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_event_is_a_valid_bootstrap_request() {
        let sample = include_str!("../../../../events/BootstrapAdminFunction/bootstrap-admin.json");
        let input: BootstrapAdmin = serde_json::from_str(sample).unwrap();
        assert!(normalize_email(&input.email).is_ok());
        assert!(check_new_password("password", &input.password).is_ok());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text = r#"{"email":"a@example.com","password":"long enough password","displayName":"A","role":"x"}"#;
        assert!(serde_json::from_str::<BootstrapAdmin>(text).is_err());
    }
}
