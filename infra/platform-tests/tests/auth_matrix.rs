//! The auth matrix, generated from template.yaml: every route that is not public
//! is called with no token, a token signed with another key, an expired token, a
//! token whose role claim was edited, a well-signed token of no live session and
//! malformed tokens; and, for routes whose function declares `AllowedRoles`, a
//! valid token of a role it does not admit. All must be refused, and the refusal
//! must not say why. A route added to the template joins the matrix by itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use local_runner::template::{EventSource, Template};
use platform_tests::Platform;
use serde_json::{Value, json};
use std::sync::OnceLock;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(Platform::start)
}

struct ProtectedRoute {
    method: String,
    path: String,
    allowed_roles: Option<Vec<String>>,
}

/// Routes of template.yaml that are guarded by the API's default authorizer.
fn protected_routes() -> Vec<ProtectedRoute> {
    let template = Template::load(&platform_tests::workspace_root().join("template.yaml")).unwrap();
    let mut routes = Vec::new();
    for resource in template.resources.iter().filter(|r| r.kind == "AWS::Serverless::Function") {
        let function = resource.function(&mut Vec::new()).unwrap();
        let allowed_roles = resource
            .metadata
            .get("AllowedRoles")
            .and_then(Value::as_array)
            .map(|roles| roles.iter().filter_map(Value::as_str).map(str::to_owned).collect());
        for event in &function.events {
            let EventSource::HttpApi(route) = event else { continue };
            if route.authorizer.as_deref() == Some("NONE") {
                continue;
            }
            let path = route
                .path
                .as_deref()
                .unwrap_or("/")
                .split('/')
                .map(|segment| if segment.starts_with('{') { "matrix-test-id" } else { segment })
                .collect::<Vec<_>>()
                .join("/");
            let method = route.method.clone().unwrap_or_else(|| "GET".into()).replace("ANY", "GET");
            routes.push(ProtectedRoute { method, path, allowed_roles: allowed_roles.clone() });
        }
    }
    routes
}

fn sign(claims: &Value, key: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

fn claims(user_id: &str, session_id: &str, iat: i64, exp: i64) -> Value {
    json!({
        "sub": user_id, "role": "admin", "sid": session_id, "iat": iat, "exp": exp,
        "iss": "https://local.ticketing", "aud": "ticketing-api", "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn with_role_edited(token: &str, role: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["role"] = json!(role);
    format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(payload.to_string()), parts[2])
}

#[tokio::test]
async fn every_protected_route_refuses_bad_tokens_and_wrong_roles() {
    let p = platform();
    let routes = protected_routes();
    assert!(routes.len() >= 5, "the template should have protected routes, found {}", routes.len());

    let attendee = p.attendee().await;
    let now = chrono::Utc::now().timestamp();
    // Well signed but of a real user's session that was never opened.
    let no_session =
        sign(&claims(&attendee.user_id, "00000000000000000000000000000000", now, now + 600), &p.signing_key);
    let bad_tokens: Vec<(&str, String)> = vec![
        (
            "signed with another key",
            sign(&claims(&attendee.user_id, "s", now, now + 600), "another key of thirty-two bytes or more"),
        ),
        ("expired", sign(&claims(&attendee.user_id, "s", now - 4000, now - 3000), &p.signing_key)),
        ("role claim edited", with_role_edited(&attendee.access_token, "admin")),
        ("no live session", no_session),
        ("not a JWT", "not-a-jwt".to_owned()),
    ];

    for route in &routes {
        let body = (route.method != "GET" && route.method != "DELETE").then(|| json!({}));
        let none = p.api.call(&route.method, &route.path, None, body.clone()).await;
        assert_eq!(none.status, 401, "{} {} without a token", route.method, route.path);
        assert_eq!(none.body, json!({"message": "Unauthorized"}));

        for (why, token) in &bad_tokens {
            let answer = p.api.call(&route.method, &route.path, Some(token), body.clone()).await;
            assert_eq!(answer.status, 403, "{} {} with a token {why}: {:?}", route.method, route.path, answer.body);
            assert_eq!(answer.body, json!({"message": "Forbidden"}), "the refusal must not say why ({why})");
        }

        if let Some(roles) = &route.allowed_roles {
            if !roles.iter().any(|r| r == "attendee") {
                let answer = p.api.call(&route.method, &route.path, Some(&attendee.access_token), body.clone()).await;
                assert_eq!(answer.status, 403, "{} {} as an attendee: {:?}", route.method, route.path, answer.body);
                assert_eq!(answer.body["error"]["code"], "forbidden", "the handler refuses the role");
            }
        }
    }
}

#[tokio::test]
async fn a_non_bearer_scheme_is_refused() {
    let p = platform();
    let attendee = p.attendee().await;
    let basic = reqwest::Client::new()
        .get(format!("{}/users/me", p.api.base))
        .header("authorization", format!("Basic {}", attendee.access_token))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 403);
}
