//! Where users and sessions live, behind a small trait; `dynamodb` is the adapter.

pub mod dynamodb;

use crate::domain::account::User;
use crate::domain::lockout::LockoutPolicy;
use crate::domain::session::Session;
use shared::Role;
use shared::dynamo::Failure;
use std::future::Future;

/// What a store call can answer besides success. Storage failures keep their kind
/// (throttled, cancelled, ...) until the handler edge maps them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the email is already registered")]
    EmailTaken,
    #[error("no such user")]
    NotFound,
    #[error("the listing cursor is not valid")]
    BadCursor,
    #[error(transparent)]
    Storage(#[from] Failure),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One page of a listing and the opaque cursor of the next, if any.
#[derive(Debug, Clone)]
pub struct Page {
    pub users: Vec<User>,
    pub next_cursor: Option<String>,
}

pub trait UserStore: Send + Sync {
    /// Creates the user; the email is claimed in the same transaction, so two
    /// registrations with one email cannot both succeed.
    fn create_user(&self, user: &User) -> impl Future<Output = StoreResult<()>> + Send;
    fn get_user(&self, id: &str) -> impl Future<Output = StoreResult<Option<User>>> + Send;
    fn user_by_email(&self, email: &str) -> impl Future<Output = StoreResult<Option<User>>> + Send;
    /// Counts a failed login; returns the lock's end when this failure locks the account.
    fn record_failed_login(
        &self,
        id: &str,
        policy: &LockoutPolicy,
        now: i64,
    ) -> impl Future<Output = StoreResult<Option<i64>>> + Send;
    fn clear_failed_logins(&self, id: &str) -> impl Future<Output = StoreResult<()>> + Send;
    fn update_profile(
        &self,
        id: &str,
        display_name: Option<&str>,
        password_hash: Option<&str>,
        now: &str,
    ) -> impl Future<Output = StoreResult<User>> + Send;
    fn set_role(&self, id: &str, role: Role, now: &str) -> impl Future<Output = StoreResult<User>> + Send;
    fn list_users(
        &self,
        role: Option<Role>,
        limit: i32,
        cursor: Option<&str>,
    ) -> impl Future<Output = StoreResult<Page>> + Send;
    /// Erases personal data and revokes every session, in one transaction.
    fn erase_user(&self, user: &User, now: &str) -> impl Future<Output = StoreResult<()>> + Send;

    fn create_session(&self, session: &Session, now: &str) -> impl Future<Output = StoreResult<()>> + Send;
    fn get_session(&self, id: &str) -> impl Future<Output = StoreResult<Option<Session>>> + Send;
    /// Replaces the current secret if it is still `expected_hash`; `false` if another
    /// refresh got there first.
    fn rotate_session(
        &self,
        session: &Session,
        new_hash: &str,
        now: &str,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    fn revoke_session(&self, id: &str, now: &str) -> impl Future<Output = StoreResult<()>> + Send;
    /// Revokes every live session of the user but `keep`.
    fn revoke_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
        now: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;
}
