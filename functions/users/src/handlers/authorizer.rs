//! The HttpApi's Lambda authorizer (REQUEST, payload 2.0, simple responses).
//!
//! Allows a request when its bearer token is well signed, unexpired, for our
//! issuer and audience, and its session is still live: not logged out or revoked
//! for token reuse, the account not erased, and no password or role change since
//! the session began (the credentials version). The role passed on to handlers is
//! the account's current one, read with the session, not the token's claim. Every
//! refusal looks the same from outside: API Gateway answers 403.

use crate::domain::session;
use crate::domain::token::{Tokens, bearer};
use crate::store::{StoreError, UserStore};
use aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use serde_json::{Value, json};
use shared::Clock;
use shared::auth::context_keys;

fn deny() -> Value {
    json!({ "isAuthorized": false })
}

/// `Err` only when our own storage fails: API Gateway then answers 500, which is
/// the truth (the client's token may be fine).
pub async fn handle<S: UserStore>(
    store: &S,
    tokens: &Tokens,
    clock: &impl Clock,
    event: &ApiGatewayV2CustomAuthorizerV2Request,
) -> Result<Value, StoreError> {
    let header = event.identity_source.as_ref().and_then(|sources| sources.first()).map(String::as_str);
    let Some(token) = header.and_then(bearer) else { return Ok(deny()) };
    let Some(claims) = tokens.verify(token) else { return Ok(deny()) };
    let now = clock.now().timestamp();
    let (session, user) = tokio::join!(store.get_session(&claims.sid), store.get_user(&claims.sub));
    let (session, user) = (session?, user?);
    let live = session.is_some_and(|s| s.user_id == claims.sub && session::is_live(&s, user.as_ref(), now));
    let Some(user) = user.filter(|_| live) else { return Ok(deny()) };
    let mut context = json!({
        context_keys::USER_ID: claims.sub,
        context_keys::ROLE: user.role.as_str(),
        context_keys::SESSION_ID: claims.sid,
    });
    // The team is read from the account on every request: a member removed or
    // given another part has it from their next request on.
    if let Some(team) = &user.team {
        context[context_keys::ORGANIZATION_ID] = json!(team.organization_id);
        context[context_keys::TEAM_ROLE] = json!(team.role.as_str());
    }
    Ok(json!({ "isAuthorized": true, "context": context }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_event_is_an_authorizer_request() {
        let sample = include_str!("../../../../events/AuthorizerFunction/request-with-token.json");
        let event: ApiGatewayV2CustomAuthorizerV2Request = serde_json::from_str(sample).unwrap();
        let header = event.identity_source.as_ref().and_then(|s| s.first()).unwrap();
        assert!(bearer(header).is_some());
    }
}
