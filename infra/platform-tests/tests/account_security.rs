//! The attacks on accounts from the security review, replayed through the local
//! runner as an attacker would: parallel logins racing a password or role change,
//! admins demoting each other, guessing from one address to lock the owner out,
//! telling known emails from unknown ones, parallel guesses past the limit, the
//! first-admin bootstrap, forged control requests and refresh retries.

use futures::future::join_all;
use platform_tests::{Answer, PASSWORD, Platform, Session, unique_email};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static PLATFORM: OnceLock<Platform> = OnceLock::new();

/// Up to 16 instances per function, so parallel requests really run in parallel.
fn platform() -> &'static Platform {
    PLATFORM.get_or_init(|| {
        Platform::start_with(&["--max-instances", "16", "--param", &format!("OriginVerifySecret={ORIGIN_SECRET}")])
    })
}

const NEW_PASSWORD: &str = "a brand new passphrase";

/// Logs in with `password` again and again from `clients` parallel clients until
/// `stop` passes, keeping every token pair a login handed out.
async fn keep_logging_in(p: &Platform, email: &str, password: &str, clients: usize, stop: Instant) -> Vec<Value> {
    let client = |_| async move {
        let mut pairs = Vec::new();
        while Instant::now() < stop {
            let login = p.login(email, password).await;
            if login.status == 200 {
                pairs.push(login.body);
            }
        }
        pairs
    };
    join_all((0..clients).map(client)).await.into_iter().flatten().collect()
}

/// Whether a token pair still works: its refresh token refreshes or its access
/// token reads the profile.
async fn still_works(p: &Platform, pair: &Value) -> bool {
    let access = pair["accessToken"].as_str().unwrap();
    let me = p.api.call("GET", "/users/me", Some(access), None).await;
    let refresh = p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": pair["refreshToken"]}))).await;
    me.status == 200 || refresh.status == 200
}

async fn role_in_table(p: &Platform, user_id: &str) -> String {
    let item = p.runner.stored_item("local-UsersTable", &format!("USER#{user_id}"), "PROFILE").await.expect("the user");
    item["role"].as_s().unwrap().clone()
}

async fn set_role(p: &Platform, by: &Session, user_id: &str, role: &str) -> Answer {
    p.api.call("PATCH", &format!("/users/{user_id}/role"), Some(&by.access_token), Some(json!({"role": role}))).await
}

#[tokio::test]
async fn a_password_change_ends_every_session_of_logins_racing_it() {
    let p = platform();
    let victim = p.attendee().await;
    let stop = Instant::now() + Duration::from_millis(2500);
    let attacker = keep_logging_in(p, &victim.email, PASSWORD, 3, stop);
    let change = async {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let body = json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD});
        p.api.call("PATCH", "/users/me", Some(&victim.access_token), Some(body)).await
    };
    let (pairs, changed) = tokio::join!(attacker, change);
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert!(!pairs.is_empty(), "the old password worked before the change");
    for pair in &pairs {
        assert!(!still_works(p, pair).await, "a session signed in with the old password survived the change");
    }
    let me = p.api.call("GET", "/users/me", Some(&victim.access_token), None).await;
    assert_eq!(me.status, 200, "the session that changed the password stays signed in");
    // From another address: the attacker's failed logins after the change slow down
    // only the address they came from.
    let elsewhere = p.api.from_source("127.0.0.6");
    let login = elsewhere
        .call("POST", "/auth/login", None, Some(json!({"email": victim.email, "password": NEW_PASSWORD})))
        .await;
    assert_eq!(login.status, 200, "the new password works: {:?}", login.body);
}

#[tokio::test]
async fn a_demotion_ends_admin_sessions_of_logins_racing_it_and_the_demoted_can_grant_nothing() {
    let p = platform();
    let (boss, demoted, bystander) = (p.admin().await, p.admin().await, p.attendee().await);
    // The demoted admin's token was just used, so the authorizer may cache it as allowed.
    assert_eq!(p.api.call("GET", "/users", Some(&demoted.access_token), None).await.status, 200);

    let stop = Instant::now() + Duration::from_millis(2500);
    let logins = keep_logging_in(p, &demoted.email, PASSWORD, 3, stop);
    let demotion = async {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        set_role(p, &boss, &demoted.user_id, "attendee").await
    };
    let (pairs, demoted_answer) = tokio::join!(logins, demotion);
    assert_eq!(demoted_answer.status, 200, "{:?}", demoted_answer.body);
    for pair in &pairs {
        let access = pair["accessToken"].as_str().unwrap();
        let listing = p.api.call("GET", "/users", Some(access), None).await;
        assert_eq!(listing.status, 403, "a token from a login racing the demotion still acts as admin");
    }
    // Within the authorizer's cache window, the old token must not grant or list anything.
    let grant = set_role(p, &demoted, &bystander.user_id, "admin").await;
    assert_eq!(grant.status, 403, "{:?}", grant.body);
    assert_eq!(role_in_table(p, &bystander.user_id).await, "attendee");
    let listing = p.api.call("GET", "/users", Some(&demoted.access_token), None).await;
    assert_eq!(listing.status, 403, "admin rights are re-read: {:?}", listing.body);
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_never_both_succeed() {
    let p = platform();
    for round in 0..5 {
        let (a, b) = (p.admin().await, p.admin().await);
        let (a_demotes_b, b_demotes_a) =
            tokio::join!(set_role(p, &a, &b.user_id, "attendee"), set_role(p, &b, &a.user_id, "attendee"));
        let wins = [&a_demotes_b, &b_demotes_a].iter().filter(|answer| answer.status == 200).count();
        assert!(wins <= 1, "round {round}: both demotions went through: {a_demotes_b:?} {b_demotes_a:?}");
        let roles = [role_in_table(p, &a.user_id).await, role_in_table(p, &b.user_id).await];
        assert!(roles.contains(&"admin".to_owned()), "round {round}: no admin left of the two: {roles:?}");
    }
    // Nor can an admin leave by deleting the account.
    let last = p.admin().await;
    let gone = p.api.call("DELETE", "/users/me", Some(&last.access_token), None).await;
    assert_eq!(gone.status, 409, "{:?}", gone.body);
    assert_eq!(gone.body["error"]["code"], "admin_cannot_erase");
}

#[tokio::test]
async fn guesses_from_one_address_never_lock_the_owner_out() {
    let p = platform();
    let owner = p.attendee().await;
    let attacker = p.api.from_source("127.0.0.2");
    let guess =
        || attacker.call("POST", "/auth/login", None, Some(json!({"email": owner.email, "password": "a wrong guess"})));
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(guess().await.status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429], "the attacker's address is slowed down");
    let right_from_attacker =
        attacker.call("POST", "/auth/login", None, Some(json!({"email": owner.email, "password": PASSWORD}))).await;
    assert_eq!(right_from_attacker.status, 429, "that address waits, whatever it sends");

    let owner_api = p.api.from_source("127.0.0.3");
    let login =
        owner_api.call("POST", "/auth/login", None, Some(json!({"email": owner.email, "password": PASSWORD}))).await;
    assert_eq!(login.status, 200, "the owner, elsewhere, signs in: {:?}", login.body);
    let body = json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD});
    let change = p.api.call("PATCH", "/users/me", Some(&owner.access_token), Some(body)).await;
    assert_eq!(change.status, 200, "a signed-in owner's password change is never blocked: {:?}", change.body);
}

/// What CloudFront adds to every request it sends the API (the template's
/// `OriginVerifySecret`); this platform's value.
const ORIGIN_SECRET: &str = "origin-secret-known-to-cloudfront-only";

#[tokio::test]
async fn behind_cloudfront_guesses_count_per_viewer_and_a_forged_viewer_address_changes_nothing() {
    let p = platform();
    let owner = p.attendee().await;
    let login = |password: &str| json!({"email": owner.email, "password": password});
    // Everyone near one CloudFront edge reaches the API from that edge's address.
    let edge = p.api.from_source("127.0.0.8");
    let via_edge = |viewer: &'static str| [("x-origin-verify", ORIGIN_SECRET), ("cloudfront-viewer-address", viewer)];
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let headers = via_edge("198.51.100.10:46532");
        let guess = edge.call_with_headers("POST", "/auth/login", None, &headers, Some(login("a wrong guess"))).await;
        statuses.push(guess.status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "the guessing viewer is slowed down");
    let owner_in = edge
        .call_with_headers("POST", "/auth/login", None, &via_edge("203.0.113.7:51000"), Some(login(PASSWORD)))
        .await;
    assert_eq!(owner_in.status, 200, "the owner behind the same edge signs in: {:?}", owner_in.body);

    // A client calling the API directly, forging a new viewer address each time without
    // the secret: counted by its own address, as if it had sent nothing.
    let direct = p.api.from_source("127.0.0.9");
    let forged = ["192.0.2.1:1", "192.0.2.2:1", "192.0.2.3:1", "192.0.2.4:1", "192.0.2.5:1", "192.0.2.6:1"];
    let mut statuses = Vec::new();
    for viewer in forged {
        let headers = [("x-origin-verify", "a guess at the secret"), ("cloudfront-viewer-address", viewer)];
        statuses
            .push(direct.call_with_headers("POST", "/auth/login", None, &headers, Some(login("wrong"))).await.status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "a forged viewer address does not reset the count");
}

#[tokio::test]
async fn known_and_unknown_emails_get_the_same_answers_including_the_429() {
    let p = platform();
    let known = p.attendee().await;
    let unknown = unique_email("nobody");
    let api = p.api.from_source("127.0.0.4");
    let mut answers = Vec::new();
    for email in [&known.email, &unknown] {
        let mut these = Vec::new();
        for _ in 0..6 {
            let answer =
                api.call("POST", "/auth/login", None, Some(json!({"email": email, "password": "a wrong guess"}))).await;
            let retry_after = answer.headers.get("retry-after").map(|v| v.to_str().unwrap().to_owned());
            these.push((answer.status, answer.body, retry_after.is_some()));
        }
        answers.push(these);
    }
    assert_eq!(answers[0], answers[1], "a known email answers exactly like an unknown one");
    let statuses: Vec<u16> = answers[0].iter().map(|(status, _, _)| *status).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
}

#[tokio::test]
async fn eleven_parallel_guesses_get_at_most_five_checked() {
    let p = platform();
    let owner = p.attendee().await;
    let api = p.api.from_source("127.0.0.5");
    let body = json!({"email": owner.email, "password": "a wrong guess"});
    let guesses = (0..11).map(|_| api.call("POST", "/auth/login", None, Some(body.clone())));
    let statuses: Vec<u16> = join_all(guesses).await.iter().map(|a| a.status).collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 5, "{checked} guesses were checked: {statuses:?}");
    assert_eq!(checked + statuses.iter().filter(|s| **s == 429).count(), 11, "{statuses:?}");
}

#[tokio::test]
async fn bootstrap_never_promotes_an_account_someone_else_registered() {
    let p = platform();
    let squatter = p.attendee().await;
    let operator = json!({"email": squatter.email, "password": "the operator's own passphrase", "displayName": "Ops"});
    let refused = p.api.call("POST", "/_local/functions/BootstrapAdminFunction/invoke", None, Some(operator)).await;
    assert_eq!(refused.status, 502, "the function refuses: {:?}", refused.body);
    assert!(refused.body["errorMessage"].as_str().unwrap().contains("exists"), "{:?}", refused.body);
    assert_eq!(role_in_table(p, &squatter.user_id).await, "attendee");

    let own = json!({"email": squatter.email, "password": PASSWORD, "displayName": "Ops"});
    let promoted = p.api.call("POST", "/_local/functions/BootstrapAdminFunction/invoke", None, Some(own)).await;
    assert_eq!(promoted.status, 200, "with the account's own password it is promoted: {:?}", promoted.body);
    assert_eq!(promoted.body["created"], false);
    assert_eq!(role_in_table(p, &squatter.user_id).await, "admin");
}

#[tokio::test]
async fn web_pages_cannot_drive_the_control_endpoints() {
    let p = platform();
    let url = format!("{}/_local/functions/BootstrapAdminFunction/invoke", p.api.base);
    let event = json!({"email": unique_email("csrf"), "password": PASSWORD, "displayName": "Evil"}).to_string();
    let client = reqwest::Client::new();
    let forged = [
        client.post(&url).header("content-type", "text/plain").body(event.clone()),
        client
            .post(&url)
            .header("origin", "https://evil.example")
            .header("content-type", "application/json")
            .body(event.clone()),
        client
            .post(&url)
            .header("host", "evil.example:3000")
            .header("content-type", "application/json")
            .body(event.clone()),
        client.post(&url).header("content-type", "application/x-www-form-urlencoded").body(event.clone()),
    ];
    for request in forged {
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 403, "a request a browser page could send was let through");
    }
    let own_page = client
        .post(format!("{}/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", p.api.base))
        .header("origin", p.api.base.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(own_page.status(), 200, "the runner's own origin and curl still work");
}

#[tokio::test]
async fn a_retried_refresh_gets_the_same_pair_and_keeps_the_user_signed_in() {
    let p = platform();
    let user = p.attendee().await;
    let body = json!({"refreshToken": user.refresh_token});
    let (first, second) = tokio::join!(
        p.api.call("POST", "/auth/refresh", None, Some(body.clone())),
        p.api.call("POST", "/auth/refresh", None, Some(body.clone()))
    );
    assert_eq!((first.status, second.status), (200, 200), "{:?} {:?}", first.body, second.body);
    assert_eq!(first.body["refreshToken"], second.body["refreshToken"], "the retry gets the same new token");
    let retried_later = p.api.call("POST", "/auth/refresh", None, Some(body)).await;
    assert_eq!(retried_later.body["refreshToken"], first.body["refreshToken"], "within the grace window");

    let next =
        p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": first.body["refreshToken"]}))).await;
    assert_eq!(next.status, 200, "the family was not revoked: {:?}", next.body);
    let me = p.api.call("GET", "/users/me", Some(next.body["accessToken"].as_str().unwrap()), None).await;
    assert_eq!(me.status, 200);
}

#[tokio::test]
async fn odd_names_emails_and_bodies_get_clear_4xx() {
    let p = platform();
    for name in ["\u{200B}\u{200C}\u{200D}", "admin\u{202E}nimda", "Deleted user"] {
        let body = json!({"email": unique_email("name"), "password": PASSWORD, "displayName": name});
        let answer = p.api.call("POST", "/auth/register", None, Some(body)).await;
        assert_eq!(answer.status, 422, "{name:?}: {:?}", answer.body);
        assert_eq!(answer.body["error"]["fields"][0]["field"], "displayName");
    }
    let look_alike = format!("\u{430}{}", unique_email("da"));
    let answer = p.register(&look_alike, PASSWORD).await;
    assert_eq!(answer.status, 422, "Cyrillic look-alike email: {:?}", answer.body);

    let user = p.attendee().await;
    let renamed =
        p.api.call("PATCH", "/users/me", Some(&user.access_token), Some(json!({"displayName": "Deleted User"}))).await;
    assert_eq!(renamed.status, 422, "{:?}", renamed.body);
    let half = p.api.call("PATCH", "/users/me", Some(&user.access_token), Some(json!({"currentPassword": "x"}))).await;
    assert_eq!(half.status, 422, "a current password alone changes nothing: {:?}", half.body);
    assert_eq!(half.body["error"]["fields"][0]["field"], "newPassword");

    let form = reqwest::Client::new()
        .post(format!("{}/auth/login", p.api.base))
        .header("content-type", "text/plain")
        .body(json!({"email": user.email, "password": PASSWORD}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415, "a text/plain body is not read as JSON");
    let body: Value = form.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_media_type");
}

#[tokio::test]
async fn drafts_reject_past_dates_and_non_money_and_can_be_deleted() {
    let p = platform();
    let organizer = p.organizer().await;
    let draft = |overrides: Value| {
        let mut body = json!({"title": "Draft", "category": "concert", "timezone": "Europe/Paris", "currency": "EUR",
            "tiers": [{"name": "Standard", "priceMinor": 2500, "capacity": 10, "maxPerOrder": 4}]});
        body.as_object_mut().unwrap().extend(overrides.as_object().unwrap().clone());
        p.api.call("POST", "/events", Some(&organizer.access_token), Some(body))
    };
    let old = draft(json!({"startsAt": "1900-06-01T20:00:00Z", "endsAt": "1900-06-01T23:00:00Z"})).await;
    assert_eq!(old.status, 422, "{:?}", old.body);
    for currency in ["XXX", "XAU", "\u{131}NR"] {
        let answer = draft(json!({"currency": currency})).await;
        assert_eq!(answer.status, 422, "{currency}: {:?}", answer.body);
        assert_eq!(answer.body["error"]["fields"][0]["field"], "currency");
    }
    let venue = json!({"venue": {"name": "Halle", "address": "1 Hauptstr.", "city": "Berlin", "country": "\u{df}"}});
    assert_eq!(draft(venue).await.status, 422, "ß is not a country code, nor is SS");

    let made = draft(json!({})).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let path = format!("/events/{}", made.body["id"].as_str().unwrap());
    let deleted = p.api.call("DELETE", &path, Some(&organizer.access_token), None).await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    assert_eq!(p.api.call("GET", &path, Some(&organizer.access_token), None).await.status, 404);

    let (published, _) = p.event_on_sale(&organizer, 10).await;
    let refused = p.api.call("DELETE", &format!("/events/{published}"), Some(&organizer.access_token), None).await;
    assert_eq!(refused.status, 409, "published events are cancelled, not deleted: {:?}", refused.body);
    assert_eq!(refused.body["error"]["code"], "not_removable");
}

#[tokio::test]
async fn accounts_stored_before_credential_versions_still_sign_in_and_change_passwords() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let p = platform();
    let user = p.attendee().await;
    // As the item looked before credential versions existed: no `credVersion` at all.
    p.runner
        .dynamodb()
        .await
        .update_item()
        .table_name("local-UsersTable")
        .key("pk", AttributeValue::S(format!("USER#{}", user.user_id)))
        .key("sk", AttributeValue::S("PROFILE".into()))
        .update_expression("REMOVE credVersion")
        .send()
        .await
        .unwrap();
    let elsewhere = p.api.from_source("127.0.0.7");
    let login =
        elsewhere.call("POST", "/auth/login", None, Some(json!({"email": user.email, "password": PASSWORD}))).await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    let access = login.body["accessToken"].as_str().unwrap();
    let body = json!({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD});
    let changed = p.api.call("PATCH", "/users/me", Some(access), Some(body)).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert!(!still_works(p, &json!({"accessToken": user.access_token, "refreshToken": user.refresh_token})).await);
}

#[tokio::test]
async fn a_session_keeps_refreshing_past_the_hundred_remembered_secrets() {
    let p = platform();
    let user = p.attendee().await;
    let mut token = user.refresh_token.clone();
    for n in 0..105 {
        let next = p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": token}))).await;
        assert_eq!(next.status, 200, "refresh {n}: {:?}", next.body);
        token = next.body["refreshToken"].as_str().unwrap().to_owned();
    }
    let reuse = p.api.call("POST", "/auth/refresh", None, Some(json!({"refreshToken": user.refresh_token}))).await;
    assert_eq!(reuse.status, 401, "the first token, long rotated, is refused");
}
