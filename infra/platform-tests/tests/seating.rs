//! Reserved seating on the real stack: an organizer gives an event a seat map (as
//! JSON or a venue's CSV), bad maps are refused naming their fields, the public
//! reads the map with each seat's state, and once the event is published a map
//! only grows.

use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(Platform::start)
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
}
