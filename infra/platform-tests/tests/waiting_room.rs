//! The waiting room on the real stack: the pre-queue's order drawn at the opening,
//! arrivals after it in order, one place per account, admission at the room's
//! pace, and holds refused without a valid admission token (missing, forged,
//! expired, another account's, another event's).

use chrono::{DateTime, Duration as Span, SecondsFormat, Utc};
use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::Duration;
use waiting_room::token::AdmissionTokens;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

const ADMISSION_KEY: &str = "platform-tests-admission-token-key-0123456789";
const ABANDON_SECONDS: i64 = 8;

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(|| {
        Platform::start_with(&[
            "--param",
            &format!("AdmissionTokenKey={ADMISSION_KEY}"),
            "--param",
            &format!("QueuePlaceAbandonSeconds={ABANDON_SECONDS}"),
            "--max-instances",
            "8",
        ])
    })
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An event whose sale opens at `opens` behind a room admitting `per_minute`.
async fn event_with_room(p: &Platform, organizer: &Session, opens: DateTime<Utc>, per_minute: u32) -> (String, String) {
    let year = chrono::Datelike::year(&Utc::now()) + 1;
    let body = json!({
        "title": format!("Queue {}", uuid::Uuid::new_v4().simple()),
        "category": "concert",
        "description": "A sell-out.",
        "venue": {"name": "Arena", "address": "1 Main Street", "city": "Lyon", "country": "FR"},
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "startsAt": format!("{year}-06-01T20:00:00+02:00"),
        "endsAt": format!("{year}-06-01T23:00:00+02:00"),
        "salesOpensAt": at(opens),
        "salesClosesAt": format!("{year}-06-01T19:00:00+02:00"),
        "waitingRoom": {"enabled": true, "admitPerMinute": per_minute},
        "tiers": [{"name": "Floor", "priceMinor": 0, "capacity": 100, "maxPerOrder": 2}]
    });
    let created = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["waitingRoom"], json!({"enabled": true, "admitPerMinute": per_minute}));
    let id = created.body["id"].as_str().unwrap().to_owned();
    let tier = created.body["tiers"][0]["id"].as_str().unwrap().to_owned();
    let published = p.api.call("POST", &format!("/events/{id}/publish"), Some(&organizer.access_token), None).await;
    assert_eq!(published.status, 200, "{:?}", published.body);
    (id, tier)
}

async fn join(p: &Platform, who: &Session, event: &str) -> (u16, Value) {
    let answer = p.api.call("POST", &format!("/events/{event}/queue"), Some(&who.access_token), None).await;
    (answer.status, answer.body)
}

async fn me(p: &Platform, who: &Session, event: &str) -> Value {
    let answer = p.api.call("GET", &format!("/events/{event}/queue/me"), Some(&who.access_token), None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body
}

async fn hold(p: &Platform, who: &Session, event: &str, tier: &str, token: Option<&str>) -> (u16, Value) {
    let body = json!({"eventId": event, "tierId": tier, "quantity": 1});
    let headers: Vec<(&str, &str)> = token.map(|t| vec![("admission-token", t)]).unwrap_or_default();
    let answer = p.api.call_with_headers("POST", "/reservations", Some(&who.access_token), &headers, Some(body)).await;
    (answer.status, answer.body)
}

/// Waits until `t` while `waiting` ask for their status every 2 s, as the site does.
async fn keep_alive_until(p: &Platform, waiting: &[Session], event: &str, t: DateTime<Utc>) {
    while Utc::now() < t {
        futures::future::join_all(waiting.iter().map(|who| me(p, who, event))).await;
        let left = (t - Utc::now()).num_milliseconds().clamp(0, 2_000);
        tokio::time::sleep(Duration::from_millis(left as u64)).await;
    }
}

async fn sleep_until(t: DateTime<Utc>) {
    let left = (t - Utc::now()).num_milliseconds();
    if left > 0 {
        tokio::time::sleep(Duration::from_millis(left as u64)).await;
    }
}

#[tokio::test]
async fn the_pre_queue_is_drawn_at_the_opening_then_arrivals_queue_in_order_and_only_admitted_accounts_buy() {
    let p = platform();
    let organizer = p.organizer().await;
    // The accounts first (sign-ups are slow by design), so that the time before the
    // opening is the room's: what follows until it takes a few seconds.
    let early: Vec<Session> = p.attendees(10).await;
    let late: Vec<Session> = futures::future::join_all((0..3).map(|_| p.attendee())).await;
    let opens = Utc::now() + Span::seconds(20);
    // 30 a minute: a position every 2 s, so the last arrival (13) comes up 26 s
    // after the opening, well after the few requests that look at it.
    let (event, tier) = event_with_room(p, &organizer, opens, 30).await;

    // Before the opening: the pre-queue, no position yet; one place per account.
    for who in &early {
        let (status, body) = join(p, who, &event).await;
        assert!(Utc::now() < opens, "the joins before the opening took over 20 s: too slow to test the pre-queue");
        assert_eq!(status, 201, "{body:?}");
        assert_eq!(body["status"], "pre_queue", "{body:?}");
        assert!(body["position"].is_null(), "no order before the opening: {body:?}");
    }
    let (again, body) = join(p, &early[0], &event).await;
    assert_eq!((again, body["status"].as_str()), (200, Some("pre_queue")), "joining again keeps the place");
    // Nobody buys without being admitted.
    let (status, body) = hold(p, &early[0], &event, &tier, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("admission_required")), "{body:?}");
    let (status, body) = hold(p, &early[0], &event, &tier, Some("not.a.token")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("admission_invalid")), "{body:?}");
    let public = p.api.call("GET", &format!("/events/{event}/queue"), None, None).await;
    assert_eq!(public.status, 200, "{:?}", public.body);
    assert_eq!(public.body["status"], "before_opening");
    assert_eq!(public.headers["cache-control"], "public, max-age=5");

    // At the opening: the pre-queue's order is drawn, then later arrivals follow it, in order.
    keep_alive_until(p, &early, &event, opens + Span::milliseconds(200)).await;
    let mut drawn = Vec::new();
    for who in &early {
        let place = me(p, who, &event).await;
        let position = place["position"].as_u64().unwrap_or_else(|| panic!("a position once open: {place:?}"));
        assert!((1..=10).contains(&position), "{place:?}");
        drawn.push(position);
    }
    let mut sorted = drawn.clone();
    sorted.sort();
    assert_ne!(drawn, sorted, "the pre-queue is not served in joining order: {drawn:?}");
    let mut arrivals = Vec::new();
    for who in &late {
        let (status, body) = join(p, who, &event).await;
        assert_eq!(status, 201, "{body:?}");
        arrivals.push(body["position"].as_u64().unwrap());
    }
    assert_eq!(arrivals, vec![11, 12, 13], "after the opening, first come first served, after the pre-queue");

    // Admission at the room's pace: someone at the back waits, with an estimate.
    let last = me(p, &late[2], &event).await;
    assert_eq!(last["status"], "waiting", "{last:?}");
    assert!(last["estimatedWaitSeconds"].as_u64().unwrap() > 0, "{last:?}");
    assert!(last["admissionToken"].is_null());

    // The first drawn place is admitted within seconds: its token buys, for that
    // account (another account's token, or a token for another event, does not).
    // (Drawn positions are the draw's share of the pre-queue: two may share one.)
    let lowest = *drawn.iter().min().unwrap();
    let first = &early[drawn.iter().position(|&p| p == lowest).unwrap()];
    let admitted =
        p.poll_until(&format!("/events/{event}/queue/me"), &first.access_token, |b| b["status"] == "admitted").await;
    let token = admitted["admissionToken"].as_str().expect("a token once admitted").to_owned();
    let other = &early[drawn.iter().position(|&p| p == *drawn.iter().max().unwrap()).unwrap()];
    let (status, body) = hold(p, other, &event, &tier, Some(&token)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("admission_invalid")), "another account's token");
    let (other_event, other_tier) = event_with_room(p, &organizer, Utc::now() - Span::seconds(1), 120).await;
    let (status, body) = hold(p, first, &other_event, &other_tier, Some(&token)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("admission_invalid")), "another event's token");
    let tokens = AdmissionTokens::new(ADMISSION_KEY.as_bytes()).unwrap();
    let (expired, _) = tokens.issue(&first.user_id, &event, (Utc::now() - Span::minutes(10)).timestamp(), 60);
    let (status, body) = hold(p, first, &event, &tier, Some(&expired)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("admission_expired")), "{body:?}");
    let forger = AdmissionTokens::new(b"a key the platform does not have, 32+ bytes").unwrap();
    let (forged, _) = forger.issue(&first.user_id, &event, Utc::now().timestamp(), 60);
    let (status, body) = hold(p, first, &event, &tier, Some(&forged)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("admission_invalid")), "{body:?}");
    let (status, body) = hold(p, first, &event, &tier, Some(&token)).await;
    assert_eq!(status, 201, "the admitted account buys: {body:?}");

    // The public status moves on with time, the same for everyone.
    let public = p.api.call("GET", &format!("/events/{event}/queue"), None, None).await;
    assert_eq!(public.body["status"], "open");
    assert_eq!(public.body["preQueue"], 10);
    // The public seat figure follows the sale (summed from the shards as it streams in).
    let left = p.poll_until(&format!("/events/{event}/queue"), &first.access_token, |b| b["seatsLeft"] == 99).await;
    assert_eq!(left["seatsLeft"], 99);
    assert!(public.body["admittedThrough"].as_u64().unwrap() >= 1, "{:?}", public.body);
}

#[tokio::test]
async fn a_place_that_stops_asking_is_abandoned_and_joins_again_at_the_back() {
    let p = platform();
    let organizer = p.organizer().await;
    let opens = Utc::now() + Span::seconds(2);
    // 6 a minute: position 2 comes up 20 s after the opening.
    let (event, _) = event_with_room(p, &organizer, opens, 6).await;
    let first = p.attendee().await;
    let quiet = p.attendee().await;
    sleep_until(opens + Span::milliseconds(200)).await;
    assert_eq!(join(p, &first, &event).await.1["position"], 1);
    let (_, place) = join(p, &quiet, &event).await;
    assert_eq!(place["position"], 2);
    // The quiet one does not ask for its status for longer than the room waits.
    tokio::time::sleep(Duration::from_secs(ABANDON_SECONDS as u64 + 2)).await;
    let gone = me(p, &quiet, &event).await;
    assert_eq!(gone["status"], "abandoned", "{gone:?}");
    let (status, again) = join(p, &quiet, &event).await;
    assert_eq!(status, 201, "a new place: {again:?}");
    assert_eq!(again["position"], 3, "at the back");
    assert_eq!(again["status"], "waiting");
}
