//! Team contract: which organizer's team an account is in, read from the account
//! now. The authorizer puts the team in the request's context, but API Gateway
//! keeps its answer for a token up to 30 s; a route that grants something because
//! of the team reads it again here, so a member removed (or given another part) is
//! refused on their very next request.

use aws_sdk_dynamodb::Client;
use shared::auth::{Membership, TeamRole};
use shared::dynamo::{self, Failure};

/// The account's team and part, if it is in one and not erased.
pub async fn current(client: &Client, users_table: &str, user_id: &str) -> Result<Option<Membership>, Failure> {
    let out = client
        .get_item()
        .table_name(users_table)
        .set_key(Some(dynamo::key(crate::store::dynamodb::user_pk(user_id), crate::store::dynamodb::PROFILE)))
        .projection_expression("memberOf, teamRole, deleted")
        .consistent_read(true)
        .send()
        .await
        .map_err(dynamo::sdk_failure)?;
    Ok(out.item.as_ref().and_then(membership_of))
}

fn membership_of(item: &dynamo::Item) -> Option<Membership> {
    if item.get("deleted").and_then(|v| v.as_bool().ok()) == Some(&true) {
        return None;
    }
    let organization_id = item.get("memberOf").and_then(|v| v.as_s().ok())?.clone();
    let role = item.get("teamRole").and_then(|v| v.as_s().ok()).and_then(|r| TeamRole::parse(r))?;
    Some(Membership { organization_id, role })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;

    #[test]
    fn only_a_live_account_with_a_known_part_is_in_a_team() {
        let item = |deleted: bool, role: &str| -> dynamo::Item {
            [
                ("memberOf".to_owned(), AttributeValue::S("o1".into())),
                ("teamRole".to_owned(), AttributeValue::S(role.into())),
                ("deleted".to_owned(), AttributeValue::Bool(deleted)),
            ]
            .into()
        };
        assert_eq!(
            membership_of(&item(false, "door")),
            Some(Membership { organization_id: "o1".into(), role: TeamRole::Door })
        );
        assert_eq!(membership_of(&item(true, "door")), None, "an erased account");
        assert_eq!(membership_of(&item(false, "owner")), None, "an unknown part");
        assert_eq!(membership_of(&dynamo::Item::new()), None, "in no team");
    }
}
