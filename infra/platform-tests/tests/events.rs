//! Events: organizers draft, edit, publish and cancel; the public browses.
//! Through the local runner against DynamoDB Local and moto, as clients.

use events::store::participants::{Participant, listing_attributes};
use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::OnceLock;

static PLATFORM: OnceLock<Platform> = OnceLock::new();
const EVENTS_TABLE: &str = "local-EventsTable";

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(Platform::start)
}

fn year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year() + 1
}

/// A complete event, ready to publish, with a title that tests can search for.
fn event_body(title: &str, city: &str, category: &str) -> Value {
    let y = year();
    json!({
        "title": title,
        "category": category,
        "description": "A test event.",
        "venue": {"name": "Hall", "address": "1 Main Street", "city": city, "country": "FR"},
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "startsAt": format!("{y}-06-01T20:00:00+02:00"),
        "endsAt": format!("{y}-06-01T23:00:00+02:00"),
        "salesOpensAt": "2026-01-01T00:00:00Z",
        "salesClosesAt": format!("{y}-06-01T19:00:00+02:00"),
        "tiers": [
            {"name": "Standard", "priceMinor": 2500, "capacity": 100, "maxPerOrder": 4},
            {"name": "VIP", "priceMinor": 9000, "capacity": 10, "maxPerOrder": 2}
        ]
    })
}

async fn create(p: &Platform, organizer: &Session, body: Value) -> Value {
    let created = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body
}

async fn publish(p: &Platform, organizer: &Session, id: &str) {
    let published = p.api.call("POST", &format!("/events/{id}/publish"), Some(&organizer.access_token), None).await;
    assert_eq!(published.status, 200, "{:?}", published.body);
}

fn base64_cursor(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

fn tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_owned()
}

#[tokio::test]
async fn create_update_publish_list_get_cancel() {
    let p = platform();
    let organizer = p.organizer().await;
    let tag = tag();
    let draft = create(p, &organizer, event_body(&format!("Final {tag}"), "Lyon", "match")).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["tiers"][0]["capacity"], 100);

    // A draft is not public.
    assert_eq!(p.api.call("GET", &format!("/events/{id}"), None, None).await.status, 404);

    let standard = draft["tiers"][0]["id"].as_str().unwrap().to_owned();
    let updated = p
        .api
        .call(
            "PATCH",
            &format!("/events/{id}"),
            Some(&organizer.access_token),
            Some(json!({"title": format!("Grand Final {tag}"), "tiers": [
                {"id": standard, "name": "Standard", "priceMinor": 3000, "capacity": 120, "maxPerOrder": 4},
                {"name": "Family", "priceMinor": 1500, "capacity": 40, "maxPerOrder": 6}
            ]})),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let tiers = updated.body["tiers"].as_array().unwrap();
    assert_eq!(tiers.len(), 2, "VIP was removed, Family added");
    assert_eq!(tiers[0]["priceMinor"], 3000);
    assert_eq!(tiers[0]["remaining"], 120);

    publish(p, &organizer, &id).await;
    let listed = p.api.call("GET", &format!("/events?q={tag}"), None, None).await;
    assert_eq!(listed.status, 200);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], format!("Grand Final {tag}"));
    assert!(items[0].get("organizerId").is_none(), "no organizer-private data in public views");
    assert!(items[0]["tiers"][0].get("capacity").is_none());

    let public = p.api.call("GET", &format!("/events/{id}"), None, None).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["status"], "published");
    assert_eq!(public.body["tiers"][1]["remaining"], 40);

    let cancelled = p.api.call("POST", &format!("/events/{id}/cancel"), Some(&organizer.access_token), None).await;
    assert_eq!(cancelled.status, 200);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert!(
        p.api.call("GET", &format!("/events?q={tag}"), None, None).await.body["items"].as_array().unwrap().is_empty()
    );
    assert_eq!(p.api.call("GET", &format!("/events/{id}"), None, None).await.body["status"], "cancelled");
    let again = p.api.call("POST", &format!("/events/{id}/cancel"), Some(&organizer.access_token), None).await;
    assert_eq!(again.status, 409);

    let mine = p.api.call("GET", "/organizers/me/events", Some(&organizer.access_token), None).await;
    assert_eq!(mine.status, 200);
    assert!(
        mine.body["items"].as_array().unwrap().iter().any(|e| e["id"] == id.as_str() && e["status"] == "cancelled")
    );
}

#[tokio::test]
async fn times_render_in_the_event_time_zone() {
    let p = platform();
    let organizer = p.organizer().await;
    let mut body = event_body(&format!("Tokyo {}", tag()), "Tokyo", "conference");
    body["timezone"] = json!("Asia/Tokyo");
    body["startsAt"] = json!(format!("{}-09-10T00:30:00Z", year()));
    body["endsAt"] = json!(format!("{}-09-10T09:00:00Z", year()));
    body["salesClosesAt"] = json!(format!("{}-09-09T00:00:00Z", year()));
    let created = create(p, &organizer, body).await;
    assert_eq!(created["startsAt"]["utc"], format!("{}-09-10T00:30:00Z", year()));
    assert_eq!(created["startsAt"]["local"], format!("{}-09-10T09:30:00+09:00", year()));
    assert_eq!(created["timezone"], "Asia/Tokyo");
}

#[tokio::test]
async fn filters_and_pages_without_duplicates_or_gaps() {
    let p = platform();
    let organizer = p.organizer().await;
    let tag = tag();
    let mut made = HashSet::new();
    for i in 0..5 {
        let mut body = event_body(&format!("Series {tag} {i}"), if i % 2 == 0 { "Nantes" } else { "Lille" }, "concert");
        body["startsAt"] = json!(format!("{}-07-0{}T20:00:00+02:00", year(), i + 1));
        body["endsAt"] = json!(format!("{}-07-0{}T22:00:00+02:00", year(), i + 1));
        body["salesClosesAt"] = json!(format!("{}-07-0{}T19:00:00+02:00", year(), i + 1));
        let id = create(p, &organizer, body).await["id"].as_str().unwrap().to_owned();
        publish(p, &organizer, &id).await;
        made.insert(id);
    }
    for sort in ["soonest", "newest"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..20 {
            let mut path = format!("/events?q={tag}&limit=2&sort={sort}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = p.api.call("GET", &path, None, None).await;
            assert_eq!(page.status, 200, "{:?}", page.body);
            let items = page.body["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            seen.extend(items.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
            match page.body["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 5, "{sort}: every event exactly once: {seen:?}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);
        assert!(seen.iter().all(|id| made.contains(id)));
    }
    // Soonest first: by start time.
    let soonest = p.api.call("GET", &format!("/events?q={tag}"), None, None).await;
    let titles: Vec<&str> =
        soonest.body["items"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
    assert_eq!(titles, (0..5).map(|i| format!("Series {tag} {i}")).collect::<Vec<_>>());

    let in_lille = p.api.call("GET", &format!("/events?q={tag}&city=lille"), None, None).await;
    assert_eq!(in_lille.body["items"].as_array().unwrap().len(), 2);
    let y = year();
    let dated = p.api.call("GET", &format!("/events?q={tag}&from={y}-07-02&to={y}-07-03"), None, None).await;
    assert_eq!(dated.body["items"].as_array().unwrap().len(), 2);
    let matches = p.api.call("GET", &format!("/events?q={tag}&category=match"), None, None).await;
    assert!(matches.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn only_the_organizer_or_an_admin_manages_an_event() {
    let p = platform();
    let owner = p.organizer().await;
    let other = p.organizer().await;
    let attendee = p.attendee().await;
    let admin = p.admin().await;
    let id = create(p, &owner, event_body("Owned", "Paris", "concert")).await["id"].as_str().unwrap().to_owned();
    let patch = Some(json!({"title": "Stolen"}));
    let by_other = p.api.call("PATCH", &format!("/events/{id}"), Some(&other.access_token), patch.clone()).await;
    assert_eq!(by_other.status, 404, "another organizer does not see it");
    let by_attendee = p.api.call("PATCH", &format!("/events/{id}"), Some(&attendee.access_token), patch.clone()).await;
    assert_eq!(by_attendee.status, 403);
    let anonymous = p.api.call("PATCH", &format!("/events/{id}"), None, patch.clone()).await;
    assert_eq!(anonymous.status, 401);
    let create_as_attendee =
        p.api.call("POST", "/events", Some(&attendee.access_token), Some(event_body("x", "y", "match"))).await;
    assert_eq!(create_as_attendee.status, 403);
    let participants = p.api.call("GET", &format!("/events/{id}/participants"), Some(&other.access_token), None).await;
    assert_eq!(participants.status, 404);
    let by_admin = p
        .api
        .call("PATCH", &format!("/events/{id}"), Some(&admin.access_token), Some(json!({"title": "Fixed by admin"})))
        .await;
    assert_eq!(by_admin.status, 200, "{:?}", by_admin.body);
    let mine = p.api.call("GET", "/organizers/me/events", Some(&other.access_token), None).await;
    assert!(mine.body["items"].as_array().unwrap().iter().all(|e| e["id"] != id.as_str()));
}

#[tokio::test]
async fn every_validation_rule_names_its_field() {
    let p = platform();
    let organizer = p.organizer().await;
    let y = year();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"endsAt": format!("{y}-06-01T19:00:00+02:00")}), "endsAt"),
        (json!({"salesClosesAt": format!("{y}-06-02T00:00:00+02:00")}), "salesClosesAt"),
        (json!({"currency": "EUX"}), "currency"),
        (json!({"currency": 978}), "currency"),
        (json!({"timezone": "Europe/Atlantis"}), "timezone"),
        (json!({"category": "opera"}), "category"),
        (json!({"title": ""}), "title"),
        (json!({"title": "t".repeat(121)}), "title"),
        (json!({"description": "d".repeat(5001)}), "description"),
        (json!({"venue": {"name": "Hall", "address": "1", "city": "X", "country": "ZZ"}}), "venue.country"),
        (json!({"startsAt": "next friday"}), "startsAt"),
        (json!({"tiers": []}), "tiers"),
        (json!({"tiers": [{"name": "A", "priceMinor": -1, "capacity": 10, "maxPerOrder": 1}]}), "tiers[0].priceMinor"),
        (json!({"tiers": [{"name": "A", "priceMinor": 1, "capacity": 0, "maxPerOrder": 1}]}), "tiers[0].capacity"),
        (json!({"tiers": [{"name": "A", "priceMinor": 1, "capacity": 2, "maxPerOrder": 3}]}), "tiers[0].maxPerOrder"),
        (
            json!({"tiers": (0..21).map(|i| json!({"name": format!("T{i}"), "priceMinor": 1, "capacity": 1, "maxPerOrder": 1})).collect::<Vec<_>>()}),
            "tiers",
        ),
        (json!({"colour": "red"}), "colour"),
    ];
    for (overrides, field) in cases {
        let mut body = event_body("Validation", "Paris", "match");
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
        let publishable = field == "tiers" && overrides["tiers"].as_array().is_some_and(|t| t.is_empty());
        if publishable {
            // An empty tier list is a valid draft; publishing it is what fails.
            assert_eq!(answer.status, 201);
            let id = answer.body["id"].as_str().unwrap();
            let published =
                p.api.call("POST", &format!("/events/{id}/publish"), Some(&organizer.access_token), None).await;
            assert_eq!(published.status, 422);
            assert!(published.body["error"]["fields"].as_array().unwrap().iter().any(|f| f["field"] == "tiers"));
            continue;
        }
        assert_eq!(answer.status, 422, "{field}: {:?}", answer.body);
        let fields: Vec<&str> =
            answer.body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{field} not named in {fields:?}");
    }
    let malformed = p.api.call_raw("POST", "/events", Some(&organizer.access_token), b"{\"title\":".to_vec()).await;
    assert_eq!(malformed.status, 400);
    for query in ["limit=0", "limit=x", "category=opera", "sort=random", "from=someday", "colour=red"] {
        let answer = p.api.call("GET", &format!("/events?{query}"), None, None).await;
        assert_eq!(answer.status, 422, "{query}: {:?}", answer.body);
    }
    assert_eq!(p.api.call("GET", "/events?cursor=forged", None, None).await.status, 400);
    let long_id = "x".repeat(3000);
    assert_eq!(p.api.call("GET", &format!("/events/{long_id}"), None, None).await.status, 404);
    let forged =
        base64_cursor(&json!({"pk": format!("EVENT#{long_id}"), "sk": "META", "gsi1pk": "PUBLISHED", "gsi1sk": "x"}));
    assert_eq!(p.api.call("GET", &format!("/events?cursor={forged}"), None, None).await.status, 400);
}

#[tokio::test]
async fn every_listing_route_reads_its_query_string_alike() {
    let p = platform();
    let organizer = p.organizer().await;
    let id =
        create(p, &organizer, event_body("Listings", "Nantes", "concert")).await["id"].as_str().unwrap().to_owned();
    let listings = ["/events".to_owned(), "/organizers/me/events".to_owned(), format!("/events/{id}/participants")];
    for path in &listings {
        for query in ["colour=red", "limit=0", "limit=abc", "limit=-1"] {
            let answer = p.api.call("GET", &format!("{path}?{query}"), Some(&organizer.access_token), None).await;
            assert_eq!(answer.status, 422, "{path}?{query}: {:?}", answer.body);
            let field = query.split('=').next().unwrap();
            assert_eq!(answer.body["error"]["fields"][0]["field"], field, "{path}?{query}");
        }
        let answer = p.api.call("GET", &format!("{path}?limit=1"), Some(&organizer.access_token), None).await;
        assert_eq!(answer.status, 200, "{path}: {:?}", answer.body);
        let answer = p.api.call("GET", &format!("{path}?cursor=forged"), Some(&organizer.access_token), None).await;
        assert_eq!(answer.status, 400, "{path}: a forged cursor");
    }
}

#[tokio::test]
async fn capacity_and_currency_respect_seats_already_taken() {
    let p = platform();
    let organizer = p.organizer().await;
    let event = create(p, &organizer, event_body("Taken seats", "Paris", "match")).await;
    let id = event["id"].as_str().unwrap().to_owned();
    let tier = event["tiers"][0]["id"].as_str().unwrap().to_owned();
    // 30 seats held, as reservations hold them: through the inventory contract, at
    // most maxPerOrder (4) per order.
    let dynamodb = p.runner.dynamodb().await;
    for quantity in [4, 4, 4, 4, 4, 4, 4, 2] {
        dynamodb
            .transact_write_items()
            .transact_items(events::inventory::hold(EVENTS_TABLE, &id, &tier, 0, quantity, None).unwrap())
            .send()
            .await
            .unwrap();
    }
    let tiers = |capacity: u32| json!({"tiers": [{"id": tier, "name": "Standard", "priceMinor": 2500, "capacity": capacity, "maxPerOrder": 4}]});
    let too_small = p.api.call("PATCH", &format!("/events/{id}"), Some(&organizer.access_token), Some(tiers(29))).await;
    assert_eq!(too_small.status, 422, "{:?}", too_small.body);
    assert_eq!(too_small.body["error"]["fields"][0]["field"], "tiers[0].capacity");
    let enough = p.api.call("PATCH", &format!("/events/{id}"), Some(&organizer.access_token), Some(tiers(30))).await;
    assert_eq!(enough.status, 200, "{:?}", enough.body);
    assert_eq!(enough.body["tiers"][0]["remaining"], 0);
    let currency = p
        .api
        .call("PATCH", &format!("/events/{id}"), Some(&organizer.access_token), Some(json!({"currency": "USD"})))
        .await;
    assert_eq!(currency.status, 422);
    assert_eq!(currency.body["error"]["fields"][0]["field"], "currency");
}

#[tokio::test]
async fn participants_are_listed_as_json_or_csv() {
    let p = platform();
    let organizer = p.organizer().await;
    let id = create(p, &organizer, event_body("Participants", "Paris", "conference")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/events/{id}/participants");
    let json = p.api.call("GET", &path, Some(&organizer.access_token), None).await;
    assert_eq!(json.status, 200);
    assert_eq!(json.body, json!({"items": [], "nextCursor": null}), "no reservations yet");

    // Two confirmed reservations (one of another event), written as the reservations
    // domain writes them: its own keys plus the participants contract's attributes.
    let dynamodb = p.runner.dynamodb().await;
    let confirmed = |event: &str, reservation: &str, holder: &str, at: &str| {
        let participant = Participant {
            reservation_id: reservation.into(),
            tier_id: "t1".into(),
            tier_name: "Standard".into(),
            quantity: 2,
            holder_name: holder.into(),
            confirmed_at: at.into(),
            seats: vec![],
        };
        let mut item = listing_attributes(event, &participant).unwrap();
        item.extend(shared::dynamo::key(format!("RESERVATION#{reservation}"), "RESERVATION"));
        item
    };
    for item in [
        confirmed(&id, "r-ada", "Ada Lovelace", "2030-01-01T10:00:00.000Z"),
        confirmed(&id, "r-bob", "=cmd|' /C calc'!A0", "2030-01-02T10:00:00.000Z"),
        confirmed("another-event", "r-eve", "Eve", "2030-01-01T11:00:00.000Z"),
    ] {
        dynamodb.put_item().table_name("local-ReservationsTable").set_item(Some(item)).send().await.unwrap();
    }
    let json = p.api.call("GET", &path, Some(&organizer.access_token), None).await;
    assert_eq!(json.status, 200, "{:?}", json.body);
    let holders: Vec<&str> =
        json.body["items"].as_array().unwrap().iter().map(|i| i["holderName"].as_str().unwrap()).collect();
    assert_eq!(holders, ["Ada Lovelace", "=cmd|' /C calc'!A0"], "this event's holders, oldest confirmation first");
    assert_eq!(json.body["items"][0]["quantity"], 2);
    assert_eq!(json.body["items"][0]["reservationId"], "r-ada");

    let csv = reqwest::Client::new()
        .get(format!("{}{path}", p.api.base))
        .bearer_auth(&organizer.access_token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(
        csv.text().await.unwrap(),
        "reservationId,tierId,tierName,quantity,holderName,confirmedAt,seats\r\n\
         \"r-ada\",\"t1\",\"Standard\",2,\"Ada Lovelace\",\"2030-01-01T10:00:00.000Z\",\"\"\r\n\
         \"r-bob\",\"t1\",\"Standard\",2,\"'=cmd|' /C calc'!A0\",\"2030-01-02T10:00:00.000Z\",\"\"\r\n",
        "CSV rows, with a formula defused"
    );

    // Pages: one at a time, the cursor leads to the second and last.
    let first = p.api.call("GET", &format!("{path}?limit=1"), Some(&organizer.access_token), None).await;
    let cursor = first.body["nextCursor"].as_str().expect("a next page").to_owned();
    let second =
        p.api.call("GET", &format!("{path}?limit=1&cursor={cursor}"), Some(&organizer.access_token), None).await;
    assert_eq!(second.body["items"][0]["reservationId"], "r-bob");
    // Another organizer sees nothing of it.
    let stranger = p.organizer().await;
    assert_eq!(p.api.call("GET", &path, Some(&stranger.access_token), None).await.status, 404);
}
