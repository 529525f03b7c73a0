//! Promo, presale and access codes, attacked as a sale would: a code limited to 10
//! tickets under 50 concurrent orders discounts exactly 10 (its uses are counted in
//! the hold's transaction); a hold that ends unsold (a declined card, a cancellation
//! before payment) gives its use back; the discounted amount is what is charged; a
//! hidden tier is unseen and sold only with a code naming it.

use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::Duration;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(Platform::start)
}

async fn create_code(p: &Platform, organizer: &Session, event: &str, body: Value) -> Value {
    let made =
        p.api.call("POST", &format!("/events/{event}/promo-codes"), Some(&organizer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    made.body
}

fn order(event: &str, tier: &str, code: Option<&str>, card: &str) -> Value {
    let mut body = json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": card});
    if let Some(code) = code {
        body["promoCode"] = json!(code);
    }
    body
}

/// An order as a buyer's app sends it: a 503 (`busy`) is retried after a pause.
async fn place(p: &Platform, buyer: &Session, body: Value) -> platform_tests::Answer {
    for _ in 0..40 {
        let answer = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body.clone())).await;
        if answer.status != 503 {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the tier stayed busy for 40 tries");
}

async fn uses_of(p: &Platform, organizer: &Session, event: &str, code: &str) -> u64 {
    let listed = p.api.call("GET", &format!("/events/{event}/promo-codes"), Some(&organizer.access_token), None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let codes = listed.body["promoCodes"].as_array().expect("promoCodes").clone();
    let found = codes.iter().find(|c| c["code"] == code).unwrap_or_else(|| panic!("{code} not in {codes:?}"));
    found["uses"].as_u64().expect("uses")
}

#[tokio::test]
async fn a_code_limited_to_ten_discounts_exactly_ten_of_fifty_concurrent_orders() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 100).await;
    create_code(p, &organizer, &event, json!({"code": "Fans10", "percentOff": 20, "maxUses": 10})).await;
    let buyers = futures::future::join_all((0..5).map(|_| p.attendee())).await;
    // 50 orders at once, typed in any case.
    let answers = futures::future::join_all((0..50).map(|i| {
        let buyer = &buyers[i % buyers.len()];
        let code = if i % 2 == 0 { "fans10" } else { "FANS10" };
        place(p, buyer, order(&event, &tier, Some(code), "pm_card_visa"))
    }))
    .await;
    let held: Vec<&Value> = answers.iter().filter(|a| a.status == 201).map(|a| &a.body).collect();
    let used_up = answers.iter().filter(|a| a.status == 409 && a.body["error"]["code"] == "promo_code_used_up").count();
    assert_eq!(
        (held.len(), used_up),
        (10, 40),
        "{:?}",
        answers.iter().filter(|a| a.status != 201).map(|a| &a.body).collect::<Vec<_>>()
    );
    for r in &held {
        assert_eq!(r["amountMinor"], 2000, "{r}");
        assert_eq!(r["promo"], json!({"code": "Fans10", "originalAmountMinor": 2500, "discountMinor": 500}), "{r}");
    }
    assert_eq!(uses_of(p, &organizer, &event, "Fans10").await, 10);
    assert_eq!(p.runner.tier_seats(&event, &tier).await.available, 90, "ten seats held, none more");
    // Without the code the order goes through at full price.
    let full = place(p, &buyers[0], order(&event, &tier, None, "pm_card_visa")).await;
    assert_eq!((full.status, full.body["amountMinor"].clone()), (201, json!(2500)), "{:?}", full.body);
    // What is charged is the discounted amount.
    let id = held[0]["id"].as_str().unwrap();
    let path = format!("/reservations/{id}");
    let mut owner = None;
    for buyer in &buyers {
        if p.api.call("GET", &path, Some(&buyer.access_token), None).await.status == 200 {
            owner = Some(buyer);
        }
    }
    let owner = owner.expect("one of the buyers holds it");
    p.poll_until(&path, &owner.access_token, |r| r["status"] == "confirmed").await;
    let charges = p.charges_of(id).await;
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert_eq!(charges[0]["amount"], 2000, "{:?}", charges[0]);
}

#[tokio::test]
async fn a_hold_that_ends_unsold_gives_its_use_back_and_a_sale_keeps_it() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    create_code(p, &organizer, &event, json!({"code": "ONCE", "amountOffMinor": 1000, "maxUses": 1})).await;
    let (first, second) = (p.attendee().await, p.attendee().await);

    // A declined card: the hold ends as payment_failed and the use comes back.
    let declined = place(p, &first, order(&event, &tier, Some("once"), "pm_card_chargeCustomerFail")).await;
    assert_eq!(declined.status, 201, "{:?}", declined.body);
    let refused = place(p, &second, order(&event, &tier, Some("ONCE"), "pm_card_visa")).await;
    assert_eq!(refused.status, 409, "the only use is held: {:?}", refused.body);
    assert_eq!(refused.body["error"]["code"], "promo_code_used_up");
    let id = declined.body["id"].as_str().unwrap();
    p.poll_until(&format!("/reservations/{id}"), &first.access_token, |r| r["status"] == "payment_failed").await;
    assert_eq!(uses_of(p, &organizer, &event, "ONCE").await, 0, "the declined hold gave its use back");

    // A hold cancelled before payment (the card waits for 3-D Secure) gives it back too.
    let challenged_card = p.card("4000002760003184").await;
    let waiting = place(p, &second, order(&event, &tier, Some("ONCE"), &challenged_card)).await;
    assert_eq!(waiting.status, 201, "{:?}", waiting.body);
    assert_eq!(waiting.body["amountMinor"], 1500);
    let id = waiting.body["id"].as_str().unwrap();
    let path = format!("/reservations/{id}");
    p.poll_until(&path, &second.access_token, |r| r["payment"]["status"] == "requires_action").await;
    let cancelled = p.api.call("DELETE", &path, Some(&second.access_token), None).await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(uses_of(p, &organizer, &event, "ONCE").await, 0, "the cancelled hold gave its use back");

    // A sale keeps its use.
    let sold = place(p, &first, order(&event, &tier, Some("ONCE"), "pm_card_visa")).await;
    assert_eq!(sold.status, 201, "{:?}", sold.body);
    let id = sold.body["id"].as_str().unwrap();
    p.poll_until(&format!("/reservations/{id}"), &first.access_token, |r| r["status"] == "confirmed").await;
    assert_eq!(uses_of(p, &organizer, &event, "ONCE").await, 1);
    let again = place(p, &second, order(&event, &tier, Some("ONCE"), "pm_card_visa")).await;
    assert_eq!(again.body["error"]["code"], "promo_code_used_up", "{:?}", again.body);
}

#[tokio::test]
async fn a_hidden_tier_is_unseen_and_sold_only_with_a_code_naming_it() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, public_tier) = p.event_on_sale(&organizer, 10).await;
    // Add a members' presale tier, hidden.
    let tiers = json!([
        {"id": public_tier, "name": "Standard", "priceMinor": 2500, "capacity": 10, "maxPerOrder": 4},
        {"name": "Members presale", "priceMinor": 2000, "capacity": 5, "maxPerOrder": 2, "hidden": true}
    ]);
    let updated = p
        .api
        .call("PATCH", &format!("/events/{event}"), Some(&organizer.access_token), Some(json!({"tiers": tiers})))
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let hidden = updated.body["tiers"].as_array().unwrap().iter().find(|t| t["hidden"] == true).expect("hidden tier");
    let hidden_tier = hidden["id"].as_str().unwrap().to_owned();

    let buyer = p.attendee().await;
    let public = p.api.call("GET", &format!("/events/{event}"), Some(&buyer.access_token), None).await;
    let listed: Vec<&Value> = public.body["tiers"].as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 1, "the public sees the standard tier only: {listed:?}");
    assert!(!public.body.to_string().contains(&hidden_tier));

    create_code(p, &organizer, &event, json!({"code": "SUMMER", "percentOff": 10})).await;
    create_code(p, &organizer, &event, json!({"code": "MEMBERS", "tierIds": [hidden_tier]})).await;
    // Without a code, or with one that does not name the tier: no such tier.
    let bare = place(p, &buyer, order(&event, &hidden_tier, None, "pm_card_visa")).await;
    assert_eq!(bare.status, 404, "{:?}", bare.body);
    let other = place(p, &buyer, order(&event, &hidden_tier, Some("SUMMER"), "pm_card_visa")).await;
    assert_eq!(other.status, 404, "{:?}", other.body);
    let unknown = place(p, &buyer, order(&event, &public_tier, Some("NOPE"), "pm_card_visa")).await;
    assert_eq!((unknown.status, unknown.body["error"]["code"].clone()), (422, json!("promo_code_unknown")));

    // The buyer checks the code and finds the presale.
    let checked =
        p.api.call("GET", &format!("/events/{event}/promo-codes/members"), Some(&buyer.access_token), None).await;
    assert_eq!(checked.status, 200, "{:?}", checked.body);
    let tiers = checked.body["tiers"].as_array().unwrap();
    assert_eq!(tiers.len(), 1, "{tiers:?}");
    assert_eq!((tiers[0]["id"].as_str(), tiers[0]["hidden"].as_bool()), (Some(hidden_tier.as_str()), Some(true)));
    let bought = place(p, &buyer, order(&event, &hidden_tier, Some("members"), "pm_card_visa")).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["amountMinor"], 2000, "an access code alone keeps the price");

    // The presale over, the organizer shows the tier to everyone.
    let shown = json!([
        {"id": public_tier, "name": "Standard", "priceMinor": 2500, "capacity": 10, "maxPerOrder": 4},
        {"id": hidden_tier, "name": "Members presale", "priceMinor": 2000, "capacity": 5, "maxPerOrder": 2}
    ]);
    let updated = p
        .api
        .call("PATCH", &format!("/events/{event}"), Some(&organizer.access_token), Some(json!({"tiers": shown})))
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let public = p.api.call("GET", &format!("/events/{event}"), Some(&buyer.access_token), None).await;
    assert_eq!(public.body["tiers"].as_array().unwrap().len(), 2, "{:?}", public.body);
    // (The offer is cached for a few seconds per instance: the buyer's retry finds it.)
    let started = std::time::Instant::now();
    loop {
        let open = place(p, &buyer, order(&event, &hidden_tier, None, "pm_card_visa")).await;
        if open.status == 201 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{:?}", open.body);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn codes_are_the_organizers_unique_per_event_and_refused_outside_their_window() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let path = format!("/events/{event}/promo-codes");
    create_code(
        p,
        &organizer,
        &event,
        json!({"code": "Early", "percentOff": 15,
        "validUntil": "2021-01-01T00:00:00Z"}),
    )
    .await;
    let twin =
        p.api.call("POST", &path, Some(&organizer.access_token), Some(json!({"code": "EARLY", "percentOff": 5}))).await;
    assert_eq!((twin.status, twin.body["error"]["code"].clone()), (409, json!("promo_code_exists")));
    let stranger = p.organizer().await;
    let foreign =
        p.api.call("POST", &path, Some(&stranger.access_token), Some(json!({"code": "MINE", "percentOff": 5}))).await;
    assert_eq!(foreign.status, 403, "{:?}", foreign.body);
    let listing = p.api.call("GET", &path, Some(&stranger.access_token), None).await;
    assert_eq!(listing.status, 403, "{:?}", listing.body);
    let bad = p
        .api
        .call(
            "POST",
            &path,
            Some(&organizer.access_token),
            Some(json!({"code": "x", "percentOff": 101, "maxUses": -1})),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let buyer = p.attendee().await;
    let expired = place(p, &buyer, order(&event, &tier, Some("early"), "pm_card_visa")).await;
    assert_eq!((expired.status, expired.body["error"]["code"].clone()), (422, json!("promo_code_expired")));
    let checked = p.api.call("GET", &format!("{path}/EARLY"), Some(&buyer.access_token), None).await;
    assert_eq!(checked.body["error"]["code"], "promo_code_expired", "{:?}", checked.body);
}
