//! An organizer's team: a manager runs the organizer's events (but not the team),
//! a viewer reads sales and participants, a door member checks tickets in and reads
//! nothing else; a member removed, or given another part, has their rights changed
//! on their very next request, with the same token.

use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(Platform::start)
}

async fn add(p: &Platform, organizer: &Session, member: &Session, role: &str) -> platform_tests::Answer {
    let body = json!({"email": member.email, "role": role});
    p.api.call("POST", "/organizers/me/members", Some(&organizer.access_token), Some(body)).await
}

async fn status(p: &Platform, who: &Session, method: &str, path: &str, body: Option<Value>) -> u16 {
    p.api.call(method, path, Some(&who.access_token), body).await.status
}

/// A confirmed booking of one ticket; its code.
async fn one_ticket(p: &Platform, event: &str, tier: &str) -> String {
    let buyer = p.attendee().await;
    let body = json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap();
    let done = p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    done["tickets"][0]["code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn each_member_does_what_their_part_allows_and_no_more() {
    let p = platform();
    let owner = p.organizer().await;
    let (event, tier) = p.event_on_sale(&owner, 10).await;
    let codes = [one_ticket(p, &event, &tier).await, one_ticket(p, &event, &tier).await];
    let (manager, viewer, door, stranger) =
        (p.attendee().await, p.attendee().await, p.attendee().await, p.attendee().await);
    for (member, role) in [(&manager, "manager"), (&viewer, "viewer"), (&door, "door")] {
        let added = add(p, &owner, member, role).await;
        assert_eq!(added.status, 201, "{:?}", added.body);
        assert_eq!(added.body["role"], role);
        assert_eq!(added.body["userId"], member.user_id.as_str());
    }
    let team = p.api.call("GET", "/organizers/me/members", Some(&owner.access_token), None).await;
    assert_eq!(team.body["members"].as_array().map(Vec::len), Some(3), "{:?}", team.body);
    let me = p.api.call("GET", "/users/me", Some(&door.access_token), None).await;
    assert_eq!(me.body["team"], json!({"organizationId": owner.user_id, "role": "door"}), "{:?}", me.body);

    let participants = format!("/events/{event}/participants");
    let edit = || Some(json!({"title": format!("Renamed {}", uuid::Uuid::new_v4().simple())}));
    let event_path = format!("/events/{event}");
    // The viewer reads sales and participants, and changes nothing.
    assert_eq!(status(p, &viewer, "GET", &participants, None).await, 200);
    assert_eq!(status(p, &viewer, "GET", &format!("/events/{event}/sales-over-time"), None).await, 200);
    assert_eq!(status(p, &viewer, "PATCH", &event_path, edit()).await, 403);
    assert_eq!(
        status(p, &viewer, "POST", &format!("/events/{event}/check-ins"), Some(json!({"code": codes[0]}))).await,
        403
    );
    // The door member checks tickets in, and reads no participant.
    assert_eq!(status(p, &door, "GET", &participants, None).await, 403, "a door member cannot read participants");
    assert_eq!(status(p, &door, "PATCH", &event_path, edit()).await, 403);
    let scanned = p.scan(&door.access_token, &event, &codes[0]).await;
    assert_eq!((scanned.status, scanned.body["result"].clone()), (200, json!("admitted")), "{:?}", scanned.body);
    // The door member's scanner lists the organizer's events; the viewer's does not.
    let door_events = p.api.call("GET", "/users/me/door-events", Some(&door.access_token), None).await;
    let listed = door_events.body["events"].as_array().cloned().unwrap_or_default();
    assert!(listed.iter().any(|e| e["eventId"] == event.as_str() && e["as"] == "team"), "{:?}", door_events.body);
    let viewer_events = p.api.call("GET", "/users/me/door-events", Some(&viewer.access_token), None).await;
    assert_eq!(viewer_events.body["events"], json!([]), "{:?}", viewer_events.body);
    // The manager runs the events: edits, codes, new events (the organizer's), but not the team.
    assert_eq!(status(p, &manager, "PATCH", &event_path, edit()).await, 200);
    let code = json!({"code": "TEAM10", "percentOff": 10});
    assert_eq!(status(p, &manager, "POST", &format!("/events/{event}/promo-codes"), Some(code)).await, 201);
    let year = 1 + chrono::Datelike::year(&chrono::Utc::now());
    let new_event = json!({
        "title": "Made by the manager", "category": "concert", "timezone": "Europe/Paris", "currency": "EUR",
        "startsAt": format!("{year}-07-01T20:00:00+02:00"),
        "tiers": [{"name": "Standard", "priceMinor": 2000, "capacity": 10, "maxPerOrder": 4}]
    });
    let made = p.api.call("POST", "/events", Some(&manager.access_token), Some(new_event)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let listed = p.api.call("GET", "/organizers/me/events", Some(&owner.access_token), None).await;
    assert!(
        listed.body["items"].as_array().unwrap().iter().any(|e| e["id"] == made.body["id"]),
        "the team's event is the organizer's: {:?}",
        listed.body
    );
    assert_eq!(add(p, &manager, &stranger, "viewer").await.status, 403, "the team is the organizer's alone");
    // Someone outside the team learns nothing.
    assert_eq!(status(p, &stranger, "GET", &participants, None).await, 403);
    assert_eq!(status(p, &viewer, "POST", "/events", Some(json!({"title": "Not theirs"}))).await, 403);
}

#[tokio::test]
async fn a_removed_or_changed_member_is_refused_on_their_next_request() {
    let p = platform();
    let owner = p.organizer().await;
    let (event, tier) = p.event_on_sale(&owner, 10).await;
    let code = one_ticket(p, &event, &tier).await;
    let (viewer, door) = (p.attendee().await, p.attendee().await);
    assert_eq!(add(p, &owner, &viewer, "viewer").await.status, 201);
    assert_eq!(add(p, &owner, &door, "door").await.status, 201);
    let participants = format!("/events/{event}/participants");
    assert_eq!(status(p, &viewer, "GET", &participants, None).await, 200);

    // Removed: the same token is refused at once.
    let removed = p
        .api
        .call("DELETE", &format!("/organizers/me/members/{}", viewer.user_id), Some(&owner.access_token), None)
        .await;
    assert_eq!(removed.status, 204, "{:?}", removed.body);
    // 404 while the gateway still holds the authorizer's answer for this token (the
    // team read again says they are a stranger), 403 once it asks again (no team).
    let after = status(p, &viewer, "GET", &participants, None).await;
    assert!(matches!(after, 403 | 404), "a removed member is refused at once: {after}");
    let again = p
        .api
        .call("DELETE", &format!("/organizers/me/members/{}", viewer.user_id), Some(&owner.access_token), None)
        .await;
    assert_eq!(again.status, 404);

    // Another part: the door member made a viewer can no longer check in, and now reads participants.
    let changed = add(p, &owner, &door, "viewer").await;
    assert_eq!((changed.status, changed.body["role"].clone()), (200, json!("viewer")), "{:?}", changed.body);
    let refused = p
        .api
        .call("POST", &format!("/events/{event}/check-ins"), Some(&door.access_token), Some(json!({"code": code})))
        .await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(status(p, &door, "GET", &participants, None).await, 200);

    // One team at a time; nobody unknown; never the organizer themselves.
    let other = p.organizer().await;
    let taken = add(p, &other, &door, "door").await;
    assert_eq!(
        (taken.status, taken.body["error"]["code"].clone()),
        (409, json!("in_another_team")),
        "{:?}",
        taken.body
    );
    let unknown = p
        .api
        .call(
            "POST",
            "/organizers/me/members",
            Some(&owner.access_token),
            Some(json!({"email": platform_tests::unique_email("nobody"), "role": "door"})),
        )
        .await;
    assert_eq!((unknown.status, unknown.body["error"]["code"].clone()), (404, json!("no_account")));
    assert_eq!(add(p, &owner, &owner, "manager").await.status, 409);
    let bad = p
        .api
        .call(
            "POST",
            "/organizers/me/members",
            Some(&owner.access_token),
            Some(json!({"email": door.email, "role": "owner"})),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    // An attendee has no team to add to.
    assert_eq!(add(p, &door, &viewer, "door").await.status, 403);
}
