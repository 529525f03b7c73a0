//! Waiting lists, attacked the way a sell-out would: five wait for a tier whose two
//! seats come back, exactly the first two are offered them (holds made by the
//! same transaction as any hold, so never more offers than seats), the one who
//! pays is charged once and admitted, the one who lets it lapse passes it to the
//! third; a storm of duplicate "seats freed" messages, handled by several
//! consumers at once, still makes one offer per freed seat.

use aws_sdk_dynamodb::types::AttributeValue;
use platform_tests::{Platform, Session};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::Duration;

static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> &'static Platform {
    // Several consumer instances at once: duplicate messages race each other.
    PLATFORM.get_or_init(|| Platform::start_with(&["--max-instances", "8"]))
}

fn list_path(event: &str, tier: &str) -> String {
    format!("/events/{event}/tiers/{tier}/waiting-list")
}

/// Books `quantity` seats for `buyer` and waits until the booking is confirmed; its id.
async fn book(p: &Platform, buyer: &Session, event: &str, tier: &str, quantity: u32) -> String {
    let body = json!({"eventId": event, "tierId": tier, "quantity": quantity, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] == "confirmed").await;
    id
}

/// Waits until the event's public view says the tier is sold out (the summary
/// follows the shards from the stream, about a second behind).
async fn until_sold_out(p: &Platform, event: &str) {
    let path = format!("/events/{event}");
    for _ in 0..300 {
        let view = p.api.call("GET", &path, None, None).await;
        if view.body["tiers"][0]["remaining"] == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the tier never showed sold out");
}

async fn join(p: &Platform, waiter: &Session, event: &str, tier: &str) -> platform_tests::Answer {
    p.api.call("POST", &list_path(event, tier), Some(&waiter.access_token), Some(json!({"quantity": 1}))).await
}

/// The waiter's offers for the event (reservations offered from its waiting list).
async fn offers_of(p: &Platform, waiter: &Session, event: &str) -> Vec<Value> {
    let mine = p.api.call("GET", "/reservations", Some(&waiter.access_token), None).await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    mine.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["eventId"] == event && r["waitingListOffer"] == true)
        .collect()
}

/// Polls until `waiter` has an offer for the event; it. The limit is a safety net.
async fn offer_for(p: &Platform, waiter: &Session, event: &str) -> Value {
    for _ in 0..600 {
        if let Some(offer) = offers_of(p, waiter, event).await.into_iter().next() {
            return offer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} got no offer", waiter.email);
}

async fn position(p: &Platform, waiter: &Session, event: &str, tier: &str) -> Option<u64> {
    let place = p.api.call("GET", &list_path(event, tier), Some(&waiter.access_token), None).await;
    match place.status {
        200 => place.body["position"].as_u64(),
        404 => {
            assert_eq!(place.body["error"]["code"], "not_waiting", "{:?}", place.body);
            None
        }
        other => panic!("{other}: {:?}", place.body),
    }
}

/// Moves a pending reservation's hold end into the past, as if its time had run
/// out: the stored hold end and the sweeper's index key, nothing else.
async fn run_out(p: &Platform, reservation: &str) {
    let past = "2020-01-01T00:00:00.000Z";
    p.runner
        .dynamodb()
        .await
        .update_item()
        .table_name("local-ReservationsTable")
        .key("pk", AttributeValue::S(format!("RESERVATION#{reservation}")))
        .key("sk", AttributeValue::S("RESERVATION".into()))
        .update_expression("SET holdExpiresAt = :past, gsi1sk = :key")
        .condition_expression("#status = :pending")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":past", AttributeValue::S(past.into()))
        .expression_attribute_values(":key", AttributeValue::S(format!("{past}#{reservation}")))
        .expression_attribute_values(":pending", AttributeValue::S("pending_payment".into()))
        .send()
        .await
        .expect("the offer is still pending");
}

/// Waits until nothing is left for the waiting-list consumer (the queue drained).
async fn until_offers_settle(p: &Platform) {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let sqs = aws_sdk_sqs::Client::new(&p.runner.sdk_config().await);
    let url = sqs.get_queue_url().queue_name("local-WaitingListQueue").send().await.unwrap().queue_url.unwrap();
    let mut quiet = 0;
    for _ in 0..600 {
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(A::ApproximateNumberOfMessages)
            .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default();
        let count = |name: A| attributes.get(&name).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        quiet = if count(A::ApproximateNumberOfMessages) + count(A::ApproximateNumberOfMessagesNotVisible) == 0 {
            quiet + 1
        } else {
            0
        };
        if quiet >= 5 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the waiting-list queue never drained");
}

#[tokio::test]
async fn two_seats_back_go_to_the_first_two_in_line_and_a_lapsed_offer_to_the_third() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 4).await;
    let set = p
        .api
        .call(
            "PATCH",
            &format!("/events/{event}"),
            Some(&organizer.access_token),
            Some(json!({"waitingListOfferMinutes": 10})),
        )
        .await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    assert_eq!(set.body["waitingListOfferMinutes"], 10);
    let first_buyer = p.attendee().await;
    let waiters = p.attendees(5).await;

    // Seats on sale: no line yet.
    let early = join(p, &waiters[0], &event, &tier).await;
    assert_eq!((early.status, early.body["error"]["code"].clone()), (409, json!("not_sold_out")), "{:?}", early.body);

    let keeper = p.attendee().await;
    book(p, &keeper, &event, &tier, 2).await;
    let sold = book(p, &first_buyer, &event, &tier, 2).await;
    until_sold_out(p, &event).await;
    for (i, waiter) in waiters.iter().enumerate() {
        let joined = join(p, waiter, &event, &tier).await;
        assert_eq!(joined.status, 201, "{:?}", joined.body);
        assert_eq!(joined.body["position"], i + 1, "{:?}", joined.body);
    }
    // Joining twice keeps the place.
    let again = join(p, &waiters[1], &event, &tier).await;
    assert_eq!((again.status, again.body["position"].clone()), (200, json!(2)), "{:?}", again.body);
    let lines = p.api.call("GET", &format!("/events/{event}/waiting-list"), Some(&organizer.access_token), None).await;
    assert_eq!(lines.status, 200, "{:?}", lines.body);
    assert_eq!(lines.body["tiers"][0]["waiting"], 5, "{:?}", lines.body);
    assert_eq!(lines.body["tiers"][0]["first"][0]["userId"], waiters[0].user_id.as_str());
    let stranger =
        p.api.call("GET", &format!("/events/{event}/waiting-list"), Some(&waiters[0].access_token), None).await;
    assert_eq!(stranger.status, 403, "{:?}", stranger.body);

    // The first buyer cancels: two seats come back, from the committed change.
    let cancelled = p.api.call("DELETE", &format!("/reservations/{sold}"), Some(&first_buyer.access_token), None).await;
    assert!(cancelled.status == 200 || cancelled.status == 202, "{:?}", cancelled.body);
    let first = offer_for(p, &waiters[0], &event).await;
    let second = offer_for(p, &waiters[1], &event).await;
    until_offers_settle(p).await;
    for offer in [&first, &second] {
        assert_eq!(offer["status"], "pending_payment", "{offer}");
        assert_eq!(offer["quantity"], 1, "{offer}");
        assert_eq!(offer["payment"]["status"], "requires_payment_method", "{offer}");
    }
    let window = chrono::DateTime::parse_from_rfc3339(first["holdExpiresAt"].as_str().unwrap()).unwrap()
        - chrono::DateTime::parse_from_rfc3339(first["createdAt"].as_str().unwrap()).unwrap();
    assert_eq!(window.num_minutes(), 10, "the event's offer window: {first}");
    // Exactly two offers: the rest wait, moved up, and no seat is left over.
    for waiter in &waiters[2..] {
        assert!(
            offers_of(p, waiter, &event).await.is_empty(),
            "{} was offered seats that were not there",
            waiter.email
        );
    }
    assert_eq!(position(p, &waiters[2], &event, &tier).await, Some(1));
    assert_eq!(position(p, &waiters[4], &event, &tier).await, Some(3));
    assert_eq!(position(p, &waiters[0], &event, &tier).await, None, "an offered waiter is out of line");
    assert_eq!(p.runner.tier_seats(&event, &tier).await.available, 0, "both seats are held for the offers");
    // Each is told once, with a link to the offer.
    for (waiter, offer) in [(&waiters[0], &first), (&waiters[1], &second)] {
        let emails = p.wait_for_emails(&waiter.email, 1).await;
        let offers: Vec<&Value> =
            emails.iter().filter(|e| e["subject"].as_str().is_some_and(|s| s.contains("yours to buy"))).collect();
        assert_eq!(offers.len(), 1, "{emails:?}");
        let id = offer["id"].as_str().unwrap();
        assert!(offers[0]["body"].to_string().contains(id), "the email links the offer: {:?}", offers[0]);
    }

    // The first pays: charged once, confirmed, admitted at the door.
    let first_id = first["id"].as_str().unwrap();
    let paid = p
        .api
        .call(
            "POST",
            &format!("/reservations/{first_id}/payment"),
            Some(&waiters[0].access_token),
            Some(json!({"paymentMethod": "pm_card_visa"})),
        )
        .await;
    assert_eq!(paid.status, 202, "{:?}", paid.body);
    let confirmed = p
        .poll_until(&format!("/reservations/{first_id}"), &waiters[0].access_token, |r| r["status"] == "confirmed")
        .await;
    let charges = p.charges_of(first_id).await;
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert_eq!(charges[0]["amount"], 2500);
    let code = confirmed["tickets"][0]["code"].as_str().unwrap();
    let scanned = p.scan(&organizer.access_token, &event, code).await;
    assert_eq!(scanned.body["result"], "admitted", "{:?}", scanned.body);

    // The second lets it lapse: the sweeper ends it and the third in line gets the seat.
    let second_id = second["id"].as_str().unwrap();
    run_out(p, second_id).await;
    let swept = p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None).await;
    assert_eq!(swept.status, 200, "{:?}", swept.body);
    p.poll_until(&format!("/reservations/{second_id}"), &waiters[1].access_token, |r| r["status"] == "expired").await;
    let third = offer_for(p, &waiters[2], &event).await;
    until_offers_settle(p).await;
    assert_eq!(third["status"], "pending_payment", "{third}");
    let payment = p.runner.stored_item("local-PaymentsTable", &format!("PAYMENT#{second_id}"), "PAYMENT").await;
    assert!(payment.is_none(), "a lapsed offer without a card asked the provider for nothing: {payment:?}");
    for waiter in &waiters[3..] {
        assert!(offers_of(p, waiter, &event).await.is_empty(), "{}: one seat came back, one offer", waiter.email);
    }
    assert_eq!(position(p, &waiters[3], &event, &tier).await, Some(1));
    assert_eq!(p.runner.tier_seats(&event, &tier).await.available, 0);

    // Leaving takes the place; the next moves up.
    let left = p.api.call("DELETE", &list_path(&event, &tier), Some(&waiters[3].access_token), None).await;
    assert_eq!(left.status, 204, "{:?}", left.body);
    assert_eq!(position(p, &waiters[4], &event, &tier).await, Some(1));
    let twice = p.api.call("DELETE", &list_path(&event, &tier), Some(&waiters[3].access_token), None).await;
    assert_eq!(twice.status, 404, "{:?}", twice.body);
}

#[tokio::test]
async fn duplicate_news_of_freed_seats_never_makes_more_offers_than_seats() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 4).await;
    let (keeper, buyer) = (p.attendee().await, p.attendee().await);
    let waiters = p.attendees(6).await;
    book(p, &keeper, &event, &tier, 1).await;
    let sold = book(p, &buyer, &event, &tier, 3).await;
    until_sold_out(p, &event).await;
    for waiter in &waiters {
        let joined = join(p, waiter, &event, &tier).await;
        assert_eq!(joined.status, 201, "{:?}", joined.body);
    }
    // Three seats come back, and the news of it arrives 20 times at once.
    let cancelled = p.api.call("DELETE", &format!("/reservations/{sold}"), Some(&buyer.access_token), None).await;
    assert!(cancelled.status == 200 || cancelled.status == 202, "{:?}", cancelled.body);
    let sqs = aws_sdk_sqs::Client::new(&p.runner.sdk_config().await);
    let url = sqs.get_queue_url().queue_name("local-WaitingListQueue").send().await.unwrap().queue_url.unwrap();
    let news = json!({"type": "seats.freed.v1", "eventId": event, "tierId": tier}).to_string();
    futures::future::join_all((0..20).map(|_| sqs.send_message().queue_url(&url).message_body(news.clone()).send()))
        .await
        .into_iter()
        .for_each(|sent| {
            sent.expect("sent");
        });
    for waiter in &waiters[..3] {
        offer_for(p, waiter, &event).await;
    }
    until_offers_settle(p).await;
    let mut offered = 0;
    for (i, waiter) in waiters.iter().enumerate() {
        let offers = offers_of(p, waiter, &event).await;
        assert!(offers.len() <= 1, "{}: {offers:?}", waiter.email);
        assert_eq!(offers.len(), usize::from(i < 3), "the first three in line, and only they: {}", waiter.email);
        offered += offers.len();
    }
    assert_eq!(offered, 3, "three seats, three offers");
    assert_eq!(p.runner.tier_seats(&event, &tier).await.available, 0, "never below zero: no seat held twice");
    assert_eq!(position(p, &waiters[3], &event, &tier).await, Some(1));
}

#[tokio::test]
async fn a_bad_join_is_a_clear_4xx() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 4).await;
    let waiter = p.attendee().await;
    let cases = [
        (json!({"quantity": 0}), 422),
        (json!({"quantity": 5}), 422),
        (json!({"quantity": "two"}), 422),
        (json!({"seats": 1}), 422),
    ];
    for (body, status) in cases {
        let answer =
            p.api.call("POST", &list_path(&event, &tier), Some(&waiter.access_token), Some(body.clone())).await;
        assert_eq!(answer.status, status, "{body}: {:?}", answer.body);
    }
    let unknown = p.api.call("POST", &list_path(&event, "0123456789ab"), Some(&waiter.access_token), None).await;
    assert_eq!(unknown.status, 404, "{:?}", unknown.body);
    let anonymous = p.api.call("POST", &list_path(&event, &tier), None, None).await;
    assert_eq!(anonymous.status, 401, "{:?}", anonymous.body);
    let not_waiting = p.api.call("GET", &list_path(&event, &tier), Some(&waiter.access_token), None).await;
    assert_eq!((not_waiting.status, not_waiting.body["error"]["code"].clone()), (404, json!("not_waiting")));
}

#[tokio::test]
async fn seats_the_organizer_adds_go_to_the_line_first_to_orders_they_fit() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 4).await;
    let buyer = p.attendee().await;
    let waiters = p.attendees(4).await;
    book(p, &buyer, &event, &tier, 4).await;
    until_sold_out(p, &event).await;
    // The first in line wants three tickets, the others one each.
    for (waiter, quantity) in waiters.iter().zip([3, 1, 1, 1]) {
        let body = json!({"quantity": quantity});
        let joined = p.api.call("POST", &list_path(&event, &tier), Some(&waiter.access_token), Some(body)).await;
        assert_eq!(joined.status, 201, "{:?}", joined.body);
    }
    // Two more seats: the committed capacity change offers them in line order, to
    // the orders two seats can fill; the first keeps their place for the next seats.
    let tiers =
        json!({"tiers": [{"id": tier, "name": "Standard", "priceMinor": 2500, "capacity": 6, "maxPerOrder": 4}]});
    let raised = p.api.call("PATCH", &format!("/events/{event}"), Some(&organizer.access_token), Some(tiers)).await;
    assert_eq!(raised.status, 200, "{:?}", raised.body);
    offer_for(p, &waiters[1], &event).await;
    offer_for(p, &waiters[2], &event).await;
    until_offers_settle(p).await;
    assert!(offers_of(p, &waiters[0], &event).await.is_empty(), "three asked, two came back");
    assert!(offers_of(p, &waiters[3], &event).await.is_empty(), "two seats added, two offers");
    assert_eq!(position(p, &waiters[0], &event, &tier).await, Some(1), "still first for the next seats");
    assert_eq!(position(p, &waiters[3], &event, &tier).await, Some(2));
    assert_eq!(p.runner.tier_seats(&event, &tier).await.available, 0);
}

#[tokio::test]
async fn seats_back_go_to_the_line_not_to_a_buyer_outside_it() {
    let p = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 4).await;
    let (holder, outsider, waiter) = (p.attendee().await, p.attendee().await, p.attendee().await);
    let sold = book(p, &holder, &event, &tier, 4).await;
    until_sold_out(p, &event).await;
    assert_eq!(join(p, &waiter, &event, &tier).await.status, 201);
    // Past the second an instance trusts an earlier read of the (then empty) line.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let cancelled = p.api.call("DELETE", &format!("/reservations/{sold}"), Some(&holder.access_token), None).await;
    assert!(cancelled.status == 200 || cancelled.status == 202, "{:?}", cancelled.body);
    // An outsider keeps trying while the seats come back: never gets one while someone
    // waits. Once the waiter's offer is made the line is empty, and the three seats it
    // did not need may sell (on a slow machine the loop can outlast the offer round).
    let order = json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": "pm_card_visa"});
    let mut outsider_hold = None;
    for _ in 0..10 {
        let tried = p.api.call("POST", "/reservations", Some(&outsider.access_token), Some(order.clone())).await;
        if tried.status == 201 {
            outsider_hold = Some(tried.body);
            break;
        }
        assert_eq!(tried.status, 409, "{:?}", tried.body);
        let code = tried.body["error"]["code"].clone();
        assert!(code == "waiting_list_first" || code == "sold_out", "{:?}", tried.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let offer = offer_for(p, &waiter, &event).await;
    assert_eq!(offer["quantity"], 1, "{offer}");
    if let Some(hold) = outsider_hold {
        let made = |r: &Value| chrono::DateTime::parse_from_rfc3339(r["createdAt"].as_str().unwrap()).unwrap();
        assert!(made(&offer) < made(&hold), "the line's seat went to someone outside it: {hold} before {offer}");
        return;
    }
    // The line served, the three seats it did not need are on sale again (past the
    // second an instance trusts its read of the line).
    until_offers_settle(p).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let bought = p.api.call("POST", "/reservations", Some(&outsider.access_token), Some(order)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
}
