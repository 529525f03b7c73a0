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

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: String,
    pub role: Role,
    /// The login session (refresh-token family) the access token belongs to.
    pub session_id: String,
}

impl Caller {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) { Ok(()) } else { Err(ApiError::forbidden("your role does not allow this")) }
    }
}

/// Keys of the authorizer context; the authorizer writes them, [`caller`] reads them.
pub mod context_keys {
    pub const USER_ID: &str = "userId";
    pub const ROLE: &str = "role";
    pub const SESSION_ID: &str = "sessionId";
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
        (Some(user_id), Some(role), Some(session_id)) => Ok(Caller { user_id, role, session_id }),
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
        assert_eq!(caller, Caller { user_id: "u1".into(), role: Role::Organizer, session_id: "s1".into() });
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

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
    }
}
