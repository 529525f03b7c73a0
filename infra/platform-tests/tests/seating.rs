//! Reserved seating on the real stack: an organizer gives an event a seat map (as
//! JSON or a venue's CSV), bad maps are refused naming their fields, the public
//! reads the map with each seat's state, and once the event is published a map
//! only grows. Buyers pick seats: 500 at once on a 200-seat hall never share one,
//! the losers are told which seats were taken, and cancellation, a declined card
//! and expiry each free exactly their reservation's seats. Buyers who ask for a
//! number of seats get the best ones left, together, never a seat twice.

use futures::StreamExt;
use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

static PLATFORM: OnceLock<Platform> = OnceLock::new();
static STRIPE_DOWN: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(Platform::start)
}

// Holds end during the rush on a slow machine (the sweeper runs on its own every
// minute): the test allows a seat a new hold only once its last one expired.
const HOLD_SECONDS: u64 = 45;

/// Holds that stay pending until they expire: Stripe is "down" (port 9 refuses).
fn stripe_down() -> &'static Platform {
    STRIPE_DOWN.get_or_init(|| {
        Platform::start_with(&[
            "--param",
            &format!("HoldSeconds={HOLD_SECONDS}"),
            "--param",
            "StripeApiBase=http://127.0.0.1:9",
        ])
    })
}

fn year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year() + 1
}

/// A draft with a standard tier (to seat) and a wide one (too many per order to seat).
async fn draft(p: &Platform, organizer: &Session) -> (String, String, String) {
    let y = year();
    let body = json!({
        "title": format!("Seated {}", uuid::Uuid::new_v4().simple()),
        "category": "concert",
        "description": "A seated concert.",
        "venue": {"name": "Hall", "address": "1 Main Street", "city": "Lyon", "country": "FR"},
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "startsAt": format!("{y}-06-01T20:00:00+02:00"),
        "endsAt": format!("{y}-06-01T23:00:00+02:00"),
        "salesOpensAt": "2026-01-01T00:00:00Z",
        "salesClosesAt": format!("{y}-06-01T19:00:00+02:00"),
        "tiers": [
            {"name": "Standard", "priceMinor": 3000, "capacity": 4, "maxPerOrder": 4},
            {"name": "Standing", "priceMinor": 2000, "capacity": 300, "maxPerOrder": 20}
        ]
    });
    let created = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let tier = |i: usize| created.body["tiers"][i]["id"].as_str().unwrap().to_owned();
    (id, tier(0), tier(1))
}

/// `rows` rows A, B, ... of `seats` seats each.
fn section(name: &str, tier: &str, rows: usize, seats: usize) -> Value {
    let rows: Vec<Value> = (0..rows)
        .map(|r| {
            let seats: Vec<Value> =
                (1..=seats).map(|s| json!({"label": s.to_string(), "x": s * 10, "y": r * 10})).collect();
            json!({"label": ((b'A' + r as u8) as char).to_string(), "seats": seats})
        })
        .collect();
    json!({"name": name, "tierId": tier, "rows": rows})
}

/// The event as its organizer sees it (drafts too).
async fn organizer_view(p: &Platform, organizer: &Session, event: &str) -> Value {
    let mine = p.api.call("GET", "/organizers/me/events?limit=50", Some(&organizer.access_token), None).await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    mine.body["items"].as_array().unwrap().iter().find(|e| e["id"] == event).cloned().expect("the organizer's event")
}

fn fields(answer: &Value) -> Vec<String> {
    answer["error"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_organizer_seats_an_event_the_public_reads_the_map_and_a_published_map_only_grows() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, standard, standing) = draft(p, &organizer).await;
    let put = |body: Value| {
        let token = organizer.access_token.clone();
        let path = format!("/events/{event}/seat-map");
        async move { p.api.call("PUT", &path, Some(&token), Some(body)).await }
    };

    // Bad maps: every problem named by its field.
    let mut twice = section("Nord", &standard, 2, 3);
    twice["rows"][1]["label"] = json!("a");
    let bad = put(json!({"sections": [twice, section("Sud", "no-such-tier", 1, 2), {"name": "Est", "tierId": standard, "rows": []}]}))
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(fields(&bad.body), ["sections[0].rows[1].label", "sections[1].tierId", "sections[2].rows"]);
    let bad = put(json!({"sections": [{"name": "Nord", "tierId": standard, "rows": [{"label": "A", "seats": [{"label": "1", "x": "left"}]}]}]}))
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(fields(&bad.body), ["sections[0].rows[0].seats[0].x", "sections[0].rows[0].seats[0].y"]);
    let wide = put(json!({"sections": [section("Parterre", &standing, 1, 5)]})).await;
    assert_eq!(wide.status, 422, "{:?}", wide.body);
    assert!(wide.body["error"]["fields"][0]["message"].as_str().unwrap().contains("at most 10"), "{:?}", wide.body);
    let stranger = p.organizer().await;
    let theirs = p
        .api
        .call("PUT", &format!("/events/{event}/seat-map"), Some(&stranger.access_token), Some(json!({"sections": []})))
        .await;
    assert_eq!(theirs.status, 404, "another organizer's event: {:?}", theirs.body);

    // A draft's map: the standard tier becomes seated, its capacity its seats.
    let first = put(json!({"sections": [section("Nord", &standard, 3, 10), section("Sud", &standard, 2, 5)]})).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!((first.body["version"].as_u64(), first.body["seatCount"].as_u64()), (Some(1), Some(40)));
    assert_eq!(first.body["sections"][1]["rows"][0]["seats"][0]["id"], "2-1-1");
    let mine = organizer_view(p, &organizer, &event).await;
    let tier = &mine["tiers"][0];
    assert_eq!(
        (tier["seated"].as_bool(), tier["capacity"].as_u64(), tier["remaining"].as_u64()),
        (Some(true), Some(40), Some(40))
    );
    assert_eq!(mine["tiers"][1]["seated"], false);
    assert_eq!(mine["seatMap"], json!({"version": 1, "seats": 40}));
    // The draft is not public, nor is its map.
    let hidden = p.api.call("GET", &format!("/events/{event}/seats"), None, None).await;
    assert_eq!(hidden.status, 404, "{:?}", hidden.body);

    // A venue's CSV replaces the draft's map; its bad lines are named by line and column.
    let csv = "section,row,seat,x,y,tier\nNord,A,1,10,0,standard\nNord,A,2,20,0,Standard\nNord,B,1,10,10,Standard\n";
    let path = format!("/events/{event}/seat-map");
    let bad = p
        .api
        .call_typed("PUT", &path, Some(&organizer.access_token), "text/csv", format!("{csv}Nord,B,2,far,10,VIP\n"))
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(fields(&bad.body), ["line 5.x", "line 5.tier"]);
    let from_csv =
        p.api.call_typed("PUT", &path, Some(&organizer.access_token), "text/csv; charset=utf-8", csv.to_owned()).await;
    assert_eq!(from_csv.status, 200, "{:?}", from_csv.body);
    assert_eq!((from_csv.body["version"].as_u64(), from_csv.body["seatCount"].as_u64()), (Some(2), Some(3)));
    // Back to the JSON map for the sale.
    let third = put(json!({"sections": [section("Nord", &standard, 3, 10), section("Sud", &standard, 2, 5)]})).await;
    assert_eq!(third.status, 200, "{:?}", third.body);
    // A seated tier's capacity comes from the map, not from an edit.
    let tiers = json!({"tiers": [
        {"id": standard, "name": "Standard", "priceMinor": 3000, "capacity": 99, "maxPerOrder": 4},
        {"id": standing, "name": "Standing", "priceMinor": 2000, "capacity": 300, "maxPerOrder": 20}
    ]});
    let edit = p.api.call("PATCH", &format!("/events/{event}"), Some(&organizer.access_token), Some(tiers)).await;
    assert_eq!(edit.status, 422, "{:?}", edit.body);
    assert_eq!(fields(&edit.body), ["tiers[0].capacity"]);

    // Published: the public reads the map, every seat with its state.
    let published = p.api.call("POST", &format!("/events/{event}/publish"), Some(&organizer.access_token), None).await;
    assert_eq!(published.status, 200, "{:?}", published.body);
    let map = p.api.call("GET", &format!("/events/{event}/seats"), None, None).await;
    assert_eq!(map.status, 200, "{:?}", map.body);
    assert_eq!(map.headers["cache-control"], "public, max-age=5");
    assert_eq!(map.body["seatCount"], 40);
    let seats: Vec<&Value> = map.body["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["rows"].as_array().unwrap())
        .flat_map(|r| r["seats"].as_array().unwrap())
        .collect();
    assert_eq!(seats.len(), 40);
    assert!(seats.iter().all(|s| s["status"] == "available"), "nothing sold yet");
    assert_eq!(map.body["sections"][0]["name"], "Nord");
    assert_eq!(map.body["sections"][0]["tierId"], standard.as_str());
    assert_eq!(map.body["sections"][0]["rows"][2]["label"], "C");
    let one = p.api.call("GET", &format!("/events/{event}/seats?section=2"), None, None).await;
    assert_eq!(one.status, 200, "{:?}", one.body);
    assert_eq!(one.body["sections"].as_array().unwrap().len(), 1);
    assert_eq!(one.body["sections"][0]["name"], "Sud");
    assert_eq!(p.api.call("GET", &format!("/events/{event}/seats?section=9"), None, None).await.status, 404);
    assert_eq!(p.api.call("GET", &format!("/events/{event}/seats?section=two"), None, None).await.status, 422);

    // Once published a map only grows: a row less is refused, a row more is taken.
    let shrunk = put(json!({"sections": [section("Nord", &standard, 2, 10), section("Sud", &standard, 2, 5)]})).await;
    assert_eq!(shrunk.status, 422, "{:?}", shrunk.body);
    assert!(
        shrunk.body["error"]["fields"][0]["message"].as_str().unwrap().contains("only adds seats"),
        "{:?}",
        shrunk.body
    );
    let grown = put(json!({"sections": [section("Nord", &standard, 4, 10), section("Sud", &standard, 2, 5)]})).await;
    assert_eq!(grown.status, 200, "{:?}", grown.body);
    assert_eq!(grown.body["sections"][0]["rows"][3]["seats"][0]["id"], "1-4-1", "new seats get new numbers");
    assert_eq!(grown.body["sections"][0]["rows"][0]["seats"][0]["id"], "1-1-1", "old seats keep theirs");
    assert_eq!(organizer_view(p, &organizer, &event).await["tiers"][0]["capacity"], 50);
    // The public figure follows (summed from the shards as it streams in).
    p.poll_until(&format!("/events/{event}"), &organizer.access_token, |e| e["tiers"][0]["remaining"] == 50).await;
    let map = p.api.call("GET", &format!("/events/{event}/seats"), None, None).await;
    assert_eq!(map.body["seatCount"], 50);

    // The organizer blocks seats: they leave the sale and the count, until unblocked.
    let blocks = format!("/events/{event}/seat-blocks");
    let block = |body: Value| {
        let (token, path) = (organizer.access_token.clone(), blocks.clone());
        async move { p.api.call("POST", &path, Some(&token), Some(body)).await }
    };
    let unknown = block(json!({"block": ["1-1-1", "9-9-9"]})).await;
    assert_eq!((unknown.status, fields(&unknown.body)), (422, vec!["block[1]".to_owned()]), "{:?}", unknown.body);
    let theirs = p.api.call("POST", &blocks, Some(&stranger.access_token), Some(json!({"block": ["1-1-1"]}))).await;
    assert_eq!(theirs.status, 404, "{:?}", theirs.body);
    let blocked = block(json!({"block": ["1-1-1", "1-1-2", "2-1-1"]})).await;
    assert_eq!(blocked.status, 200, "{:?}", blocked.body);
    assert_eq!(blocked.body, json!({"blocked": ["1-1-1", "1-1-2", "2-1-1"], "unblocked": []}));
    p.poll_until(&format!("/events/{event}"), &organizer.access_token, |e| e["tiers"][0]["remaining"] == 47).await;
    let again = block(json!({"block": ["1-1-3", "1-1-1"]})).await;
    assert_eq!((again.status, again.body["error"]["code"].as_str()), (409, Some("seats_taken")), "{:?}", again.body);
    assert_eq!(again.body["error"]["fields"], json!([{"field": "block", "message": "1-1-1"}]), "all or nothing");
    let not_blocked = block(json!({"unblock": ["1-1-3"]})).await;
    assert_eq!(not_blocked.body["error"]["code"], "seats_not_blocked", "{:?}", not_blocked.body);
    let buyer = p.attendee().await;
    let (status, body) = pick(p, &buyer.access_token, &event, &["1-1-1".to_owned()], "pm_card_visa", "blocked").await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("seats_taken")), "{body:?}");
    let started = std::time::Instant::now();
    while map_states(p, &event).await.1
        != HashMap::from(
            [("1-1-1", "blocked"), ("1-1-2", "blocked"), ("2-1-1", "blocked")]
                .map(|(a, b)| (a.to_owned(), b.to_owned())),
        )
    {
        assert!(started.elapsed() < Duration::from_secs(60), "the map never showed the blocked seats");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // One given back, one more taken: the count stands at 47.
    let swapped = block(json!({"unblock": ["2-1-1"], "block": ["2-1-2"]})).await;
    assert_eq!(swapped.status, 200, "{:?}", swapped.body);
    let unblocked = block(json!({"unblock": ["1-1-1", "1-1-2"]})).await;
    assert_eq!(unblocked.status, 200, "{:?}", unblocked.body);
    p.poll_until(&format!("/events/{event}"), &organizer.access_token, |e| e["tiers"][0]["remaining"] == 49).await;
    let (status, body) = pick(p, &buyer.access_token, &event, &["1-1-1".to_owned()], "pm_card_visa", "unblocked").await;
    assert_eq!(status, 201, "an unblocked seat sells: {body:?}");
    // A draft's seats are not blocked: its map may still be replaced.
    let (draft_event, ..) = draft(p, &organizer).await;
    let early = p
        .api
        .call(
            "POST",
            &format!("/events/{draft_event}/seat-blocks"),
            Some(&organizer.access_token),
            Some(json!({"block": ["1-1-1"]})),
        )
        .await;
    assert_eq!((early.status, early.body["error"]["code"].as_str()), (409, Some("not_published")), "{:?}", early.body);
}

/// A published hall of `rows` rows of `seats` seats, one tier (4 per order, 4 shards).
async fn hall(p: &Platform, organizer: &Session, rows: usize, seats: usize) -> (String, String) {
    let y = year();
    let body = json!({
        "title": format!("Hall {}", uuid::Uuid::new_v4().simple()),
        "category": "concert",
        "description": "A seated concert.",
        "venue": {"name": "Hall", "address": "1 Main Street", "city": "Lyon", "country": "FR"},
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "startsAt": format!("{y}-06-01T20:00:00+02:00"),
        "endsAt": format!("{y}-06-01T23:00:00+02:00"),
        "salesOpensAt": "2026-01-01T00:00:00Z",
        "salesClosesAt": format!("{y}-06-01T19:00:00+02:00"),
        "tiers": [{"name": "Stalls", "priceMinor": 3000, "capacity": 4, "maxPerOrder": 4, "shards": 4}]
    });
    let created = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let event = created.body["id"].as_str().unwrap().to_owned();
    let tier = created.body["tiers"][0]["id"].as_str().unwrap().to_owned();
    let map = json!({"sections": [section("Stalls", &tier, rows, seats)]});
    let put = p.api.call("PUT", &format!("/events/{event}/seat-map"), Some(&organizer.access_token), Some(map)).await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    let published = p.api.call("POST", &format!("/events/{event}/publish"), Some(&organizer.access_token), None).await;
    assert_eq!(published.status, 200, "{:?}", published.body);
    (event, tier)
}

/// One buyer's pick, as [`reserve`] sends it.
async fn pick(p: &Platform, token: &str, event: &str, seats: &[String], card: &str, key: &str) -> (u16, Value) {
    reserve(p, token, json!({"eventId": event, "seatIds": seats, "paymentMethod": card}), key).await
}

/// `POST /reservations` with `body` under `key`: the answer, asked again with the
/// same key while busy (429, 503) or unanswered (502, 504, or the same request
/// still running: a hold past its timeout on a starved machine has an unknown
/// outcome, and the same key finds the hold if it was made).
async fn reserve(p: &Platform, token: &str, body: Value, key: &str) -> (u16, Value) {
    for _ in 0..60 {
        let answer = p
            .api
            .call_with_headers("POST", "/reservations", Some(token), &[("idempotency-key", key)], Some(body.clone()))
            .await;
        if matches!(answer.status, 429 | 502 | 503 | 504) || answer.body["error"]["code"] == "request_in_progress" {
            let wait = answer.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
            tokio::time::sleep(Duration::from_secs(wait.unwrap_or(1))).await;
            continue;
        }
        return (answer.status, answer.body);
    }
    panic!("busy or unanswered 60 times in a row")
}

/// Each seat's state on the public map (held, sold, blocked; absent: available).
async fn map_states(p: &Platform, event: &str) -> (usize, HashMap<String, String>) {
    let map = p.api.call("GET", &format!("/events/{event}/seats"), None, None).await;
    assert_eq!(map.status, 200, "{:?}", map.body);
    let mut states = HashMap::new();
    let mut count = 0;
    for section in map.body["sections"].as_array().unwrap() {
        for row in section["rows"].as_array().unwrap() {
            for seat in row["seats"].as_array().unwrap() {
                count += 1;
                if seat["status"] != "available" {
                    states.insert(seat["id"].as_str().unwrap().to_owned(), seat["status"].as_str().unwrap().to_owned());
                }
            }
        }
    }
    (count, states)
}

/// The event's reservations as stored: id → (status, seat ids).
async fn stored_reservations(p: &Platform, event: &str) -> HashMap<String, (String, Vec<String>)> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let client = p.runner.dynamodb().await;
    let mut out = HashMap::new();
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name("local-ReservationsTable")
            .index_name("gsi3")
            .key_condition_expression("gsi3pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(format!("EVENT#{event}")))
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in page.items() {
            let seats = item
                .get("seats")
                .and_then(|v| v.as_l().ok())
                .map(|l| l.iter().map(|s| s.as_m().unwrap()["id"].as_s().unwrap().clone()).collect())
                .unwrap_or_default();
            out.insert(item["id"].as_s().unwrap().clone(), (item["status"].as_s().unwrap().clone(), seats));
        }
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            return out;
        }
    }
}

/// Waits until the public map shows exactly the stored reservations' seats (held
/// for pending ones, sold for confirmed ones) and the `blocked` ones, and the tier's
/// counted seats agree (sold + held + blocked + available = capacity); returns the
/// states. The map follows the stream: a second or two behind.
async fn settled(p: &Platform, event: &str, tier: &str, capacity: usize, blocked: &[&str]) -> HashMap<String, String> {
    let started = std::time::Instant::now();
    loop {
        let reservations = stored_reservations(p, event).await;
        let mut expected: HashMap<String, String> =
            blocked.iter().map(|seat| (seat.to_string(), "blocked".to_owned())).collect();
        for (status, seats) in reservations.values() {
            let state = match status.as_str() {
                "pending_payment" => "held",
                "confirmed" => "sold",
                _ => continue,
            };
            for seat in seats {
                let before = expected.insert(seat.clone(), state.to_owned());
                assert!(before.is_none(), "seat {seat} in two live reservations: {reservations:?}");
            }
        }
        let (count, states) = map_states(p, event).await;
        assert_eq!(count, capacity);
        let counted = p.runner.tier_seats(event, tier).await;
        if states == expected && counted.available == (capacity - expected.len()) as i64 {
            assert!(counted.shards.iter().all(|&n| n >= 0), "{counted:?}");
            return states;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the map never matched the reservations: {} shown, {} expected, {} counted free",
            states.len(),
            expected.len(),
            counted.available
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Seats the organizer blocks before the rush (row 10's last four).
const BLOCKED: &[&str] = &["1-10-17", "1-10-18", "1-10-19", "1-10-20"];

#[tokio::test]
async fn five_hundred_buyers_picking_overlapping_seats_never_share_one_and_each_release_frees_its_own() {
    let p = stripe_down();
    let organizer = p.organizer().await;
    let (event, tier) = hall(p, &organizer, 10, 20).await;
    let people: Vec<Session> = p.attendees(20).await;

    // The organizer keeps four seats back: nobody gets them.
    let blocks = p
        .api
        .call(
            "POST",
            &format!("/events/{event}/seat-blocks"),
            Some(&organizer.access_token),
            Some(json!({"block": BLOCKED})),
        )
        .await;
    assert_eq!(blocks.status, 200, "{:?}", blocks.body);

    // 500 buyers, each after a pair of adjacent seats among 190 overlapping pairs
    // (a pair shares a seat with its neighbours): most of them collide.
    let rush = std::time::Instant::now();
    let buyers = futures::stream::iter((0..500usize).map(|i| {
        let token = people[i % people.len()].access_token.clone();
        let event = event.clone();
        let row = i % 10 + 1;
        let first = (i * 7) % 19 + 1;
        let seats = vec![format!("1-{row}-{first}"), format!("1-{row}-{}", first + 1)];
        async move {
            let (status, body) = pick(p, &token, &event, &seats, "pm_card_visa", &format!("seat-{i}")).await;
            (i, seats, status, body)
        }
    }))
    .buffer_unordered(64)
    .collect::<Vec<_>>()
    .await;

    eprintln!("the rush took {:.1} s", rush.elapsed().as_secs_f64());
    // seat → the reservations that won it (more than one only if an earlier hold
    // expired and was swept meanwhile: the sweeper runs on its own every minute).
    let mut holders: HashMap<String, Vec<String>> = HashMap::new();
    let mut winners: Vec<(usize, String, Vec<String>)> = Vec::new();
    let mut losers = 0;
    for (i, seats, status, body) in &buyers {
        match status {
            201 => {
                let id = body["id"].as_str().unwrap().to_owned();
                let names: Vec<&str> =
                    body["seats"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
                assert_eq!(names, seats.iter().map(String::as_str).collect::<Vec<_>>(), "{body:?}");
                assert!(body["seats"][0]["name"].as_str().unwrap().starts_with("Stalls, row "), "{body:?}");
                for seat in seats {
                    holders.entry(seat.clone()).or_default().push(id.clone());
                }
                winners.push((*i, id, seats.clone()));
            }
            409 => {
                assert_eq!(body["error"]["code"], "seats_taken", "buyer {i}: {body:?}");
                let taken: Vec<&str> = body["error"]["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["message"].as_str().unwrap())
                    .collect();
                assert!(!taken.is_empty() && taken.iter().all(|t| seats.iter().any(|s| s == t)), "{seats:?}: {body:?}");
                losers += 1;
            }
            other => panic!("buyer {i}: only 201 or 409 seats_taken, got {other}: {body:?}"),
        }
    }
    eprintln!("{} holds, {losers} told their seats were taken", winners.len());
    assert!(winners.len() >= 50 && losers > 0, "a contest: {} won, {losers} lost", winners.len());
    // Every seat a loser was refused is held by a winner, or blocked.
    for (_, _, status, body) in &buyers {
        if *status == 409 {
            for field in body["error"]["fields"].as_array().unwrap() {
                let seat = field["message"].as_str().unwrap();
                assert!(holders.contains_key(seat) || BLOCKED.contains(&seat), "{seat} refused but nobody holds it");
            }
        }
    }
    assert!(BLOCKED.iter().all(|seat| !holders.contains_key(*seat)), "a blocked seat was sold: {holders:?}");
    // Never two live holds on one seat: of the winners of a seat, all but the last
    // had expired (been released) before it was taken again.
    let stored = stored_reservations(p, &event).await;
    for (seat, ids) in &holders {
        let live: Vec<&String> = ids.iter().filter(|id| stored[*id].0 == "pending_payment").collect();
        assert!(live.len() <= 1, "seat {seat} held by {live:?} at once");
        for id in ids.iter().filter(|id| stored[*id].0 != "pending_payment") {
            assert_eq!(stored[id].0, "expired", "seat {seat}: {id} ended only by expiry here");
        }
    }

    // The map, the reservations and the counted seats agree: held + blocked + available = 200.
    let states = settled(p, &event, &tier, 200, BLOCKED).await;
    assert!(states.values().all(|s| s == "held" || s == "blocked"), "nothing is paid here");

    // A cancellation frees exactly its seats; a picker then gets them. (The last
    // winner: its hold is the furthest from its end.)
    let (buyer, cancelled, freed) = winners.last().unwrap().clone();
    let holder = &people[buyer % people.len()];
    let answer = p.api.call("DELETE", &format!("/reservations/{cancelled}"), Some(&holder.access_token), None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let states = settled(p, &event, &tier, 200, BLOCKED).await;
    assert!(freed.iter().all(|seat| !states.contains_key(seat)), "{freed:?} still taken: {states:?}");
    let (status, body) = pick(p, &holder.access_token, &event, &freed, "pm_card_visa", "seat-again").await;
    assert_eq!(status, 201, "the freed seats sell again: {body:?}");
    let last_hold = std::time::Instant::now();

    // Expiry frees every hold's seats, once.
    tokio::time::sleep(
        (last_hold + Duration::from_secs(HOLD_SECONDS + 1)).saturating_duration_since(std::time::Instant::now()),
    )
    .await;
    let swept = p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None).await;
    assert_eq!(swept.status, 200, "{:?}", swept.body);
    let states = settled(p, &event, &tier, 200, BLOCKED).await;
    assert_eq!(states.len(), BLOCKED.len(), "every seat free again but the blocked ones: {states:?}");
}

#[tokio::test]
async fn a_paid_pick_sells_its_seats_names_them_on_the_tickets_and_a_declined_card_frees_them() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = hall(p, &organizer, 2, 6).await;
    let buyer = p.attendee().await;
    let other = p.attendee().await;

    // Validation: unknown seats, seats with a tier.
    let bad = p
        .api
        .call(
            "POST",
            "/reservations",
            Some(&buyer.access_token),
            Some(json!({"eventId": event, "seatIds": ["1-1-1", "1-9-1"], "paymentMethod": "pm_card_visa"})),
        )
        .await;
    assert_eq!((bad.status, fields(&bad.body)), (422, vec!["seatIds[1]".to_owned()]), "{:?}", bad.body);
    let bad = p
        .api
        .call(
            "POST",
            "/reservations",
            Some(&buyer.access_token),
            Some(json!({"eventId": event, "seatIds": ["1-1-1", "one"], "tierId": tier})),
        )
        .await;
    assert_eq!(
        (bad.status, fields(&bad.body)),
        (422, vec!["tierId".to_owned(), "seatIds[1]".to_owned()]),
        "{:?}",
        bad.body
    );
    // Paid: the seats are sold, and the tickets and the email name them.
    let seats = vec!["1-2-3".to_owned(), "1-2-4".to_owned()];
    let (status, held) = pick(p, &buyer.access_token, &event, &seats, "pm_card_visa", "paid").await;
    assert_eq!(status, 201, "{held:?}");
    let id = held["id"].as_str().unwrap();
    let confirmed =
        p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    let tickets: Vec<&str> =
        confirmed["tickets"].as_array().unwrap().iter().map(|t| t["seat"].as_str().unwrap()).collect();
    assert_eq!(tickets, ["Stalls, row B, seat 3", "Stalls, row B, seat 4"]);
    let email = &p.wait_for_emails(&buyer.email, 1).await[0];
    assert!(email.to_string().contains("Stalls, row B, seat 4"), "{email}");
    // The organizer's participant list names them too.
    let listed = p.api.call("GET", &format!("/events/{event}/participants"), Some(&organizer.access_token), None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body["items"][0]["seats"][1], json!({"id": "1-2-4", "name": "Stalls, row B, seat 4"}));
    let (status, body) =
        pick(p, &other.access_token, &event, &["1-2-4".to_owned(), "1-2-5".to_owned()], "pm_card_visa", "late").await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("seats_taken")), "{body:?}");
    assert_eq!(body["error"]["fields"][0]["message"], "1-2-4");

    // A declined card frees exactly its seats.
    let (status, declined) = pick(
        p,
        &other.access_token,
        &event,
        &["1-1-1".to_owned(), "1-1-2".to_owned()],
        "pm_card_chargeCustomerFail",
        "declined",
    )
    .await;
    assert_eq!(status, 201, "{declined:?}");
    let declined_id = declined["id"].as_str().unwrap();
    p.poll_until(&format!("/reservations/{declined_id}"), &other.access_token, |r| r["status"] == "payment_failed")
        .await;
    let states = settled(p, &event, &tier, 12, &[]).await;
    assert_eq!(
        states,
        HashMap::from([("1-2-3".to_owned(), "sold".to_owned()), ("1-2-4".to_owned(), "sold".to_owned())])
    );
}

/// A best-available order: `quantity` seats of the tier, as [`reserve`] sends it.
async fn best(p: &Platform, token: &str, event: &str, tier: &str, quantity: u32, key: &str) -> (u16, Value) {
    let body = json!({"eventId": event, "tierId": tier, "quantity": quantity, "paymentMethod": "pm_card_visa"});
    reserve(p, token, body, key).await
}

#[tokio::test]
async fn buyers_asking_for_pairs_at_once_get_the_best_pairs_left_together_and_never_a_seat_twice() {
    let p = platform();
    let organizer = p.organizer().await;
    // 4 rows of 6: 12 pairs. 20 buyers ask for a pair at once, then one for more
    // seats than are left.
    let (event, tier) = hall(p, &organizer, 4, 6).await;
    let people: Vec<Session> = futures::future::join_all((0..4).map(|_| p.attendee())).await;
    let answers = futures::future::join_all((0..20usize).map(|i| {
        let token = people[i % people.len()].access_token.clone();
        let (event, tier) = (event.clone(), tier.clone());
        async move { best(p, &token, &event, &tier, 2, &format!("best-{i}")).await }
    }))
    .await;
    let mut taken: HashMap<String, String> = HashMap::new();
    let mut sold_out = 0;
    for (status, body) in &answers {
        match status {
            201 => {
                let seats: Vec<SeatIdParts> =
                    body["seats"].as_array().unwrap().iter().map(|s| parts(s["id"].as_str().unwrap())).collect();
                assert_eq!(seats.len(), 2, "{body:?}");
                // Together: one row, side by side.
                assert_eq!(seats[0].1, seats[1].1, "one row: {body:?}");
                assert_eq!(seats[0].2 + 1, seats[1].2, "side by side: {body:?}");
                assert!(body["seats"][0]["name"].as_str().unwrap().starts_with("Stalls, row "), "{body:?}");
                for seat in body["seats"].as_array().unwrap() {
                    let id = seat["id"].as_str().unwrap().to_owned();
                    let before = taken.insert(id.clone(), body["id"].as_str().unwrap().to_owned());
                    assert!(before.is_none(), "seat {id} given twice");
                }
            }
            409 => {
                assert_eq!(body["error"]["code"], "sold_out", "{body:?}");
                sold_out += 1;
            }
            other => panic!("only 201 or 409 sold_out, got {other}: {body:?}"),
        }
    }
    // Pairs never strand a single seat, so all 24 seats go, in 12 pairs.
    assert_eq!((taken.len(), sold_out), (24, 8), "{answers:?}");
    let (status, body) = best(p, &people[0].access_token, &event, &tier, 2, "best-late").await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("sold_out")), "{body:?}");
    // The map agrees once the chain has charged them all: every seat sold.
    let started = std::time::Instant::now();
    loop {
        let (_, states) = map_states(p, &event).await;
        if states.len() == 24 && states.values().all(|s| s == "sold") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the map never showed 24 sold: {states:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_retry_after_an_attempt_died_holding_the_last_seats_answers_that_hold_not_sold_out() {
    let p = platform();
    let organizer = p.organizer().await;
    // One row of two: the first attempt takes the last two seats.
    let (event, tier) = hall(p, &organizer, 1, 2).await;
    let buyer = p.attendee().await;
    let key = uuid::Uuid::new_v4().to_string();
    let (status, first) = best(p, &buyer.access_token, &event, &tier, 2, &key).await;
    assert_eq!(status, 201, "{first:?}");
    // The attempt "died" (its time ran out on a starved machine) after its hold
    // committed, before its answer was recorded: its idempotency claim lapsed
    // (here: the record is gone).
    p.lose_reservation_answer(&buyer.user_id, &key).await;
    // The retry's best-available pick then sees its own seats taken: once the map
    // shows them held, it finds no pair left.
    let started = std::time::Instant::now();
    loop {
        let (_, states) = map_states(p, &event).await;
        if states.len() == 2 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the map never showed the pair held: {states:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, retry) = best(p, &buyer.access_token, &event, &tier, 2, &key).await;
    assert_eq!(status, 201, "the buyer holds the seats (and is charged for them), not sold out: {retry:?}");
    assert_eq!(retry["id"], first["id"], "the same reservation, resumed");
    assert_eq!(retry["seats"], first["seats"]);
}

/// (section, row, seat) of a seat id such as "1-3-12".
type SeatIdParts = (u32, u32, u32);

fn parts(id: &str) -> SeatIdParts {
    let n: Vec<u32> = id.split('-').map(|p| p.parse().unwrap()).collect();
    (n[0], n[1], n[2])
}
