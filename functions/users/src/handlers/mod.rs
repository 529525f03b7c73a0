//! One module per endpoint, named like its Lambda function and its Handler
//! (`SetRoleFunction` → `Handler: set_role` → `set_role::handle`), plus
//! `credentials`, what the sign-in endpoints share. Store outcomes become HTTP
//! answers here, once.

pub mod add_member;
pub mod authorizer;
pub mod bootstrap_admin;
pub mod credentials;
pub mod delete_me;
pub mod get_me;
pub mod list_members;
pub mod list_users;
pub mod login;
pub mod logout;
pub mod refresh;
pub mod register;
pub mod remove_member;
pub mod set_role;
pub mod update_me;

use crate::domain::account::{Profile, User};
use crate::store::{StoreError, UserStore};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use shared::{ApiError, Clock, Role};

pub const ADMINS: &[Role] = &[Role::Admin];
/// Who has a team: an organizer (an admin too, for their own account).
pub const ORGANIZERS: &[Role] = &[Role::Organizer, Role::Admin];

/// Roles each handler admits, by handler module (`None`: any signed-in caller, or
/// anyone on public routes). template.yaml's `Metadata.AllowedRoles` must say the
/// same; a test checks it.
pub fn allowed_roles(handler: &str) -> Option<&'static [Role]> {
    match handler {
        "list_users" | "set_role" => Some(ADMINS),
        "add_member" | "list_members" | "remove_member" => Some(ORGANIZERS),
        _ => None,
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::EmailTaken => ApiError::conflict("email_taken", "an account with this email already exists"),
            StoreError::NotFound => ApiError::not_found("no such user"),
            StoreError::BadCursor => ApiError::bad_request("the cursor is not valid; start again without it"),
            StoreError::CredentialsChanged => {
                ApiError::conflict("credentials_changed", "the account changed meanwhile; sign in again")
            }
            StoreError::NotAdmin => ApiError::forbidden("this needs the admin role"),
            StoreError::AdminCannotErase => ApiError::conflict(
                "admin_cannot_erase",
                "admins cannot delete their own account; ask another admin to change your role first",
            ),
            StoreError::InAnotherTeam => ApiError::conflict(
                "in_another_team",
                "this account is in another organizer's team; they must remove it first",
            ),
            StoreError::Storage(failure) => failure.into(),
        }
    }
}

/// Now, as epoch seconds and as the RFC 3339 text we store.
pub(crate) fn now(clock: &impl Clock) -> (i64, String) {
    let now = clock.now();
    (now.timestamp(), shared::clock::stored(now))
}

pub(crate) fn profile_response(status: StatusCode, user: &User) -> Response<Body> {
    shared::json_response(status, &Profile::from(user))
}

pub(crate) fn no_content() -> Response<Body> {
    Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).expect("static response")
}

/// The caller's own account, unless it was erased.
pub(crate) async fn own_account<S: UserStore>(store: &S, user_id: &str) -> Result<User, ApiError> {
    store
        .get_user(user_id)
        .await?
        .filter(|u| !u.deleted)
        .ok_or_else(|| ApiError::not_found("this account no longer exists"))
}
