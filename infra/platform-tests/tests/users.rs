//! Accounts and sessions, through the local runner against DynamoDB Local and moto, as a client.

use platform_tests::{PASSWORD, Platform, unique_email};
use serde_json::json;
use std::sync::OnceLock;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(Platform::start)
}

#[tokio::test]
async fn register_login_and_read_my_profile() {
    let p = platform();
    let email = unique_email("Ada");
    let registered = p.register(&format!("  {}  ", email.to_uppercase()), PASSWORD).await;
    assert_eq!(registered.status, 201, "{:?}", registered.body);
    assert_eq!(registered.body["email"], email.to_lowercase(), "emails are stored trimmed and lower-cased");
    assert_eq!(registered.body["role"], "attendee");
    assert!(registered.body.get("passwordHash").is_none());
    assert_eq!(registered.headers["location"], "/users/me");

    let login = p.login(&email, PASSWORD).await;
    assert_eq!(login.status, 200);
    assert_eq!(login.body["tokenType"], "Bearer");
    assert_eq!(login.body["expiresIn"], 900);
    let token = login.body["accessToken"].as_str().unwrap();
    let me = p.api.call("GET", "/users/me", Some(token), None).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["id"], registered.body["id"]);
    assert_eq!(me.body["displayName"], "Test Person");
}

#[tokio::test]
async fn duplicate_email_is_409() {
    let p = platform();
    let email = unique_email("dup");
    assert_eq!(p.register(&email, PASSWORD).await.status, 201);
    let again = p.register(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["error"]["code"], "email_taken");
}

#[tokio::test]
async fn concurrent_registrations_with_one_email_let_exactly_one_through() {
    let p = platform();
    let email = unique_email("race");
    let attempts = (0..8).map(|_| p.register(&email, PASSWORD));
    let statuses: Vec<u16> = futures::future::join_all(attempts).await.iter().map(|a| a.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let p = platform();
    let user = p.attendee().await;
    let wrong = p.login(&user.email, "not the right password").await;
    let unknown = p.login(&unique_email("nobody"), PASSWORD).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn repeated_failures_from_one_address_wait_with_retry_after() {
    let p = platform();
    let user = p.attendee().await;
    for _ in 0..5 {
        assert_eq!(p.login(&user.email, "wrong password, again").await.status, 401);
    }
    let locked = p.login(&user.email, PASSWORD).await;
    assert_eq!(locked.status, 429, "even the right password waits: {:?}", locked.body);
    let retry_after: u64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(locked.body["error"]["code"], "too_many_requests");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_session() {
    let p = platform();
    let user = p.attendee().await;
    let first = p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": user.refresh_token}))).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let rotated = first.body["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(rotated, user.refresh_token, "every refresh hands out a new refresh token");
    // The owner goes on refreshing: the first token is now two rotations old.
    let second = p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": rotated}))).await;
    assert_eq!(second.status, 200, "{:?}", second.body);
    let newest = second.body["refreshToken"].as_str().unwrap().to_owned();
    let fresh_access = second.body["accessToken"].as_str().unwrap().to_owned();

    // The first token again: someone copied it. The session dies, for both holders.
    let reuse = p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": user.refresh_token}))).await;
    assert_eq!(reuse.status, 401);
    assert_eq!(reuse.body["error"]["code"], "invalid_refresh_token");
    let after = p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": newest}))).await;
    assert_eq!(after.status, 401, "the newest token of a revoked session is refused too");
    let me = p.api.call("GET", "/users/me", Some(&fresh_access), None).await;
    assert_eq!(me.status, 403, "access tokens of a revoked session are refused by the authorizer");
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let p = platform();
    let user = p.attendee().await;
    let out = p.api.call("POST", "/auth/logout", None, Some(json!({"refreshToken": user.refresh_token}))).await;
    assert_eq!(out.status, 204);
    let refresh = p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": user.refresh_token}))).await;
    assert_eq!(refresh.status, 401);
    let me = p.api.call("GET", "/users/me", Some(&user.access_token), None).await;
    assert_eq!(me.status, 403, "the access token died with its session");
    let again = p.api.call("POST", "/auth/logout", None, Some(json!({"refreshToken": user.refresh_token}))).await;
    assert_eq!(again.status, 204, "logging out twice is fine");
}

/// The session cookie a `Set-Cookie` header of `answer` sets: (its value, its attributes).
fn session_cookie(answer: &platform_tests::Answer) -> (String, String) {
    let header = answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Secure-refresh="))
        .unwrap_or_else(|| panic!("no session cookie in {:?}", answer.headers))
        .to_owned();
    let (pair, attributes) = header.split_once(';').unwrap();
    (pair.trim_start_matches("__Secure-refresh=").to_owned(), attributes.trim().to_owned())
}

#[tokio::test]
async fn the_site_keeps_its_refresh_token_in_an_http_only_cookie_that_only_its_pages_can_use() {
    let p = platform();
    let user = p.attendee().await;
    let site = [("x-session", "cookie"), ("sec-fetch-site", "same-origin")];
    let login = json!({"email": user.email, "password": user.password});
    let signed_in = p.api.call_with_headers("POST", "/auth/login", None, &site, Some(login.clone())).await;
    assert_eq!(signed_in.status, 200, "{:?}", signed_in.body);
    assert!(signed_in.body.get("refreshToken").is_none(), "no script of the page sees it: {:?}", signed_in.body);
    assert!(signed_in.body["accessToken"].is_string());
    let (token, attributes) = session_cookie(&signed_in);
    assert!(token.len() > 40, "{token}");
    for attribute in ["Path=/auth", "HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(attributes.contains(attribute), "{attribute} in {attributes}");
    }
    let max_age: i64 = attributes.split("Max-Age=").nth(1).unwrap().split(';').next().unwrap().parse().unwrap();
    assert!(max_age > 86_400, "the cookie lasts as long as the session: {max_age}");

    // A reload: the page has no token, the browser sends the cookie.
    let cookie = format!("__Secure-refresh={token}");
    let with_cookie = [site[0], site[1], ("cookie", cookie.as_str())];
    let refreshed = p.api.call_with_headers("POST", "/auth/refresh", None, &with_cookie, None).await;
    assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
    assert!(refreshed.body.get("refreshToken").is_none());
    let access = refreshed.body["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(p.api.call("GET", "/users/me", Some(&access), None).await.body["email"], user.email.as_str());
    let (rotated, _) = session_cookie(&refreshed);
    assert_ne!(rotated, token, "the cookie's token rotates like any other");

    // Forged from elsewhere: a page of another site, or the cookie without the header.
    let rotated_cookie = format!("__Secure-refresh={rotated}");
    let cross_site = [site[0], ("sec-fetch-site", "cross-site"), ("cookie", rotated_cookie.as_str())];
    let forged = p.api.call_with_headers("POST", "/auth/refresh", None, &cross_site, None).await;
    assert_eq!((forged.status, forged.body["error"]["code"].as_str()), (403, Some("cross_site_request")));
    let no_header = [("cookie", rotated_cookie.as_str())];
    let plain = p.api.call_with_headers("POST", "/auth/refresh", None, &no_header, Some(json!({}))).await;
    assert_eq!(plain.status, 422, "without the header the cookie is not looked at: {:?}", plain.body);
    assert_eq!(plain.body["error"]["fields"][0]["field"], "refreshToken", "{:?}", plain.body);
    let no_cookie = p.api.call_with_headers("POST", "/auth/refresh", None, &site, None).await;
    assert_eq!((no_cookie.status, no_cookie.body["error"]["code"].as_str()), (401, Some("invalid_refresh_token")));

    // Sign-out revokes the session and clears the cookie.
    let with_rotated = [site[0], site[1], ("cookie", rotated_cookie.as_str())];
    let out = p.api.call_with_headers("POST", "/auth/logout", None, &with_rotated, None).await;
    assert_eq!(out.status, 204);
    let (cleared, attributes) = session_cookie(&out);
    assert_eq!((cleared.as_str(), attributes.contains("Max-Age=0")), ("", true), "{attributes}");
    let after = p.api.call_with_headers("POST", "/auth/refresh", None, &with_rotated, None).await;
    assert_eq!(after.status, 401, "the session is revoked: {:?}", after.body);
    let (dropped, attributes) = session_cookie(&after);
    assert_eq!(
        (dropped.as_str(), attributes.contains("Max-Age=0")),
        ("", true),
        "a cookie refused for good is cleared, so the browser stops sending it: {attributes}"
    );

    // API clients are unchanged: the refresh token in the body, no cookie.
    let api = p.api.call("POST", "/auth/login", None, Some(login)).await;
    assert!(api.body["refreshToken"].is_string() && api.headers.get("set-cookie").is_none(), "{:?}", api.headers);
}

#[tokio::test]
async fn password_change_needs_the_old_password_and_signs_out_other_sessions() {
    let p = platform();
    let user = p.attendee().await;
    let other = p.login(&user.email, PASSWORD).await;
    let other_access = other.body["accessToken"].as_str().unwrap().to_owned();

    let wrong = p
        .api
        .call(
            "PATCH",
            "/users/me",
            Some(&user.access_token),
            Some(json!({"currentPassword": "nope nope nope", "newPassword": "a brand new passphrase"})),
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(wrong.body["error"]["code"], "invalid_current_password");

    let missing = p
        .api
        .call("PATCH", "/users/me", Some(&user.access_token), Some(json!({"newPassword": "a brand new passphrase"})))
        .await;
    assert_eq!(missing.status, 422);

    let changed = p
        .api
        .call(
            "PATCH",
            "/users/me",
            Some(&user.access_token),
            Some(json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase", "displayName": " Ada  L. "})),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["displayName"], "Ada L.");
    assert_eq!(p.login(&user.email, PASSWORD).await.status, 401, "the old password is gone");
    assert_eq!(p.login(&user.email, "a brand new passphrase").await.status, 200);
    assert_eq!(
        p.api.call("GET", "/users/me", Some(&other_access), None).await.status,
        403,
        "other sessions are signed out"
    );
    assert_eq!(p.api.call("GET", "/users/me", Some(&user.access_token), None).await.status, 200, "this one stays");
}

#[tokio::test]
async fn deleting_my_account_erases_personal_data() {
    let p = platform();
    let user = p.attendee().await;
    let gone = p.api.call("DELETE", "/users/me", Some(&user.access_token), None).await;
    assert_eq!(gone.status, 204);
    assert_eq!(p.login(&user.email, PASSWORD).await.status, 401);
    // This token was just allowed, so the authorizer's cached decision may still let it
    // through for a few seconds; the handler then finds no account. Either way: no data.
    let me = p.api.call("GET", "/users/me", Some(&user.access_token), None).await;
    assert!([403, 404].contains(&me.status), "{me:?}");

    // The stored account keeps its id (for organizers' records) and nothing personal.
    let user_pk = format!("USER#{}", user.user_id);
    let item = p.runner.stored_item("local-UsersTable", &user_pk, "PROFILE").await.expect("the account id stays");
    for personal in ["email", "passwordHash"] {
        assert!(!item.contains_key(personal), "{personal} must be erased: {item:?}");
    }
    assert_eq!(item["displayName"].as_s().unwrap(), "Deleted user");
    // The email is free again.
    assert_eq!(p.register(&user.email, PASSWORD).await.status, 201);
}

#[tokio::test]
async fn admins_change_roles_and_list_users() {
    let p = platform();
    let admin = p.admin().await;
    let user = p.attendee().await;

    let promoted = p
        .api
        .call(
            "PATCH",
            &format!("/users/{}/role", user.user_id),
            Some(&admin.access_token),
            Some(json!({"role": "organizer"})),
        )
        .await;
    assert_eq!(promoted.status, 200, "{:?}", promoted.body);
    assert_eq!(promoted.body["role"], "organizer");
    // The person signs in again and gets a token with the new role.
    assert_eq!(p.api.call("GET", "/users/me", Some(&user.access_token), None).await.status, 403);
    let relogin = p.login(&user.email, PASSWORD).await;
    let me = p.api.call("GET", "/users/me", Some(relogin.body["accessToken"].as_str().unwrap()), None).await;
    assert_eq!(me.body["role"], "organizer");

    let own = p
        .api
        .call(
            "PATCH",
            &format!("/users/{}/role", admin.user_id),
            Some(&admin.access_token),
            Some(json!({"role": "attendee"})),
        )
        .await;
    assert_eq!(own.status, 409);
    let unknown = p
        .api
        .call("PATCH", "/users/no-such-user/role", Some(&admin.access_token), Some(json!({"role": "admin"})))
        .await;
    assert_eq!(unknown.status, 404);
    let bad_role = p
        .api
        .call(
            "PATCH",
            &format!("/users/{}/role", user.user_id),
            Some(&admin.access_token),
            Some(json!({"role": "emperor"})),
        )
        .await;
    assert_eq!(bad_role.status, 422);
    assert_eq!(bad_role.body["error"]["fields"][0]["field"], "role");

    let organizers = p.api.call("GET", "/users?role=organizer&limit=100", Some(&admin.access_token), None).await;
    assert_eq!(organizers.status, 200);
    let items = organizers.body["items"].as_array().unwrap();
    assert!(items.iter().any(|u| u["id"] == user.user_id.as_str()));
    assert!(items.iter().all(|u| u["role"] == "organizer"));
}

#[tokio::test]
async fn listing_pages_have_no_duplicates_and_no_gaps() {
    let p = platform();
    let admin = p.admin().await;
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(p.attendee().await.user_id);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let path = match &cursor {
            Some(c) => format!("/users?role=attendee&limit=2&cursor={c}"),
            None => "/users?role=attendee&limit=2".to_owned(),
        };
        let page = p.api.call("GET", &path, Some(&admin.access_token), None).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|u| u["id"].as_str().unwrap().to_owned()));
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no user appears twice");
    for id in &created {
        assert!(seen.contains(id), "user {id} is missing from the pages");
    }
}

#[tokio::test]
async fn the_first_admin_is_made_by_invoking_a_function() {
    let p = platform();
    let admin = p.admin().await;
    let me = p.api.call("GET", "/users/me", Some(&admin.access_token), None).await;
    assert_eq!(me.body["role"], "admin");
    // Invoking again for the same email promotes rather than duplicates.
    let again = p
        .api
        .call(
            "POST",
            "/_local/functions/BootstrapAdminFunction/invoke",
            None,
            Some(json!({"email": admin.email, "password": PASSWORD, "displayName": "Admin"})),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["created"], false);
    assert_eq!(again.body["userId"], admin.user_id.as_str());
}

// Bad input gets a clear 4xx JSON error on every route: one test per route, so a
// failure names it.

#[tokio::test]
async fn bad_input_to_register_is_a_clear_4xx() {
    let p = platform();
    let cases: Vec<(&[u8], u16, &str)> = vec![
        (b"{\"email\": ", 400, "malformed_json"),
        (b"[]", 400, "bad_request"),
        (b"", 400, "bad_request"),
        (br#"{"email": 42, "password": true, "displayName": []}"#, 422, "validation_failed"),
        (br#"{"email": "a@example.com"}"#, 422, "validation_failed"),
        (
            br#"{"email": "not-an-email", "password": "correct horse battery", "displayName": "A"}"#,
            422,
            "validation_failed",
        ),
        (br#"{"email": "a@b", "password": "correct horse battery", "displayName": "A"}"#, 422, "validation_failed"),
        (br#"{"email": "ok@example.com", "password": "short", "displayName": "A"}"#, 422, "validation_failed"),
        (
            br#"{"email": "ok@example.com", "password": "correct horse battery", "displayName": "A", "role": "admin"}"#,
            422,
            "validation_failed",
        ),
    ];
    for (body, status, code) in cases {
        let answer = p.api.call_raw("POST", "/auth/register", None, body.to_vec()).await;
        assert_eq!(answer.status, status, "{}: {:?}", String::from_utf8_lossy(body), answer.body);
        assert_eq!(answer.body["error"]["code"], code, "{}", String::from_utf8_lossy(body));
        assert_eq!(answer.body["error"]["status"], status);
    }
    let huge_email = format!(
        r#"{{"email": "{}@example.com", "password": "correct horse battery", "displayName": "A"}}"#,
        "a".repeat(300)
    );
    let answer = p.api.call_raw("POST", "/auth/register", None, huge_email.into_bytes()).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.body["error"]["fields"][0]["field"], "email");
}

#[tokio::test]
async fn bad_input_to_login_is_a_clear_4xx() {
    let p = platform();
    let oversized = format!(r#"{{"email": "x@example.com", "password": "{}"}}"#, "p".repeat(20_000));
    let answer = p.api.call_raw("POST", "/auth/login", None, oversized.into_bytes()).await;
    assert_eq!(answer.status, 413);
    let answer = p.api.call_raw("POST", "/auth/login", None, br#"{"email": "x@example.com"}"#.to_vec()).await;
    assert_eq!((answer.status, answer.body["error"]["fields"][0]["field"].as_str()), (422, Some("password")));
}

#[tokio::test]
async fn bad_input_to_refresh_is_a_clear_4xx() {
    let p = platform();
    let answer = p.api.call_raw("POST", "/auth/refresh", None, br#"{"refreshToken": 12}"#.to_vec()).await;
    assert_eq!(answer.status, 422);
    let answer = p.api.call_raw("POST", "/auth/refresh", None, br#"{"refreshToken": "garbage"}"#.to_vec()).await;
    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn bad_input_to_list_users_is_a_clear_4xx() {
    let p = platform();
    let admin = p.admin().await;
    for query in ["limit=0", "limit=abc", "limit=101", "role=king", "colour=blue"] {
        let answer = p.api.call("GET", &format!("/users?{query}"), Some(&admin.access_token), None).await;
        assert_eq!(answer.status, 422, "{query}: {:?}", answer.body);
    }
    let answer = p.api.call("GET", "/users?cursor=not-a-cursor", Some(&admin.access_token), None).await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn bad_input_to_set_role_is_a_clear_4xx() {
    let p = platform();
    let admin = p.admin().await;
    let long_id = "u".repeat(3000);
    let answer = p
        .api
        .call("PATCH", &format!("/users/{long_id}/role"), Some(&admin.access_token), Some(json!({"role": "admin"})))
        .await;
    assert_eq!(answer.status, 404);
    let user = p.attendee().await;
    let path = format!("/users/{}/role", user.user_id);
    let answer = p.api.call("PATCH", &path, Some(&admin.access_token), Some(json!({"role": "king"}))).await;
    assert_eq!((answer.status, answer.body["error"]["fields"][0]["field"].as_str()), (422, Some("role")));
    let answer = p.api.call("PATCH", &path, Some(&admin.access_token), Some(json!({}))).await;
    assert_eq!(answer.status, 422);
}

#[tokio::test]
async fn bad_input_to_update_me_is_a_clear_4xx() {
    let p = platform();
    let user = p.attendee().await;
    let answer = p.api.call("PATCH", "/users/me", Some(&user.access_token), Some(json!({}))).await;
    assert_eq!(answer.status, 422);
    let answer = p.api.call("PATCH", "/users/me", Some(&user.access_token), Some(json!({"displayName": "   "}))).await;
    assert_eq!(answer.status, 422);
}
