//! Where users and sessions live, behind a small trait; `dynamodb` is the adapter.

pub mod dynamodb;
pub mod team;

use crate::domain::account::User;
use crate::domain::session::Session;
use crate::domain::throttle::Attempts;
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
    /// The account's password or role changed (or it was erased) since it was read.
    #[error("the account's credentials changed meanwhile")]
    CredentialsChanged,
    /// The acting user is no longer an admin.
    #[error("the caller is not an admin")]
    NotAdmin,
    /// Admins cannot erase their own account: the platform must keep an admin.
    #[error("admins cannot erase their own account")]
    AdminCannotErase,
    /// The account is in another organizer's team already.
    #[error("the account is in another team")]
    InAnotherTeam,
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

/// A password change: the new hash (and maybe a new name) for the account as it
/// was read, keeping the caller's own session alive.
#[derive(Debug, Clone, Copy)]
pub struct CredentialsChange<'a> {
    pub user: &'a User,
    pub new_hash: &'a str,
    pub display_name: Option<&'a str>,
    pub keep_session: &'a str,
}

pub trait UserStore: Send + Sync {
    /// Creates the user; the email is claimed in the same transaction, so two
    /// registrations with one email cannot both succeed.
    fn create_user(&self, user: &User) -> impl Future<Output = StoreResult<()>> + Send;
    fn get_user(&self, id: &str) -> impl Future<Output = StoreResult<Option<User>>> + Send;
    fn user_by_email(&self, email: &str) -> impl Future<Output = StoreResult<Option<User>>> + Send;

    /// The sign-in attempts counted under `key`.
    fn attempts(&self, key: &str) -> impl Future<Output = StoreResult<Option<Attempts>>> + Send;
    /// Stores `next` if the counter is still `expected` (compare-and-set); `false`
    /// when a parallel attempt changed it first.
    fn record_attempt(
        &self,
        key: &str,
        expected: Option<Attempts>,
        next: Attempts,
        forget_at: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    fn clear_attempts(&self, key: &str) -> impl Future<Output = StoreResult<()>> + Send;

    /// Sets the display name and/or the language (what is `Some`).
    fn update_profile(
        &self,
        id: &str,
        name: Option<&str>,
        language: Option<shared::locale::Language>,
        now: &str,
    ) -> impl Future<Output = StoreResult<User>> + Send;
    /// Sets a new password and bumps the credentials version, in one transaction
    /// that also moves `keep_session` to the new version: every other session dies.
    /// `CredentialsChanged` when the account changed since it was read.
    fn change_credentials(
        &self,
        change: CredentialsChange<'_>,
        now: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Sets the role and bumps the credentials version. With `by`, the change only
    /// happens if that user is, at that moment, a live admin (`NotAdmin` otherwise):
    /// two admins demoting each other cannot both succeed.
    fn set_role(
        &self,
        id: &str,
        role: Role,
        by: Option<&str>,
        now: &str,
    ) -> impl Future<Output = StoreResult<User>> + Send;
    fn list_users(
        &self,
        role: Option<Role>,
        limit: i32,
        cursor: Option<&str>,
    ) -> impl Future<Output = StoreResult<Page>> + Send;
    /// Erases personal data and revokes every session, in one transaction; refuses
    /// for an admin (`AdminCannotErase`).
    fn erase_user(&self, user: &User, now: &str) -> impl Future<Output = StoreResult<()>> + Send;

    /// Creates the session only if the account's credentials version is still the
    /// session's (`CredentialsChanged` otherwise), in one transaction: a login that
    /// checked a password a moment before it changed gets no session.
    fn create_session(&self, session: &Session, now: &str) -> impl Future<Output = StoreResult<()>> + Send;
    fn get_session(&self, id: &str) -> impl Future<Output = StoreResult<Option<Session>>> + Send;
    /// Replaces the current secret if it is still the session's; `false` if another
    /// refresh got there first.
    fn rotate_session(
        &self,
        session: &Session,
        new_hash: &str,
        now_secs: i64,
        now: &str,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    fn revoke_session(&self, id: &str, now: &str) -> impl Future<Output = StoreResult<()>> + Send;
}
