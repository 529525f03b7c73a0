//! The users table in DynamoDB (one table, several item kinds):
//!
//! | item | pk | sk | indexes |
//! |---|---|---|---|
//! | user | `USER#<id>` | `PROFILE` | gsi1: `USERS` / `<createdAt>#<id>` (all users, newest first); gsi2: `ROLE#<role>` / same (by role) |
//! | email claim | `EMAIL#<email>` | `EMAIL` | — (uniqueness: created with the user in one transaction) |
//! | session | `SESSION#<id>` | `SESSION` | gsi1: `SESSIONS#<userId>` / `<createdAt>` (a user's sessions) |
//! | sign-in attempts | `ATTEMPTS#<hash of account and source>` | `ATTEMPTS` | — (expires through TTL) |
//!
//! Erased users leave both indexes (their index keys are removed), so listings skip them.

use super::{CredentialsChange, Page, StoreError, StoreResult, UserStore};
use crate::domain::account::{ERASED_DISPLAY_NAME, User};
use crate::domain::session::{self, Session};
use crate::domain::throttle::Attempts;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use shared::Role;
use shared::dynamo::{self, Failure, string as s};
use std::collections::HashMap;

pub(crate) const PROFILE: &str = "PROFILE";
const REVOKE: &str = "SET revoked = :true, revokedAt = :now";
const ALL_USERS: &str = "USERS";
/// A transaction holds at most 100 actions; erasing a user spends two on the user and the email.
const SESSIONS_PER_TRANSACTION: usize = 98;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserItem {
    pk: String,
    sk: String,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    display_name: String,
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password_hash: Option<String>,
    created_at: String,
    updated_at: String,
    #[serde(default)]
    cred_version: u64,
    #[serde(default)]
    deleted: bool,
    /// `language` is a DynamoDB reserved word.
    #[serde(default, rename = "preferredLanguage", skip_serializing_if = "Option::is_none")]
    language: Option<shared::locale::Language>,
    /// The organizer whose team this account is in (`POST /organizers/me/members`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    member_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    team_role: Option<shared::auth::TeamRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
}

impl UserItem {
    fn from_user(user: &User) -> Self {
        let listing_key = format!("{}#{}", user.created_at, user.id);
        Self {
            pk: user_pk(&user.id),
            sk: PROFILE.into(),
            id: user.id.clone(),
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            password_hash: user.password_hash.clone(),
            created_at: user.created_at.clone(),
            updated_at: user.updated_at.clone(),
            cred_version: user.credentials_version,
            deleted: user.deleted,
            language: user.language,
            member_of: user.team.as_ref().map(|t| t.organization_id.clone()),
            team_role: user.team.as_ref().map(|t| t.role),
            gsi1pk: Some(ALL_USERS.into()),
            gsi1sk: Some(listing_key.clone()),
            gsi2pk: Some(role_pk(user.role)),
            gsi2sk: Some(listing_key),
        }
    }

    fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role: self.role,
            password_hash: self.password_hash,
            created_at: self.created_at,
            updated_at: self.updated_at,
            credentials_version: self.cred_version,
            deleted: self.deleted,
            language: self.language,
            team: match (self.member_of, self.team_role) {
                (Some(organization_id), Some(role)) => Some(shared::auth::Membership { organization_id, role }),
                _ => None,
            },
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionItem {
    pk: String,
    sk: String,
    id: String,
    user_id: String,
    current_hash: String,
    #[serde(default)]
    previous_hashes: Vec<String>,
    revoked: bool,
    created_at: String,
    /// Epoch seconds; also the table's TTL attribute, for housekeeping only.
    expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rotated_at: Option<i64>,
    #[serde(default)]
    cred_version: u64,
    gsi1pk: String,
    gsi1sk: String,
}

impl SessionItem {
    fn into_session(self) -> Session {
        Session {
            id: self.id,
            user_id: self.user_id,
            current_hash: self.current_hash,
            previous_hashes: self.previous_hashes,
            revoked: self.revoked,
            expires_at: self.expires_at,
            rotated_at: self.rotated_at,
            credentials_version: self.cred_version,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttemptsItem {
    pk: String,
    sk: String,
    count: u32,
    last_at: i64,
    /// The table's TTL attribute: counters nobody touched for a day go away.
    expires_at: i64,
}

const ATTEMPTS: &str = "ATTEMPTS";
/// A user id no account has (ids are UUIDs).
const NO_SUCH_USER: &str = "none";

pub(crate) fn user_pk(id: &str) -> String {
    format!("USER#{id}")
}
pub fn email_pk(email: &str) -> String {
    format!("EMAIL#{email}")
}
fn attempts_pk(key: &str) -> String {
    format!("ATTEMPTS#{key}")
}
fn session_pk(id: &str) -> String {
    format!("SESSION#{id}")
}
fn sessions_of(user_id: &str) -> String {
    format!("SESSIONS#{user_id}")
}
fn role_pk(role: Role) -> String {
    format!("ROLE#{role}")
}

fn key(pk: String, sk: &str) -> HashMap<String, AttributeValue> {
    dynamo::key(pk, sk)
}

pub struct DynamoUserStore {
    pub(super) client: Client,
    pub(super) table: String,
}

impl DynamoUserStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    async fn get_item<T: for<'de> Deserialize<'de>>(&self, pk: String, sk: &str) -> StoreResult<Option<T>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.item.map(|item| serde_dynamo::from_item(item).map_err(dynamo::failure)).transpose()?)
    }

    /// Live session ids of a user.
    async fn live_sessions(&self, user_id: &str) -> StoreResult<Vec<String>> {
        let mut ids = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("gsi1")
                .key_condition_expression("gsi1pk = :pk")
                .expression_attribute_values(":pk", s(sessions_of(user_id)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(dynamo::sdk_failure)?;
            for item in out.items.unwrap_or_default() {
                let session: SessionItem = serde_dynamo::from_item(item).map_err(dynamo::failure)?;
                if !session.revoked {
                    ids.push(session.id);
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(ids);
            }
        }
    }

    fn revoke_update(&self, session_id: &str, now: &str) -> StoreResult<Update> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(session_pk(session_id), "SESSION")))
            .update_expression(REVOKE)
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":now", s(now))
            .build()
            .map_err(|e| dynamo::failure(e).into())
    }
}

/// The condition "the account's credentials version is `version`" (bound to
/// `placeholder`). Accounts written before versions existed have no attribute:
/// they are at version 0.
fn at_version(placeholder: &str, version: u64) -> String {
    if version == 0 {
        format!("(attribute_not_exists(credVersion) OR credVersion = {placeholder})")
    } else {
        format!("credVersion = {placeholder}")
    }
}

/// A conditional write's outcome: `Ok(false)` when its condition was false.
fn applied<T>(result: Result<T, Failure>) -> StoreResult<bool> {
    Ok(dynamo::condition_held(result)?)
}

/// The registration transaction puts the profile (action 0), then the email claim
/// (action 1): how its cancellation reasons are read.
const CREATE_USER_EMAIL_CLAIM: usize = 1;
/// The role change updates the target (0), then checks the acting admin (1).
const SET_ROLE_TARGET: usize = 0;
const SET_ROLE_ACTING_ADMIN: usize = 1;
/// Session creation checks the account (0), then puts the session (1).
const CREATE_SESSION_ACCOUNT: usize = 0;

/// The user an update returned, or `NotFound` when its condition (exists, not
/// deleted) was false.
fn updated_user(result: Result<HashMap<String, AttributeValue>, Failure>) -> StoreResult<User> {
    match result {
        Ok(attributes) => {
            let item: UserItem = serde_dynamo::from_item(attributes).map_err(dynamo::failure)?;
            Ok(item.into_user())
        }
        Err(Failure::ConditionFailed) => Err(StoreError::NotFound),
        Err(other) => Err(other.into()),
    }
}

impl UserStore for DynamoUserStore {
    async fn create_user(&self, user: &User) -> StoreResult<()> {
        let email = user.email.clone().ok_or_else(|| dynamo::failure("a new user needs an email"))?;
        let user_item = serde_dynamo::to_item(UserItem::from_user(user)).map_err(dynamo::failure)?;
        let claim: HashMap<String, AttributeValue> = HashMap::from([
            ("pk".to_owned(), s(email_pk(&email))),
            ("sk".to_owned(), s("EMAIL")),
            ("userId".to_owned(), s(&user.id)),
        ]);
        let put = |item, table: &str| {
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(dynamo::failure)
        };
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put(user_item, &self.table)?).build())
            .transact_items(TransactWriteItem::builder().put(put(claim, &self.table)?).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(()),
            Err(failure) if failure.condition_failed_at(CREATE_USER_EMAIL_CLAIM) => Err(StoreError::EmailTaken),
            Err(failure) => Err(failure.into()),
        }
    }

    async fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        Ok(self.get_item::<UserItem>(user_pk(id), PROFILE).await?.map(UserItem::into_user))
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Claim {
            user_id: String,
        }
        // No claim still reads a profile (one that never exists): unknown emails
        // cost the same reads as known ones, so timing does not tell them apart.
        let claim = self.get_item::<Claim>(email_pk(email), "EMAIL").await?;
        let id = claim.map_or_else(|| NO_SUCH_USER.to_owned(), |claim| claim.user_id);
        self.get_user(&id).await
    }

    async fn attempts(&self, counter: &str) -> StoreResult<Option<Attempts>> {
        let item = self.get_item::<AttemptsItem>(attempts_pk(counter), ATTEMPTS).await?;
        Ok(item.map(|item| Attempts { count: item.count, last_at: item.last_at }))
    }

    async fn record_attempt(
        &self,
        counter: &str,
        expected: Option<Attempts>,
        next: Attempts,
        forget_at: i64,
    ) -> StoreResult<bool> {
        let item = AttemptsItem {
            pk: attempts_pk(counter),
            sk: ATTEMPTS.into(),
            count: next.count,
            last_at: next.last_at,
            expires_at: forget_at,
        };
        let mut request = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(item).map_err(dynamo::failure)?));
        request = match expected {
            None => request.condition_expression("attribute_not_exists(pk)"),
            Some(seen) => request
                .condition_expression("#count = :count AND lastAt = :last")
                .expression_attribute_names("#count", "count")
                .expression_attribute_values(":count", AttributeValue::N(seen.count.to_string()))
                .expression_attribute_values(":last", AttributeValue::N(seen.last_at.to_string())),
        };
        applied(request.send().await.map_err(dynamo::sdk_failure))
    }

    async fn clear_attempts(&self, counter: &str) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(attempts_pk(counter), ATTEMPTS)))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(())
    }

    async fn update_profile(
        &self,
        id: &str,
        name: Option<&str>,
        language: Option<shared::locale::Language>,
        now: &str,
    ) -> StoreResult<User> {
        let mut sets = vec!["updatedAt = :now"];
        let mut request = self.client.update_item();
        if let Some(name) = name {
            sets.push("displayName = :name");
            request = request.expression_attribute_values(":name", s(name));
        }
        if let Some(language) = language {
            sets.push("preferredLanguage = :language");
            request = request.expression_attribute_values(":language", s(language.code()));
        }
        let result = request
            .table_name(&self.table)
            .set_key(Some(key(user_pk(id), PROFILE)))
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression("attribute_exists(pk) AND deleted = :false")
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        updated_user(result.map(|out| out.attributes.unwrap_or_default()).map_err(dynamo::sdk_failure))
    }

    async fn change_credentials(&self, change: CredentialsChange<'_>, now: &str) -> StoreResult<()> {
        let user = change.user;
        let next_version = user.credentials_version + 1;
        let mut sets = vec!["passwordHash = :hash", "credVersion = :next", "updatedAt = :now"];
        if change.display_name.is_some() {
            sets.push("displayName = :name");
        }
        let mut account = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(&user.id), PROFILE)))
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(format!("deleted = :false AND {}", at_version(":seen", user.credentials_version)))
            .expression_attribute_values(":hash", s(change.new_hash))
            .expression_attribute_values(":next", AttributeValue::N(next_version.to_string()))
            .expression_attribute_values(":seen", AttributeValue::N(user.credentials_version.to_string()))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":false", AttributeValue::Bool(false));
        if let Some(name) = change.display_name {
            account = account.expression_attribute_values(":name", s(name));
        }
        let keep = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(session_pk(change.keep_session), "SESSION")))
            .update_expression("SET credVersion = :next")
            .condition_expression("userId = :user AND revoked = :false")
            .expression_attribute_values(":next", AttributeValue::N(next_version.to_string()))
            .expression_attribute_values(":user", s(&user.id))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .build()
            .map_err(dynamo::failure)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(account.build().map_err(dynamo::failure)?).build())
            .transact_items(TransactWriteItem::builder().update(keep).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(()),
            // The account moved on (another change, or erased), or this very
            // session was revoked meanwhile: either way, not this change.
            Err(failure) if failure.condition_failed_at(0) || failure.condition_failed_at(1) => {
                Err(StoreError::CredentialsChanged)
            }
            Err(failure) => Err(failure.into()),
        }
    }

    async fn set_role(&self, id: &str, role: Role, by: Option<&str>, now: &str) -> StoreResult<User> {
        let change = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(id), PROFILE)))
            .update_expression("SET #role = :role, gsi2pk = :rolepk, updatedAt = :now ADD credVersion :one")
            .condition_expression("attribute_exists(pk) AND deleted = :false")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":role", s(role.as_str()))
            .expression_attribute_values(":rolepk", s(role_pk(role)))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .build()
            .map_err(dynamo::failure)?;
        let mut request =
            self.client.transact_write_items().transact_items(TransactWriteItem::builder().update(change).build());
        if let Some(admin) = by {
            // The acting admin must still be one when the change commits, not only
            // when their (possibly cached) token was issued.
            let still_admin = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key(user_pk(admin), PROFILE)))
                .condition_expression("#role = :admin AND deleted = :false")
                .expression_attribute_names("#role", "role")
                .expression_attribute_values(":admin", s(Role::Admin.as_str()))
                .expression_attribute_values(":false", AttributeValue::Bool(false))
                .build()
                .map_err(dynamo::failure)?;
            request = request.transact_items(TransactWriteItem::builder().condition_check(still_admin).build());
        }
        match request.send().await.map_err(dynamo::transaction_failure) {
            Ok(_) => {}
            Err(failure) if failure.condition_failed_at(SET_ROLE_TARGET) => return Err(StoreError::NotFound),
            Err(failure) if failure.condition_failed_at(SET_ROLE_ACTING_ADMIN) => return Err(StoreError::NotAdmin),
            Err(failure) => return Err(failure.into()),
        }
        self.get_user(id).await?.ok_or(StoreError::NotFound)
    }

    async fn list_users(&self, role: Option<Role>, limit: i32, cursor: Option<&str>) -> StoreResult<Page> {
        let (index, partition) = match role {
            Some(role) => ("gsi2", role_pk(role)),
            None => ("gsi1", ALL_USERS.to_owned()),
        };
        let start = cursor
            .map(|c| dynamo::decode_cursor(c, index, &partition, "USER#").ok_or(StoreError::BadCursor))
            .transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression(format!("{index}pk = :pk"))
            .expression_attribute_values(":pk", s(&partition))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let users = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, UserItem>(item)
                    .map(UserItem::into_user)
                    .map_err(|e| StoreError::from(dynamo::failure(e)))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page { users, next_cursor: out.last_evaluated_key.as_ref().map(dynamo::encode_cursor) })
    }

    async fn erase_user(&self, user: &User, now: &str) -> StoreResult<()> {
        let mut sessions = self.live_sessions(&user.id).await?;
        // Sessions beyond one transaction's room are revoked first: a retry finds fewer.
        while sessions.len() > SESSIONS_PER_TRANSACTION {
            let id = sessions.pop().expect("non-empty");
            self.revoke_session(&id, now).await?;
        }
        let erase = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(&user.id), PROFILE)))
            .update_expression(
                "SET displayName = :erased, deleted = :true, deletedAt = :now, updatedAt = :now \
                 REMOVE email, passwordHash, gsi1pk, gsi1sk, gsi2pk, gsi2sk ADD credVersion :one",
            )
            .condition_expression("attribute_exists(pk) AND #role <> :admin")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":admin", s(Role::Admin.as_str()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":erased", s(ERASED_DISPLAY_NAME))
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":now", s(now))
            .build()
            .map_err(dynamo::failure)?;
        let mut request =
            self.client.transact_write_items().transact_items(TransactWriteItem::builder().update(erase).build());
        if let Some(email) = &user.email {
            let release = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(email_pk(email), "EMAIL")))
                .build()
                .map_err(dynamo::failure)?;
            request = request.transact_items(TransactWriteItem::builder().delete(release).build());
        }
        for id in &sessions {
            request = request.transact_items(TransactWriteItem::builder().update(self.revoke_update(id, now)?).build());
        }
        match request.send().await.map_err(dynamo::transaction_failure) {
            Ok(_) => Ok(()),
            Err(failure) if failure.condition_failed_at(0) => Err(StoreError::AdminCannotErase),
            Err(failure) => Err(failure.into()),
        }
    }

    async fn create_session(&self, session: &Session, now: &str) -> StoreResult<()> {
        let item = SessionItem {
            pk: session_pk(&session.id),
            sk: "SESSION".into(),
            id: session.id.clone(),
            user_id: session.user_id.clone(),
            current_hash: session.current_hash.clone(),
            previous_hashes: session.previous_hashes.clone(),
            revoked: session.revoked,
            created_at: now.to_owned(),
            expires_at: session.expires_at,
            rotated_at: session.rotated_at,
            cred_version: session.credentials_version,
            gsi1pk: sessions_of(&session.user_id),
            gsi1sk: now.to_owned(),
        };
        let account_unchanged = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key(user_pk(&session.user_id), PROFILE)))
            .condition_expression(format!(
                "deleted = :false AND {}",
                at_version(":version", session.credentials_version)
            ))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":version", AttributeValue::N(session.credentials_version.to_string()))
            .build()
            .map_err(dynamo::failure)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(item).map_err(dynamo::failure)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(dynamo::failure)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().condition_check(account_unchanged).build())
            .transact_items(TransactWriteItem::builder().put(put).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(()),
            Err(failure) if failure.condition_failed_at(CREATE_SESSION_ACCOUNT) => Err(StoreError::CredentialsChanged),
            Err(failure) => Err(failure.into()),
        }
    }

    async fn get_session(&self, id: &str) -> StoreResult<Option<Session>> {
        Ok(self.get_item::<SessionItem>(session_pk(id), "SESSION").await?.map(SessionItem::into_session))
    }

    async fn rotate_session(&self, session: &Session, new_hash: &str, now_secs: i64, now: &str) -> StoreResult<bool> {
        // The whole list is written: the condition on the current hash guarantees it
        // is the one we read (it only changes with a rotation).
        let remembered = session::remembered_after_rotation(&session.previous_hashes, &session.current_hash);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(session_pk(&session.id), "SESSION")))
            .update_expression(
                "SET currentHash = :new, previousHashes = :remembered, lastUsedAt = :now, rotatedAt = :rotated",
            )
            .condition_expression("currentHash = :expected AND revoked = :false")
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":remembered", AttributeValue::L(remembered.iter().map(s).collect()))
            .expression_attribute_values(":expected", s(&session.current_hash))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":rotated", AttributeValue::N(now_secs.to_string()))
            .send()
            .await;
        applied(result.map_err(dynamo::sdk_failure))
    }

    async fn revoke_session(&self, id: &str, now: &str) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(session_pk(id), "SESSION")))
            .update_expression(REVOKE)
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":now", s(now))
            .send()
            .await;
        // A session that does not exist has nothing to revoke.
        applied(result.map_err(dynamo::sdk_failure)).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_items_keep_every_field() {
        let user = User {
            id: "u1".into(),
            email: Some("a@example.com".into()),
            display_name: "A".into(),
            role: Role::Organizer,
            password_hash: Some("hash".into()),
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-02T00:00:00Z".into(),
            credentials_version: 4,
            language: None,
            deleted: false,
            team: None,
        };
        let item: HashMap<String, AttributeValue> = serde_dynamo::to_item(UserItem::from_user(&user)).unwrap();
        assert_eq!(item["pk"], s("USER#u1"));
        assert_eq!(item["gsi2pk"], s("ROLE#organizer"));
        assert_eq!(item["gsi1sk"], s("2026-01-01T00:00:00Z#u1"));
        let back: UserItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.into_user(), user);
    }
}
