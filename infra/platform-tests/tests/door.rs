//! Admitted once, at the door: eight gates scanning one ticket at the same instant
//! admit it once; door staff act only at their own event and lose the right the
//! moment it is revoked; an offline scanner's batch gets an answer per scan (a
//! duplicate, an unknown, a cancelled and a forged code among them), and uploading
//! it again changes nothing.

use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static PLATFORM: OnceLock<Platform> = OnceLock::new();

/// One platform for this file's tests (each test makes its own events and people).
fn platform() -> &'static Platform {
    PLATFORM.get_or_init(|| Platform::start_with(&["--max-instances", "8"]))
}

/// A ticket as its holder sees it: the bare code and the signed one the QR shows.
#[derive(Debug, Clone)]
struct Ticket {
    code: String,
    qr: String,
}

/// Buys `quantity` seats of the tier with the test card and waits for the tickets.
async fn buy(p: &Platform, buyer: &Session, event: &str, tier: &str, quantity: u32) -> (String, Vec<Ticket>) {
    let order = json!({"eventId": event, "tierId": tier, "quantity": quantity, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(order)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    let confirmed =
        p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    let tickets = confirmed["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| Ticket {
            code: t["code"].as_str().unwrap().to_owned(),
            qr: t["qr"].as_str().expect("the holder's view carries the signed code").to_owned(),
        })
        .collect::<Vec<_>>();
    assert_eq!(tickets.len(), quantity as usize);
    (id, tickets)
}

/// Waits until the door's list shows each code in `state` (the door hears of
/// tickets from the reservations' stream, a moment after the commit).
async fn door_knows(p: &Platform, token: &str, event: &str, codes: &[&str], state: &str) {
    let started = Instant::now();
    loop {
        let list = p.api.call("GET", &format!("/events/{event}/door/tickets"), Some(token), None).await;
        assert_eq!(list.status, 200, "{:?}", list.body);
        let states: Vec<(String, String)> = list.body["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["code"].as_str().unwrap().to_owned(), t["state"].as_str().unwrap().to_owned()))
            .collect();
        if codes.iter().all(|c| states.iter().any(|(code, s)| code == c && s == state)) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the door never saw {codes:?} {state}: {states:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn scan(p: &Platform, token: &str, event: &str, body: Value) -> platform_tests::Answer {
    p.api.call("POST", &format!("/events/{event}/check-ins"), Some(token), Some(body)).await
}

#[tokio::test]
async fn eight_gates_scanning_one_ticket_at_the_same_instant_admit_it_once() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let (_, tickets) = buy(p, &buyer, &event, &tier, 2).await;
    door_knows(p, &organizer.access_token, &event, &[&tickets[0].code, &tickets[1].code], "valid").await;

    let scans = (0..8).map(|gate| {
        let body = json!({"code": tickets[0].qr, "gate": format!("Gate {gate}"), "device": format!("phone-{gate}")});
        scan(p, &organizer.access_token, &event, body)
    });
    let answers = futures::future::join_all(scans).await;
    let admitted: Vec<&platform_tests::Answer> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(
        admitted.len(),
        1,
        "one gate admits: {:?}",
        answers.iter().map(|a| (a.status, &a.body)).collect::<Vec<_>>()
    );
    let winner = &admitted[0].body;
    assert_eq!(winner["result"], "admitted");
    assert_eq!(winner["ticket"]["code"], tickets[0].code.as_str());
    assert_eq!(winner["ticket"]["holder"], "Test Person");
    for refused in answers.iter().filter(|a| a.status != 200) {
        assert_eq!(
            (refused.status, refused.body["error"]["code"].as_str()),
            (409, Some("already_admitted")),
            "{:?}",
            refused.body
        );
        assert_eq!(
            refused.body["error"]["admission"]["gate"], winner["gate"],
            "each refusal names the first admission"
        );
    }

    // The bare code typed by hand is the same ticket; the other ticket still enters.
    let typed = scan(p, &organizer.access_token, &event, json!({"code": tickets[0].code})).await;
    assert_eq!((typed.status, typed.body["error"]["code"].as_str()), (409, Some("already_admitted")));
    let second = scan(p, &organizer.access_token, &event, json!({"code": tickets[1].qr, "gate": "Gate 0"})).await;
    assert_eq!(second.status, 200, "{:?}", second.body);

    let summary =
        p.api.call("GET", &format!("/events/{event}/check-ins/summary"), Some(&organizer.access_token), None).await;
    assert_eq!(summary.status, 200, "{:?}", summary.body);
    assert_eq!(summary.body["admitted"], 2, "{:?}", summary.body);
    assert_eq!(summary.body["tiers"][0]["admitted"], 2);
    let gates: i64 = summary.body["gates"].as_array().unwrap().iter().map(|g| g["admitted"].as_i64().unwrap()).sum();
    assert_eq!(gates, 2, "{:?}", summary.body);
}

#[tokio::test]
async fn door_staff_scan_only_at_their_own_event_and_a_revoked_grant_stops_at_once() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event_a, tier_a) = p.event_on_sale(&organizer, 10).await;
    let (event_b, tier_b) = p.event_on_sale(&organizer, 10).await;
    let steward = p.attendee().await;
    let buyer = p.attendee().await;
    let (_, at_a) = buy(p, &buyer, &event_a, &tier_a, 2).await;
    let (_, at_b) = buy(p, &buyer, &event_b, &tier_b, 1).await;

    // Nobody but the organizer sets up the door; an unknown email is named as such.
    let path = format!("/events/{event_a}/staff");
    let unknown = p
        .api
        .call("POST", &path, Some(&organizer.access_token), Some(json!({"email": "nobody-here@example.com"})))
        .await;
    assert_eq!(
        (unknown.status, unknown.body["error"]["code"].as_str()),
        (404, Some("no_account")),
        "{:?}",
        unknown.body
    );
    let by_stranger = p.api.call("POST", &path, Some(&buyer.access_token), Some(json!({"email": steward.email}))).await;
    assert_eq!(by_stranger.status, 403, "{:?}", by_stranger.body);
    let granted = p
        .api
        .call("POST", &path, Some(&organizer.access_token), Some(json!({"email": steward.email.to_uppercase()})))
        .await;
    assert_eq!(granted.status, 201, "{:?}", granted.body);
    assert_eq!(granted.body["userId"], steward.user_id.as_str());

    let mine = p.api.call("GET", "/users/me/door-events", Some(&steward.access_token), None).await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    let events: Vec<&str> =
        mine.body["events"].as_array().unwrap().iter().map(|e| e["eventId"].as_str().unwrap()).collect();
    assert_eq!(events, [event_a.as_str()]);

    door_knows(p, &steward.access_token, &event_a, &[&at_a[0].code, &at_a[1].code], "valid").await;
    let admitted = scan(p, &steward.access_token, &event_a, json!({"code": at_a[0].qr})).await;
    assert_eq!(admitted.status, 200, "{:?}", admitted.body);
    // Event B's ticket at event A is another event's; staff of A at B are refused.
    let foreign = scan(p, &steward.access_token, &event_a, json!({"code": at_b[0].qr})).await;
    assert_eq!(
        (foreign.status, foreign.body["error"]["code"].as_str()),
        (409, Some("wrong_event")),
        "{:?}",
        foreign.body
    );
    let at_other = scan(p, &steward.access_token, &event_b, json!({"code": at_b[0].qr})).await;
    assert_eq!(at_other.status, 403, "{:?}", at_other.body);
    let summary_b =
        p.api.call("GET", &format!("/events/{event_b}/check-ins/summary"), Some(&steward.access_token), None).await;
    assert_eq!(summary_b.status, 403);
    // Door staff scan and count; they do not run the door, nor see the participants.
    let setup = p
        .api
        .call("PUT", &format!("/events/{event_a}/door"), Some(&steward.access_token), Some(json!({"reentry": true})))
        .await;
    assert_eq!(setup.status, 403, "{:?}", setup.body);
    let staff_list = p.api.call("GET", &path, Some(&steward.access_token), None).await;
    assert_eq!(staff_list.status, 403);
    let participants =
        p.api.call("GET", &format!("/events/{event_a}/participants"), Some(&steward.access_token), None).await;
    assert!(matches!(participants.status, 403 | 404), "{:?}", participants.body);

    let revoked =
        p.api.call("DELETE", &format!("{path}/{}", steward.user_id), Some(&organizer.access_token), None).await;
    assert_eq!(revoked.status, 204, "{:?}", revoked.body);
    let after = scan(p, &steward.access_token, &event_a, json!({"code": at_a[1].qr})).await;
    assert_eq!(after.status, 403, "revoked at once: {:?}", after.body);
}

#[tokio::test]
async fn an_offline_batch_answers_each_scan_and_uploading_it_again_changes_nothing() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let (_, tickets) = buy(p, &buyer, &event, &tier, 2).await;
    let (cancelled_id, cancelled) = buy(p, &buyer, &event, &tier, 1).await;
    let cancel = p.api.call("DELETE", &format!("/reservations/{cancelled_id}"), Some(&buyer.access_token), None).await;
    assert_eq!(cancel.status, 200, "{:?}", cancel.body);
    let reread = p.api.call("GET", &format!("/reservations/{cancelled_id}"), Some(&buyer.access_token), None).await;
    assert_eq!(reread.body["tickets"], json!([]), "a cancelled reservation shows no codes");
    let token = &organizer.access_token;
    door_knows(p, token, &event, &[&tickets[0].code, &tickets[1].code], "valid").await;
    door_knows(p, token, &event, &[&cancelled[0].code], "cancelled").await;

    // A forged pass: the second ticket's signed code with another code in its payload.
    let parts: Vec<&str> = tickets[1].qr.split('.').collect();
    let claims = json!({"e": event, "t": "AAAAAAAAAAAAAAAAAAAAAA"}).to_string();
    use base64::Engine;
    let forged =
        format!("{}.{}.{}", parts[0], base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims), parts[2]);
    let batch = json!({"scans": [
        {"scanId": "a1", "code": tickets[0].qr, "scannedAt": "2026-12-01T18:00:00Z", "gate": "Nord", "device": "phone-1"},
        {"scanId": "a2", "code": tickets[0].code, "scannedAt": "2026-12-01T18:00:30Z", "gate": "Sud", "device": "phone-2"},
        {"scanId": "a3", "code": "ZZZZZZZZZZZZZZZZZZZZZZ", "scannedAt": "2026-12-01T18:01:00Z"},
        {"scanId": "a4", "code": cancelled[0].qr, "scannedAt": "2026-12-01T18:02:00Z"},
        {"scanId": "a5", "code": forged, "scannedAt": "2026-12-01T18:03:00Z"},
        {"scanId": "a6", "code": tickets[1].qr, "scannedAt": "2026-12-01T18:04:00Z", "gate": "Nord"},
    ]});
    let path = format!("/events/{event}/check-ins/batch");
    let first = p.api.call("POST", &path, Some(token), Some(batch.clone())).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let answers: Vec<(String, String, String)> = first.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (text(&r["scanId"]), text(&r["result"]), text(&r["code"]))
        })
        .collect();
    let expected = [
        ("a1", "admitted", ""),
        ("a2", "duplicate", "already_admitted"),
        ("a3", "refused", "unknown_ticket"),
        ("a4", "refused", "ticket_cancelled"),
        ("a5", "refused", "forged_code"),
        ("a6", "admitted", ""),
    ];
    let expected: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(answers, expected, "{:?}", first.body);
    let duplicate = &first.body["results"][1];
    assert_eq!(duplicate["admission"]["scanId"], "a1");
    assert_eq!(duplicate["admission"]["admittedAt"], "2026-12-01T18:00:00Z", "admitted when the holder walked in");

    let again = p.api.call("POST", &path, Some(token), Some(batch)).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body, first.body, "the same answers again");
    let summary = p.api.call("GET", &format!("/events/{event}/check-ins/summary"), Some(token), None).await;
    assert_eq!(summary.body["admitted"], 2, "counted once: {:?}", summary.body);
    // Online, the batch's admissions hold: the same ticket at a gate now is a duplicate.
    let now = scan(p, token, &event, json!({"code": tickets[1].code})).await;
    assert_eq!((now.status, now.body["error"]["code"].as_str()), (409, Some("already_admitted")));
}

#[tokio::test]
async fn a_transfer_gives_new_codes_the_old_are_refused_at_the_door_and_both_holders_are_told() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let friend = p.attendee().await;
    let (id, old) = buy(p, &buyer, &event, &tier, 2).await;
    let path = format!("/reservations/{id}/transfer");

    let nobody =
        p.api.call("POST", &path, Some(&buyer.access_token), Some(json!({"email": "nobody-here@example.com"}))).await;
    assert_eq!((nobody.status, nobody.body["error"]["code"].as_str()), (404, Some("no_account")), "{:?}", nobody.body);
    let by_stranger = p.api.call("POST", &path, Some(&friend.access_token), Some(json!({"email": friend.email}))).await;
    assert_eq!(by_stranger.status, 404, "only the holder: {:?}", by_stranger.body);
    // The organizer turns transfers off, then on again.
    let event_path = format!("/events/{event}");
    let off =
        p.api.call("PATCH", &event_path, Some(&organizer.access_token), Some(json!({"ticketTransfers": "off"}))).await;
    assert_eq!((off.status, off.body["ticketTransfers"].as_str()), (200, Some("off")), "{:?}", off.body);
    let refused = p.api.call("POST", &path, Some(&buyer.access_token), Some(json!({"email": friend.email}))).await;
    assert_eq!(
        (refused.status, refused.body["error"]["code"].as_str()),
        (409, Some("transfers_off")),
        "{:?}",
        refused.body
    );
    let on = p
        .api
        .call("PATCH", &event_path, Some(&organizer.access_token), Some(json!({"ticketTransfers": "allowed"})))
        .await;
    assert_eq!(on.status, 200, "{:?}", on.body);

    let moved = p.api.call("POST", &path, Some(&buyer.access_token), Some(json!({"email": friend.email}))).await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(moved.body["tickets"], json!([]), "the former holder sees no codes");
    let gone = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
    assert_eq!(gone.status, 404, "no longer the buyer's");
    let theirs =
        p.poll_until(&format!("/reservations/{id}"), &friend.access_token, |r| r["status"] == "confirmed").await;
    let new: Vec<Ticket> = theirs["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| Ticket { code: t["code"].as_str().unwrap().into(), qr: t["qr"].as_str().unwrap().into() })
        .collect();
    assert_eq!(new.len(), 2);
    assert!(new.iter().all(|n| old.iter().all(|o| o.code != n.code)), "new codes");

    let token = &organizer.access_token;
    door_knows(p, token, &event, &[&old[0].code, &old[1].code], "transferred").await;
    door_knows(p, token, &event, &[&new[0].code, &new[1].code], "valid").await;
    let old_scan = scan(p, token, &event, json!({"code": old[0].qr})).await;
    assert_eq!(
        (old_scan.status, old_scan.body["error"]["code"].as_str()),
        (409, Some("ticket_transferred")),
        "{:?}",
        old_scan.body
    );
    let new_scan = scan(p, token, &event, json!({"code": new[0].qr})).await;
    assert_eq!(new_scan.status, 200, "{:?}", new_scan.body);

    // Both are told, once each; a used ticket is not handed on again.
    let to_buyer = p.wait_for_emails(&buyer.email, 2).await;
    assert!(to_buyer.iter().any(|e| e["subject"].as_str().is_some_and(|s| s.contains("handed on"))), "{to_buyer:?}");
    let to_friend = p.wait_for_emails(&friend.email, 1).await;
    assert!(
        to_friend.iter().any(|e| e["subject"].as_str().is_some_and(|s| s.contains("given to you"))),
        "{to_friend:?}"
    );
    let again = p.api.call("POST", &path, Some(&friend.access_token), Some(json!({"email": buyer.email}))).await;
    assert_eq!(
        (again.status, again.body["error"]["code"].as_str()),
        (409, Some("already_checked_in")),
        "{:?}",
        again.body
    );
}

#[tokio::test]
async fn a_french_browser_signs_up_in_french_and_gets_its_emails_in_french() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let email = platform_tests::unique_email("francais");
    let body = json!({"email": email, "password": platform_tests::PASSWORD, "displayName": "Camille"});
    let headers = [("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")];
    let registered = p.api.call_with_headers("POST", "/auth/register", None, &headers, Some(body)).await;
    assert_eq!((registered.status, registered.body["language"].as_str()), (201, Some("fr")), "{:?}", registered.body);
    let login = p.login(&email, platform_tests::PASSWORD).await;
    let token = login.body["accessToken"].as_str().unwrap().to_owned();
    let buyer = Session {
        user_id: registered.body["id"].as_str().unwrap().into(),
        email: email.clone(),
        password: platform_tests::PASSWORD.into(),
        access_token: token.clone(),
        refresh_token: String::new(),
    };
    buy(p, &buyer, &event, &tier, 1).await;
    let emails = p.wait_for_emails(&email, 1).await;
    let subject = emails[0]["subject"].as_str().unwrap_or_default();
    assert!(subject.starts_with("Vos billets pour"), "{:?}", emails[0]);
    let text = emails[0]["body"].to_string();
    assert!(text.contains("Bonjour Camille"), "{:?}", emails[0]);

    // An English speaker on the same machine: the account's choice wins over the browser.
    let switched = p.api.call("PATCH", "/users/me", Some(&token), Some(json!({"language": "en"}))).await;
    assert_eq!((switched.status, switched.body["language"].as_str()), (200, Some("en")), "{:?}", switched.body);
    let bad = p.api.call("PATCH", "/users/me", Some(&token), Some(json!({"language": "klingon"}))).await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
}

#[tokio::test]
async fn the_holder_downloads_a_pdf_page_per_ticket_and_a_calendar_file_nobody_else_does() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let (id, tickets) = buy(p, &buyer, &event, &tier, 2).await;

    let (status, headers, pdf) = p.api.get_bytes(&format!("/reservations/{id}/tickets.pdf"), &buyer.access_token).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(headers["content-type"], "application/pdf");
    let document = lopdf::Document::load_mem(&pdf).expect("a PDF a reader opens");
    assert_eq!(document.get_pages().len(), 2, "a page per ticket");
    for (page, ticket) in [1, 2].into_iter().zip(&tickets) {
        let text = document.extract_text(&[page]).unwrap();
        assert!(text.contains(&ticket.code) && text.contains("Standard") && text.contains("Test Person"), "{text}");
        assert!(text.contains("Europe/Paris"), "the time where the event is: {text}");
    }

    let (status, headers, ics) =
        p.api.get_bytes(&format!("/reservations/{id}/calendar.ics"), &buyer.access_token).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = String::from_utf8(ics).unwrap();
    let calendar: icalendar::Calendar = ics.parse().expect("an iCalendar parser reads it");
    use icalendar::{Component, EventLike};
    let entry = calendar.components.iter().find_map(|c| c.as_event()).expect("a VEVENT");
    assert!(entry.get_summary().is_some_and(|s| s.starts_with("On sale")), "{ics}");
    assert!(ics.contains("DTSTART;TZID=Europe/Paris:") && ics.contains("T200000\r\n"), "20:00 in Paris: {ics}");
    assert!(entry.get_location().is_some_and(|l| l.contains("Lyon")), "{ics}");

    let stranger = p.attendee().await;
    for file in ["tickets.pdf", "calendar.ics"] {
        let (status, _, _) = p.api.get_bytes(&format!("/reservations/{id}/{file}"), &stranger.access_token).await;
        assert_eq!(status, 404, "{file} is the holder's alone");
        let (status, _, _) = p.api.get_bytes(&format!("/reservations/{id}/{file}"), &organizer.access_token).await;
        assert_eq!(status, 404, "{file}: not the organizer's either");
    }
}
