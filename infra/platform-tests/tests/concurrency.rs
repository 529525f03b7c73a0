//! Races through the API, checked against what the tables hold afterwards.
//!
//! These are the tests that caught moto: its `TransactWriteItems` was not atomic,
//! so two conditional writes could both pass and one update was silently lost.
//! Against DynamoDB Local every success must be visible in the final state.

use aws_sdk_dynamodb::types::AttributeValue;
use futures::StreamExt;
use platform_tests::{PASSWORD, Platform, unique_email};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    // As many function instances as requests in flight, as Lambda would scale out.
    PLATFORM.get_or_init(|| Platform::start_with(&["--max-instances", "16"]))
}

const EVENTS_TABLE: &str = "local-EventsTable";
const USERS_TABLE: &str = "local-UsersTable";

/// Every item of one partition, by sort key.
async fn partition(table: &str, pk: &str) -> BTreeMap<String, BTreeMap<String, AttributeValue>> {
    let dynamodb = platform().runner.dynamodb().await;
    let mut items = BTreeMap::new();
    let mut start = None;
    loop {
        let page = dynamodb
            .query()
            .table_name(table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("query");
        for item in page.items() {
            let sk = item["sk"].as_s().expect("sk").clone();
            items.insert(sk, item.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        }
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            return items;
        }
    }
}

fn number(item: &BTreeMap<String, AttributeValue>, name: &str) -> i64 {
    item[name].as_n().expect("number").parse().expect("integer")
}

#[tokio::test]
async fn concurrent_tier_edits_from_organizer_and_admin_lose_no_update() {
    let p = platform();
    let (organizer, admin) = futures::join!(p.organizer(), p.admin());
    let year = {
        use chrono::Datelike;
        chrono::Utc::now().year() + 1
    };
    let draft = p
        .api
        .call(
            "POST",
            "/events",
            Some(&organizer.access_token),
            Some(json!({
                "title": "Race",
                "category": "concert",
                "timezone": "Europe/Paris",
                "currency": "EUR",
                "startsAt": format!("{year}-06-01T20:00:00+02:00"),
                "endsAt": format!("{year}-06-01T23:00:00+02:00"),
                "tiers": [{"name": "Standard", "priceMinor": 2500, "capacity": 100, "maxPerOrder": 4}]
            })),
        )
        .await;
    assert_eq!(draft.status, 201, "{:?}", draft.body);
    let id = draft.body["id"].as_str().unwrap().to_owned();
    let standard = draft.body["tiers"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/events/{id}");

    // Each edit renames the event, gives the kept tier its own capacity and replaces
    // the extra tier with its own: a lost update or a half-applied one shows in the
    // table as a wrong counter, a leftover tier item or a version that does not add up.
    const EDITS: usize = 40;
    let edits = (0..EDITS).map(|i| {
        let token = if i % 2 == 0 { &organizer.access_token } else { &admin.access_token };
        let body = json!({
            "title": format!("Edit {i}"),
            "tiers": [
                {"id": standard, "name": "Standard", "priceMinor": 2500, "capacity": 100 + i, "maxPerOrder": 4},
                {"name": format!("Extra {i}"), "priceMinor": 1000, "capacity": 10 + i, "maxPerOrder": 2}
            ]
        });
        let path = path.clone();
        async move { (i, p.api.call("PATCH", &path, Some(token), Some(body)).await) }
    });
    let answers = futures::future::join_all(edits).await;

    let mut by_version = BTreeMap::new();
    for (i, answer) in &answers {
        match answer.status {
            200 => {
                let version = answer.body["version"].as_u64().expect("version");
                assert!(by_version.insert(version, *i).is_none(), "two edits were both accepted as version {version}");
            }
            409 => assert_eq!(answer.body["error"]["code"], "concurrent_change", "{:?}", answer.body),
            other => panic!("edit {i} answered {other}: {:?}", answer.body),
        }
    }
    let accepted = by_version.len();
    assert!(accepted >= 1, "at least the first edit wins");
    // Accepted versions are exactly 2, 3, …: each success built on the one before it.
    let expected: BTreeSet<u64> = (2..2 + accepted as u64).collect();
    assert_eq!(by_version.keys().copied().collect::<BTreeSet<_>>(), expected);
    let (&last_version, &winner) = by_version.iter().next_back().unwrap();

    let items = partition(EVENTS_TABLE, &format!("EVENT#{id}")).await;
    let meta = &items["META"];
    assert_eq!(number(meta, "version") as u64, last_version, "the stored version is the last accepted one");
    assert_eq!(meta["title"].as_s().unwrap(), &format!("Edit {winner}"));
    let tiers: Vec<_> = items.iter().filter(|(sk, _)| sk.starts_with("TIER#")).map(|(_, item)| item).collect();
    assert_eq!(tiers.len(), 2, "the kept tier and the last edit's extra tier, nothing left over: {tiers:?}");
    let kept = &items[&format!("TIER#{standard}")];
    assert_eq!(number(kept, "capacity"), 100 + winner as i64);
    // The tier's `available` is also a summary the stream refreshes from the shards:
    // a refresh that read the shards between two edits can leave it stale for a
    // moment. It must settle on the capacity (a lost or doubled change never would).
    let settled = std::time::Instant::now();
    loop {
        let items = partition(EVENTS_TABLE, &format!("EVENT#{id}")).await;
        let kept = &items[&format!("TIER#{standard}")];
        if number(kept, "available") == number(kept, "capacity") {
            break;
        }
        assert!(
            settled.elapsed() < std::time::Duration::from_secs(30),
            "every capacity change applied exactly once: {kept:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let kept_seats = p.runner.tier_seats(&id, &standard).await;
    assert_eq!(kept_seats.available, kept_seats.capacity, "and the shards hold exactly the capacity: {kept_seats:?}");
    let extra = tiers.iter().find(|t| t["sk"].as_s().unwrap() != &format!("TIER#{standard}")).unwrap();
    assert_eq!(extra["name"].as_s().unwrap(), &format!("Extra {winner}"));
    assert_eq!(number(extra, "available"), 10 + winner as i64);
    let extra_seats = p.runner.tier_seats(&id, extra["id"].as_s().unwrap()).await;
    assert_eq!(extra_seats.available, 10 + winner as i64, "{extra_seats:?}");

    // And the API tells the same story as the table.
    let mine = p.api.call("GET", "/organizers/me/events", Some(&organizer.access_token), None).await;
    assert_eq!(mine.status, 200);
    let listed = mine.body["items"].as_array().unwrap().iter().find(|e| e["id"] == id.as_str()).unwrap().clone();
    assert_eq!(listed["version"], last_version);
    assert_eq!(listed["title"], format!("Edit {winner}"));
}

#[tokio::test]
async fn concurrent_registrations_create_exactly_one_account_per_email() {
    let p = platform();
    const EMAILS: usize = 20;
    const ATTEMPTS_EACH: usize = 3;
    let emails: Vec<String> = (0..EMAILS).map(|_| unique_email("rush")).collect();
    // The attack: each email's attempts at once. The emails go four at a time (each
    // attempt hashes a password with Argon2): 60 hashes at once on a starved machine
    // outlasted the gateway's 30 s and the bootstrap of another test's admin.
    let rushes = emails.iter().map(|email| async move {
        let attempts = (0..ATTEMPTS_EACH).map(|_| async move { (email, p.register(email, PASSWORD).await) });
        futures::future::join_all(attempts).await
    });
    let answers: Vec<(&String, platform_tests::Answer)> =
        futures::stream::iter(rushes).buffer_unordered(4).collect::<Vec<_>>().await.into_iter().flatten().collect();

    let mut winners: BTreeMap<&String, Vec<String>> = BTreeMap::new();
    for (email, answer) in &answers {
        match answer.status {
            201 => winners.entry(*email).or_default().push(answer.body["id"].as_str().unwrap().to_owned()),
            409 => assert_eq!(answer.body["error"]["code"], "email_taken"),
            other => panic!("registration of {email} answered {other}: {:?}", answer.body),
        }
    }
    assert_eq!(winners.len(), EMAILS, "every email got an account");
    for (email, ids) in &winners {
        assert_eq!(ids.len(), 1, "{email} got {} accounts", ids.len());
        // Read back: the email claim points at the winner, whose profile exists.
        let claim = partition(USERS_TABLE, &format!("EMAIL#{email}")).await;
        assert_eq!(claim["EMAIL"]["userId"].as_s().unwrap(), &ids[0]);
        let profile = partition(USERS_TABLE, &format!("USER#{}", ids[0])).await;
        assert_eq!(profile["PROFILE"]["email"].as_s().unwrap(), *email);
    }
    // No profile was written for a losing attempt: the index of all users holds each email once.
    let dynamodb = p.runner.dynamodb().await;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut start = None;
    loop {
        let page = dynamodb
            .query()
            .table_name(USERS_TABLE)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :all")
            .expression_attribute_values(":all", AttributeValue::S("USERS".into()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("query users");
        for item in page.items() {
            if let Some(email) = item.get("email").and_then(|e| e.as_s().ok()) {
                if emails.contains(email) {
                    *seen.entry(email.clone()).or_default() += 1;
                }
            }
        }
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), EMAILS);
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    // Each account works with its password.
    let logins = futures::future::join_all(emails.iter().map(|email| p.login(email, PASSWORD))).await;
    for (login, email) in logins.iter().zip(&emails) {
        assert_eq!(login.status, 200, "{email}: {:?}", login.body);
    }
}
