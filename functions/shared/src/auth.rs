//! Who is calling. The API's Lambda authorizer verifies the token and puts the
//! caller's identity in `requestContext.authorizer.lambda`; handlers read it only
//! through [`caller`], never from the token themselves.

use crate::http::ApiError;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Attendee,
    Organizer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Attendee, Role::Organizer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Attendee => "attendee",
            Role::Organizer => "organizer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member's part in an organization (an organizer's account and its team).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TeamRole {
    /// Everything the organizer does but the team itself and the account's settings.
    Manager,
    /// Reads sales and participants.
    Viewer,
    /// Checks tickets in at the door, at every event of the organization.
    Door,
}

impl TeamRole {
    pub const ALL: [TeamRole; 3] = [TeamRole::Manager, TeamRole::Viewer, TeamRole::Door];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Manager => "manager",
            TeamRole::Viewer => "viewer",
            TeamRole::Door => "door",
        }
    }

    pub fn parse(text: &str) -> Option<TeamRole> {
        TeamRole::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Whether this part in the team allows `what`.
    pub fn allows(self, what: Permission) -> bool {
        match self {
            TeamRole::Manager => true,
            TeamRole::Viewer => what == Permission::ReadSales,
            TeamRole::Door => what == Permission::CheckIn,
        }
    }
}

/// What a route does with an organizer's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create, edit, publish, cancel, seat maps, codes, refunds, door settings and staff.
    Manage,
    /// Sales, participants, codes' uses, waiting lists.
    ReadSales,
    /// Check tickets in and read what the door needs.
    CheckIn,
}

/// The organization a caller belongs to, and their part in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The organizer's user id: events belong to it.
    pub organization_id: String,
    pub role: TeamRole,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: String,
    pub role: Role,
    /// The login session (refresh-token family) the access token belongs to.
    pub session_id: String,
    /// Their organization's team, if they are in one (read on every request by the
    /// authorizer: removing a member ends their rights at once).
    pub membership: Option<Membership>,
}

impl Caller {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) { Ok(()) } else { Err(ApiError::forbidden("your role does not allow this")) }
    }

    /// Whether the caller may do `what` with the events of `organizer_id`: an admin,
    /// the organizer, or a member of their team whose part allows it.
    pub fn may(&self, what: Permission, organizer_id: &str) -> bool {
        self.role == Role::Admin
            || self.user_id == organizer_id
            || self.membership.as_ref().is_some_and(|m| m.organization_id == organizer_id && m.role.allows(what))
    }

    /// When a decision about `organizer_id`'s events rests on the caller's team (not
    /// their organizer, not an admin), the team as `current` reads it now: the
    /// authorizer's answer may be up to 30 s old, and a member removed or given
    /// another part must be refused at once.
    pub async fn confirm_team<F, Fut, E>(&mut self, organizer_id: &str, current: F) -> Result<(), E>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<Option<Membership>, E>>,
    {
        let relies = self.role != Role::Admin
            && self.user_id != organizer_id
            && self.membership.as_ref().is_some_and(|m| m.organization_id == organizer_id);
        if relies {
            self.membership = current(self.user_id.clone()).await?;
        }
        Ok(())
    }

    /// Whether the caller is in `organizer_id`'s team at all (a stranger to it
    /// learns nothing of its drafts).
    pub fn belongs_to(&self, organizer_id: &str) -> bool {
        self.role == Role::Admin
            || self.user_id == organizer_id
            || self.membership.as_ref().is_some_and(|m| m.organization_id == organizer_id)
    }

    /// Whose events the caller works on when they create or list them: their own as
    /// an organizer or an admin, their team's organizer's otherwise.
    pub fn organization(&self) -> &str {
        match &self.membership {
            Some(m) if self.role == Role::Attendee => &m.organization_id,
            _ => &self.user_id,
        }
    }

    /// Whether the caller may create and manage events at all: an organizer or an
    /// admin, or a manager in an organizer's team.
    pub fn runs_events(&self) -> bool {
        matches!(self.role, Role::Organizer | Role::Admin)
            || self.membership.as_ref().is_some_and(|m| m.role == TeamRole::Manager)
    }

    /// Whether the caller sees some organizer's sales or door: an organizer or an
    /// admin, or any member of a team.
    pub fn works_for_events(&self) -> bool {
        matches!(self.role, Role::Organizer | Role::Admin) || self.membership.is_some()
    }
}

/// Keys of the authorizer context; the authorizer writes them, [`caller`] reads them.
pub mod context_keys {
    pub const USER_ID: &str = "userId";
    pub const ROLE: &str = "role";
    pub const SESSION_ID: &str = "sessionId";
    /// The organizer whose team the caller is in (absent: none).
    pub const ORGANIZATION_ID: &str = "organizationId";
    /// Their part in it (`manager`, `viewer`, `door`).
    pub const TEAM_ROLE: &str = "teamRole";
}

/// The caller, from the authorizer's context. A route without an authorizer has no
/// caller: 401, which in practice means the route was declared public by mistake.
pub fn caller(request: &Request) -> Result<Caller, ApiError> {
    let fields = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.authorizer.as_ref().map(|a| &a.fields),
        _ => None,
    };
    let text = |key: &str| fields.and_then(|f| f.get(key)).and_then(|v| v.as_str()).map(str::to_owned);
    match (
        text(context_keys::USER_ID),
        text(context_keys::ROLE).as_deref().and_then(Role::parse),
        text(context_keys::SESSION_ID),
    ) {
        (Some(user_id), Some(role), Some(session_id)) => {
            let membership = match (
                text(context_keys::ORGANIZATION_ID).filter(|id| !id.is_empty()),
                text(context_keys::TEAM_ROLE).as_deref().and_then(TeamRole::parse),
            ) {
                (Some(organization_id), Some(role)) => Some(Membership { organization_id, role }),
                _ => None,
            };
            Ok(Caller { user_id, role, session_id, membership })
        }
        _ => Err(ApiError::unauthorized()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with_context(lambda: serde_json::Value) -> Request {
        let event = serde_json::json!({
            "version": "2.0", "routeKey": "GET /users/me", "rawPath": "/users/me", "rawQueryString": "",
            "headers": {}, "isBase64Encoded": false,
            "requestContext": {
                "accountId": "1", "apiId": "a", "domainName": "d", "domainPrefix": "d", "requestId": "r",
                "routeKey": "GET /users/me", "stage": "$default", "time": "t", "timeEpoch": 0,
                "http": {"method": "GET", "path": "/users/me", "protocol": "HTTP/1.1", "sourceIp": "1.2.3.4", "userAgent": "x"},
                "authorizer": {"lambda": lambda}
            }
        });
        lambda_http::request::from_str(&event.to_string()).unwrap()
    }

    #[test]
    fn reads_the_caller_from_the_authorizer_context() {
        let request = request_with_context(serde_json::json!({"userId": "u1", "role": "organizer", "sessionId": "s1"}));
        let caller = caller(&request).unwrap();
        assert_eq!(
            caller,
            Caller { user_id: "u1".into(), role: Role::Organizer, session_id: "s1".into(), membership: None }
        );
        assert!(caller.require(&[Role::Organizer, Role::Admin]).is_ok());
        assert_eq!(caller.require(&[Role::Admin]).unwrap_err().status, 403);
    }

    #[test]
    fn a_missing_or_odd_context_is_unauthorized() {
        let request = request_with_context(serde_json::json!({"userId": "u1", "role": "superuser", "sessionId": "s"}));
        assert_eq!(caller(&request).unwrap_err().status, 401);
        let request = request_with_context(serde_json::json!({}));
        assert_eq!(caller(&request).unwrap_err().status, 401);
    }

    fn member(role: TeamRole) -> Caller {
        let request = request_with_context(serde_json::json!({
            "userId": "m1", "role": "attendee", "sessionId": "s1", "organizationId": "o1", "teamRole": role.as_str()
        }));
        caller(&request).unwrap()
    }

    #[test]
    fn a_team_member_may_what_their_part_allows_for_their_organizer_only() {
        use Permission::*;
        let manager = member(TeamRole::Manager);
        assert_eq!(manager.membership, Some(Membership { organization_id: "o1".into(), role: TeamRole::Manager }));
        assert!(manager.may(Manage, "o1") && manager.may(ReadSales, "o1") && manager.may(CheckIn, "o1"));
        assert!(!manager.may(ReadSales, "o2"), "another organizer's events");
        assert_eq!(manager.organization(), "o1");
        assert!(manager.runs_events());
        let viewer = member(TeamRole::Viewer);
        assert!(viewer.may(ReadSales, "o1") && !viewer.may(Manage, "o1") && !viewer.may(CheckIn, "o1"));
        assert_eq!(viewer.organization(), "o1", "a viewer lists the team's events");
        assert!(!viewer.runs_events() && viewer.works_for_events());
        let door = member(TeamRole::Door);
        assert!(door.may(CheckIn, "o1") && !door.may(ReadSales, "o1") && !door.may(Manage, "o1"));
        assert!(door.belongs_to("o1") && !door.belongs_to("o2"));
        let organizer =
            Caller { user_id: "o1".into(), role: Role::Organizer, session_id: "s".into(), membership: None };
        assert!(organizer.may(Manage, "o1") && !organizer.may(ReadSales, "o2"));
        let odd = request_with_context(serde_json::json!({
            "userId": "m1", "role": "attendee", "sessionId": "s1", "organizationId": "o1", "teamRole": "owner"
        }));
        assert_eq!(caller(&odd).unwrap().membership, None, "an unknown part is no part");
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
    }
}
