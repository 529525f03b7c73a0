//! An organizer's team in the users table:
//!
//! | item | pk | sk |
//! |---|---|---|
//! | member | `ORG#<organizerId>` | `MEMBER#<userId>` (the team, listed with one query) |
//! | the member's account | `USER#<userId>` | `PROFILE`, with `memberOf` and `teamRole` |
//!
//! Both are written together and removed together. The authorizer reads the
//! account on every request, so adding, changing or removing a member takes
//! effect on the member's very next request.

use super::dynamodb::{DynamoUserStore, PROFILE, user_pk};
use super::{StoreError, StoreResult, UserStore};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use shared::auth::TeamRole;
use shared::dynamo::{self, string as s};

fn team_pk(organizer_id: &str) -> String {
    format!("ORG#{organizer_id}")
}

fn member_sk(user_id: &str) -> String {
    format!("MEMBER#{user_id}")
}

/// One member of a team, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: TeamRole,
    pub added_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MemberItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    member: Member,
}

/// How adding a member ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    New,
    /// Already in this team: their part changed (or stayed).
    Changed,
}

impl DynamoUserStore {
    /// Puts `member` in `organizer_id`'s team with their part, or changes their part;
    /// `InAnotherTeam` if they are in someone else's, `NotFound` if the account is gone.
    pub async fn put_member(&self, organizer_id: &str, member: &Member, existing: bool) -> StoreResult<Added> {
        let item = serde_dynamo::to_item(MemberItem {
            pk: team_pk(organizer_id),
            sk: member_sk(&member.user_id),
            member: member.clone(),
        })
        .map_err(dynamo::failure)?;
        let put = Put::builder().table_name(&self.table).set_item(Some(item)).build().map_err(dynamo::failure)?;
        let account = Update::builder()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(user_pk(&member.user_id), PROFILE)))
            .update_expression("SET memberOf = :org, teamRole = :role")
            .condition_expression(
                "attribute_exists(pk) AND deleted = :false AND (attribute_not_exists(memberOf) OR memberOf = :org)",
            )
            .expression_attribute_values(":org", s(organizer_id))
            .expression_attribute_values(":role", s(member.role.as_str()))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .build()
            .map_err(dynamo::failure)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().update(account).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) if existing => Ok(Added::Changed),
            Ok(_) => Ok(Added::New),
            Err(failure) if failure.condition_failed_at(1) => match self.get_user(&member.user_id).await? {
                Some(account) if !account.deleted => Err(StoreError::InAnotherTeam),
                _ => Err(StoreError::NotFound),
            },
            Err(failure) => Err(failure.into()),
        }
    }

    /// Takes `user_id` out of `organizer_id`'s team; false if they were not in it.
    pub async fn remove_member(&self, organizer_id: &str, user_id: &str) -> StoreResult<bool> {
        let member = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(team_pk(organizer_id), member_sk(user_id))))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(dynamo::failure)?;
        // The account may be erased meanwhile: remove the team's marks if they are there.
        let account = Update::builder()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(user_pk(user_id), PROFILE)))
            .update_expression("REMOVE memberOf, teamRole")
            .condition_expression("attribute_not_exists(memberOf) OR memberOf = :org")
            .expression_attribute_values(":org", s(organizer_id))
            .build()
            .map_err(dynamo::failure)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(member).build())
            .transact_items(TransactWriteItem::builder().update(account).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(true),
            Err(failure) if failure.condition_failed_at(0) => Ok(false),
            Err(failure) => Err(failure.into()),
        }
    }

    /// The team's members, by when they were added.
    pub async fn members(&self, organizer_id: &str) -> StoreResult<Vec<Member>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :member)")
            .expression_attribute_values(":pk", s(team_pk(organizer_id)))
            .expression_attribute_values(":member", s("MEMBER#"))
            .consistent_read(true);
        let mut members: Vec<Member> = dynamo::query_all(query)
            .await?
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, MemberItem>(item).map(|i| i.member).map_err(dynamo::failure))
            .collect::<Result<_, _>>()?;
        members.sort_by(|a, b| a.added_at.cmp(&b.added_at).then_with(|| a.user_id.cmp(&b.user_id)));
        Ok(members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_is_stored_under_its_team() {
        let member = Member {
            user_id: "u2".into(),
            email: "door@example.com".into(),
            display_name: "Door".into(),
            role: TeamRole::Door,
            added_at: "2026-12-01T00:00:00Z".into(),
        };
        let item = serde_dynamo::to_item(MemberItem { pk: team_pk("o1"), sk: member_sk("u2"), member: member.clone() })
            .unwrap();
        let item: dynamo::Item = item;
        assert_eq!(item["pk"].as_s().unwrap(), "ORG#o1");
        assert_eq!(item["sk"].as_s().unwrap(), "MEMBER#u2");
        assert_eq!(item["role"].as_s().unwrap(), "door");
        let back: MemberItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.member, member);
    }
}
