//! Card payments as Europe takes them (PSD2's Strong Customer Authentication):
//! a card that asks for 3-D Secure, the buyer's challenge played through
//! localstripe's `_authenticate` (what its Stripe.js stand-in calls), Stripe's
//! signed webhooks (localstripe's own, and deliveries the tests sign as Stripe
//! would: forged, stale, duplicated, reordered), the reconciliation that settles a
//! payment whose webhook never came, the hold's end cancelling an abandoned
//! intent, and free orders that never reach Stripe.
//!
//! Mostly waiting on the chain and on a 60-second hold: `make test` runs this file
//! beside the others (infra/slow-tests.sh), its tests under `sca::`.

use platform_tests::{Answer, Platform, Session, WEBHOOK_SECRET};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static PLATFORM: OnceLock<Platform> = OnceLock::new();

/// Long enough for a challenge passed at once to settle many times over on a
/// loaded machine (about 5 s here); the abandoned test waits it out.
const HOLD_SECONDS: u64 = 60;

fn platform() -> &'static Platform {
    PLATFORM.get_or_init(|| {
        let hold = format!("HoldSeconds={HOLD_SECONDS}");
        // A payment waiting on its buyer is looked at again every 3 s (180 s in AWS).
        Platform::start_with(&["--param", &hold, "--param", "PaymentReconcileSeconds=3", "--max-instances", "8"])
    })
}

/// Stripe's test card that always asks for 3-D Secure (a French-issued card in
/// Stripe's docs); localstripe knows it too.
const CARD_3DS: &str = "4000002760003184";

fn stripe(p: &Platform) -> String {
    p.runner.localstripe.clone().expect("the runner started localstripe")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

/// The bank's answer to the buyer's challenge (localstripe's Stripe.js stand-in calls this).
async fn authenticate(p: &Platform, client_secret: &str, success: bool) {
    let intent = client_secret.split("_secret_").next().unwrap();
    let answer = challenge_answer(p, intent, client_secret, success).await;
    assert_eq!(answer.status(), 200, "{:?}", answer.text().await);
}

/// What localstripe's Stripe.js stand-in sends from the page: the publishable key
/// and the client secret, the outcome in the query.
async fn challenge_answer(p: &Platform, intent: &str, client_secret: &str, success: bool) -> reqwest::Response {
    http()
        .post(format!("{}/v1/payment_intents/{intent}/_authenticate?success={success}", stripe(p)))
        .json(&json!({"key": "pk_test_local", "client_secret": client_secret}))
        .send()
        .await
        .unwrap()
}

/// `GET <localstripe><path>` with the secret key.
async fn stripe_get(p: &Platform, path: &str) -> Value {
    http()
        .get(format!("{}{path}", stripe(p)))
        .basic_auth("sk_test_local", Some(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn intent(p: &Platform, id: &str) -> Value {
    stripe_get(p, &format!("/v1/payment_intents/{id}")).await
}

type Item = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

/// The reservation's payment as the payments table holds it.
async fn payment_of(p: &Platform, id: &str) -> Item {
    p.runner.stored_item("local-PaymentsTable", &format!("PAYMENT#{id}"), "PAYMENT").await.expect("a payment")
}

/// Polls the payments table until the reservation's payment satisfies `done` (a 60 s safety net).
async fn until_payment_stored(p: &Platform, id: &str, done: impl Fn(&Item) -> bool) -> Item {
    let started = Instant::now();
    loop {
        let payment = payment_of(p, id).await;
        if done(&payment) {
            return payment;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{payment:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().or_else(|_| v.as_n()).ok()).cloned()
}

async fn book(p: &Platform, buyer: &Session, event: &str, tier: &str, payment_method: &str) -> String {
    let body = json!({"eventId": event, "tierId": tier, "quantity": 2, "paymentMethod": payment_method});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    made.body["id"].as_str().unwrap().to_owned()
}

/// Polls the reservation until its payment asks the buyer for `status`.
async fn until_payment(p: &Platform, buyer: &Session, id: &str, status: &str) -> Value {
    let path = format!("/reservations/{id}");
    p.poll_until(&path, &buyer.access_token, |r| r["payment"]["status"] == status || r["status"] != "pending_payment")
        .await
}

async fn until_settled(p: &Platform, buyer: &Session, id: &str) -> Value {
    p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] != "pending_payment").await
}

/// A booking whose card asked for 3-D Secure: (reservation, client secret).
async fn challenged(p: &Platform, buyer: &Session, event: &str, tier: &str) -> (String, String) {
    let pm = p.card(CARD_3DS).await;
    let id = book(p, buyer, event, tier, &pm).await;
    let shown = until_payment(p, buyer, &id, "requires_action").await;
    assert_eq!(shown["status"], "pending_payment", "{shown}");
    assert_eq!(shown["payment"]["detail"], "use_stripe_sdk", "{shown}");
    let secret = shown["payment"]["clientSecret"].as_str().expect("the client secret for Stripe.js").to_owned();
    (id, secret)
}

/// Sends `event` to the webhook signed as Stripe signs (`t` seconds since the epoch).
async fn deliver(p: &Platform, event: &Value, secret: &str, t: i64) -> Answer {
    let body = event.to_string();
    let signature = payments::stripe_signature::sign(body.as_bytes(), secret, t);
    deliver_raw(p, body, Some(&signature)).await
}

async fn deliver_raw(p: &Platform, body: String, signature: Option<&str>) -> Answer {
    let mut request = http()
        .post(format!("{}/payments/stripe/webhook", p.api.base))
        .header("content-type", "application/json; charset=utf-8")
        .body(body);
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Answer { status, headers, body }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn intent_event(kind: &str, intent: &Value) -> Value {
    json!({
        "id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
        "object": "event",
        "type": kind,
        "created": now(),
        "data": {"object": intent},
    })
}

fn confirmations(emails: &[Value]) -> usize {
    emails.iter().filter(|e| e["subject"].as_str().is_some_and(|s| s.starts_with("Your tickets"))).count()
}

/// The tier's seats left, summed from its shards (the seat-inventory items).
async fn remaining(p: &Platform, event: &str, tier: &str) -> i64 {
    p.runner.tier_seats(event, tier).await.available
}

/// What the webhook function refused so far (its log lines).
fn refused_webhooks(p: &Platform) -> usize {
    p.runner.output().matches("Stripe webhook refused").count()
}

/// Whether the function's log shows more than `count` refusals within 30 s (a safety
/// net: its lines reach the test through the runner's output a moment later).
async fn refusals_exceed(p: &Platform, count: usize) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if refused_webhooks(p) > count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

mod sca {
    use super::*;

    #[tokio::test]
    async fn a_card_that_asks_for_3ds_is_confirmed_once_the_buyer_authenticates() {
        let p = platform();
        let organizer = p.organizer().await;
        let (event, tier) = p.event_on_sale(&organizer, 10).await;
        let buyer = p.attendee().await;
        let (id, secret) = challenged(p, &buyer, &event, &tier).await;
        // The secret is the holder's alone.
        let seen = p.api.call("GET", &format!("/reservations/{id}"), Some(&organizer.access_token), None).await;
        assert_eq!(seen.body["payment"]["status"], "requires_action", "{:?}", seen.body);
        assert!(seen.body["payment"].get("clientSecret").is_none(), "{:?}", seen.body);
        assert_eq!(p.charges_of(&id).await.len(), 0, "nothing charged before the bank said yes");

        authenticate(p, &secret, true).await;
        let confirmed = until_settled(p, &buyer, &id).await;
        assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
        assert_eq!(confirmed["tickets"].as_array().unwrap().len(), 2);
        assert!(confirmed.get("payment").is_none(), "{confirmed}");
        let charges = p.charges_of(&id).await;
        assert_eq!(charges.len(), 1, "charged once");
        assert_eq!((charges[0]["status"].as_str(), charges[0]["amount"].as_i64()), (Some("succeeded"), Some(5000)));
        let emails = p.wait_for_emails(&buyer.email, 1).await;
        // Stripe's webhook and the reconciliation both look at the intent again.
        tokio::time::sleep(Duration::from_secs(8)).await;
        let emails_after = p.emails_to(&buyer.email).await;
        assert_eq!((confirmations(&emails), emails_after.len()), (1, 1), "one email: {emails_after:?}");
        assert_eq!(remaining(p, &event, &tier).await, 8);
    }

    #[tokio::test]
    async fn a_failed_challenge_lets_the_buyer_pay_with_another_card_within_the_hold() {
        let p = platform();
        let organizer = p.organizer().await;
        let (event, tier) = p.event_on_sale(&organizer, 10).await;
        let buyer = p.attendee().await;
        let (id, secret) = challenged(p, &buyer, &event, &tier).await;
        authenticate(p, &secret, false).await;
        // localstripe sends no webhook for a failed challenge (Stripe does): the
        // reconciliation finds it, and the reservation asks for another card.
        let asked = until_payment(p, &buyer, &id, "requires_payment_method").await;
        assert_eq!(asked["status"], "pending_payment", "the seats stay held: {asked}");
        assert_eq!(asked["payment"]["detail"], "authentication_failed", "{asked}");
        assert_eq!(remaining(p, &event, &tier).await, 8);

        let path = format!("/reservations/{id}/payment");
        let stranger = p.attendee().await;
        let body = json!({"paymentMethod": "pm_card_visa"});
        let theirs = p.api.call("POST", &path, Some(&stranger.access_token), Some(body.clone())).await;
        assert_eq!(theirs.status, 404, "{:?}", theirs.body);
        let bad = p.api.call("POST", &path, Some(&buyer.access_token), Some(json!({"paymentMethod": "x y"}))).await;
        assert_eq!((bad.status, bad.body["error"]["code"].as_str()), (422, Some("validation_failed")));

        let retried = p.api.call("POST", &path, Some(&buyer.access_token), Some(body.clone())).await;
        assert_eq!(retried.status, 202, "{:?}", retried.body);
        assert_eq!(retried.body["payment"]["status"], "processing");
        let twice = p.api.call("POST", &path, Some(&buyer.access_token), Some(body.clone())).await;
        assert_eq!((twice.status, twice.body["error"]["code"].as_str()), (409, Some("not_awaiting_card")));

        let confirmed = until_settled(p, &buyer, &id).await;
        assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
        assert_eq!(confirmed["tickets"].as_array().unwrap().len(), 2);
        let charges = p.charges_of(&id).await;
        assert_eq!(charges.len(), 1, "one charge, of the second card");
        assert_eq!(charges[0]["status"], "succeeded");
        let emails = p.wait_for_emails(&buyer.email, 1).await;
        assert_eq!(confirmations(&emails), 1, "{emails:?}");
        let after = p.api.call("POST", &path, Some(&buyer.access_token), Some(body)).await;
        assert_eq!((after.status, after.body["error"]["code"].as_str()), (409, Some("not_awaiting_card")));
    }

    #[tokio::test]
    async fn an_abandoned_challenge_is_cancelled_when_the_hold_ends_and_nothing_is_charged() {
        let p = platform();
        let organizer = p.organizer().await;
        let (event, tier) = p.event_on_sale(&organizer, 10).await;
        let buyer = p.attendee().await;
        let (id, secret) = challenged(p, &buyer, &event, &tier).await;
        let intent_id = secret.split("_secret_").next().unwrap().to_owned();
        let held = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        let expires = chrono::DateTime::parse_from_rfc3339(held.body["holdExpiresAt"].as_str().unwrap()).unwrap();
        let wait = (expires.timestamp_millis() - chrono::Utc::now().timestamp_millis() + 500).max(0) as u64;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let swept = p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None).await;
        assert_eq!(swept.status, 200, "{:?}", swept.body);
        let ended = until_settled(p, &buyer, &id).await;
        assert_eq!(ended["status"], "expired", "{ended}");
        assert_eq!(remaining(p, &event, &tier).await, 10, "the seats are back");
        // The intent is cancelled at Stripe, so a late authentication cannot take money.
        let started = Instant::now();
        while intent(p, &intent_id).await["status"] != "canceled" {
            assert!(started.elapsed() < Duration::from_secs(60), "{}", intent(p, &intent_id).await);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let late = challenge_answer(p, &intent_id, &secret, true).await;
        assert_eq!(late.status(), 400, "a cancelled intent takes no authentication");
        assert_eq!(p.charges_of(&id).await.len(), 0, "nothing charged");
        let emails = p.wait_for_emails(&buyer.email, 1).await;
        assert!(emails[0]["subject"].as_str().unwrap().contains("were released"), "{emails:?}");
    }

    #[tokio::test]
    async fn forged_stale_and_unsigned_webhooks_are_refused_and_change_nothing() {
        let p = platform();
        let organizer = p.organizer().await;
        let (event, tier) = p.event_on_sale(&organizer, 10).await;
        let buyer = p.attendee().await;
        let (id, secret) = challenged(p, &buyer, &event, &tier).await;
        let intent_id = secret.split("_secret_").next().unwrap();
        // What an attacker would send: the intent "succeeded".
        let mut forged_intent = intent(p, intent_id).await;
        forged_intent["status"] = json!("succeeded");
        let event_body = intent_event("payment_intent.succeeded", &forged_intent);
        let refused_before = refused_webhooks(p);
        for (what, answer) in [
            ("another secret", deliver(p, &event_body, "whsec_not_ours", now()).await),
            ("stale", deliver(p, &event_body, WEBHOOK_SECRET, now() - 360).await),
            ("unsigned", deliver_raw(p, event_body.to_string(), None).await),
            ("garbage", deliver_raw(p, event_body.to_string(), Some("t=abc,v1=zz")).await),
        ] {
            assert_eq!(answer.status, 400, "{what}: {:?}", answer.body);
            assert_eq!(answer.body["error"]["code"], "invalid_signature", "{what}: {:?}", answer.body);
        }
        // Signed right, but not JSON: refused too, never a 500.
        let body = "not json".to_owned();
        let signature = payments::stripe_signature::sign(body.as_bytes(), WEBHOOK_SECRET, now());
        assert_eq!(deliver_raw(p, body, Some(&signature)).await.status, 400);
        assert!(refusals_exceed(p, refused_before + 3).await, "each refusal logged");
        // Nothing moved: the reservation still waits on its buyer, nothing was charged.
        tokio::time::sleep(Duration::from_secs(4)).await;
        let still = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        assert_eq!(still.body["status"], "pending_payment", "{:?}", still.body);
        assert_eq!(still.body["payment"]["status"], "requires_action", "{:?}", still.body);
        assert_eq!(p.charges_of(&id).await.len(), 0);
        // Even a correctly signed event is only news: the intent's real state decides.
        let signed = deliver(p, &event_body, WEBHOOK_SECRET, now()).await;
        assert_eq!(signed.status, 200, "{:?}", signed.body);
        tokio::time::sleep(Duration::from_secs(4)).await;
        let still = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        assert_eq!(still.body["status"], "pending_payment", "a claim of success is not a success: {:?}", still.body);
    }

    #[tokio::test]
    async fn the_same_event_three_times_and_out_of_order_confirms_once_and_emails_once() {
        let p = platform();
        let organizer = p.organizer().await;
        let (event, tier) = p.event_on_sale(&organizer, 10).await;
        let buyer = p.attendee().await;
        let (id, secret) = challenged(p, &buyer, &event, &tier).await;
        let intent_id = secret.split("_secret_").next().unwrap();
        let failed_earlier = intent_event("payment_intent.payment_failed", &intent(p, intent_id).await);
        authenticate(p, &secret, true).await;
        let succeeded = intent_event("payment_intent.succeeded", &intent(p, intent_id).await);
        // Stripe retries and reorders: the success three times at once (localstripe
        // sends its own too), then the older failure.
        let deliveries = (0..3).map(|_| deliver(p, &succeeded, WEBHOOK_SECRET, now()));
        for answer in futures::future::join_all(deliveries).await {
            assert_eq!(answer.status, 200, "{:?}", answer.body);
        }
        assert_eq!(deliver(p, &failed_earlier, WEBHOOK_SECRET, now()).await.status, 200);
        let confirmed = until_settled(p, &buyer, &id).await;
        assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
        let tickets = confirmed["tickets"].clone();
        assert_eq!(deliver(p, &failed_earlier, WEBHOOK_SECRET, now()).await.status, 200);
        p.wait_for_emails(&buyer.email, 1).await;
        tokio::time::sleep(Duration::from_secs(6)).await;
        let emails = p.emails_to(&buyer.email).await;
        assert_eq!(emails.len(), 1, "one email: {emails:?}");
        let after = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        assert_eq!((after.body["status"].clone(), after.body["tickets"].clone()), (json!("confirmed"), tickets));
        assert_eq!(p.charges_of(&id).await.len(), 1, "charged once");
    }

    #[tokio::test]
    async fn a_payment_whose_webhook_never_comes_is_settled_by_reconciliation() {
        let p = platform();
        let organizer = p.organizer().await;
        let (event, tier) = p.event_on_sale(&organizer, 10).await;
        let buyer = p.attendee().await;
        let (id, secret) = challenged(p, &buyer, &event, &tier).await;
        // The endpoint's webhooks are lost for a while: localstripe signs them with a
        // secret we do not know, so every delivery is refused (and Stripe's, here
        // localstripe's, retries never come).
        let register = |secret: &'static str| {
            let url = format!("{}/payments/stripe/webhook", p.api.base);
            async move {
                let answer = http()
                    .post(format!("{}/_config/webhooks/local-runner", stripe(p)))
                    .json(&json!({"url": url, "secret": secret}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status(), 200);
            }
        };
        register("whsec_lost").await;
        let refused_before = refused_webhooks(p);
        authenticate(p, &secret, true).await;
        let confirmed = until_settled(p, &buyer, &id).await;
        // Every delivery is refused until the secret is back: only the reconciliation can have confirmed it.
        assert!(refusals_exceed(p, refused_before).await, "localstripe's webhook was refused");
        register(WEBHOOK_SECRET).await;
        assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
        let settled_by = p
            .runner
            .output()
            .lines()
            .filter(|line| line.contains(&id) && line.contains("payment succeeded"))
            .map(str::to_owned)
            .collect::<Vec<_>>();
        assert!(
            settled_by.len() == 1 && settled_by[0].contains("\"cause\":\"reconciliation\""),
            "the reconciliation settled it: {settled_by:?}"
        );
        assert_eq!(p.charges_of(&id).await.len(), 1);
        let emails = p.wait_for_emails(&buyer.email, 1).await;
        assert_eq!(confirmations(&emails), 1);
    }

    /// A confirmed booking paid with `pm_card_visa`: (reservation, its intent id).
    async fn paid(p: &Platform, buyer: &Session, event: &str, tier: &str) -> (String, String) {
        let id = book(p, buyer, event, tier, "pm_card_visa").await;
        let confirmed = until_settled(p, buyer, &id).await;
        assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
        (id.clone(), payment_of(p, &id).await["intentId"].as_s().unwrap().clone())
    }

    fn subjects(emails: &[Value]) -> Vec<String> {
        emails.iter().map(|e| e["subject"].as_str().unwrap_or_default().to_owned()).collect()
    }

    #[tokio::test]
    async fn a_dispute_flags_the_tickets_and_tells_the_organizer_once() {
        let p = platform();
        let organizer = p.organizer().await;
        let (event, tier) = p.event_on_sale(&organizer, 10).await;
        let buyer = p.attendee().await;
        let (id, intent_id) = paid(p, &buyer, &event, &tier).await;
        p.wait_for_emails(&buyer.email, 1).await;
        // localstripe cannot open disputes: the test delivers Stripe's event, signed.
        let dispute = json!({"id": format!("dp_{}", uuid::Uuid::new_v4().simple()), "object": "dispute",
            "payment_intent": intent_id, "amount": 5000, "currency": "eur", "reason": "fraudulent", "status": "needs_response"});
        let event_body = intent_event("charge.dispute.created", &dispute);
        for _ in 0..2 {
            let answer = deliver(p, &event_body, WEBHOOK_SECRET, now()).await;
            assert_eq!(answer.status, 200, "{:?}", answer.body);
        }
        let flagged =
            p.poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["disputed"] == true).await;
        assert_eq!(flagged["status"], "confirmed", "{flagged}");
        let told = p.wait_for_emails(&organizer.email, 1).await;
        assert!(subjects(&told)[0].contains("disputed"), "{told:?}");
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(p.emails_to(&organizer.email).await.len(), 1, "told once");
        assert_eq!(p.emails_to(&buyer.email).await.len(), 1, "the buyer's confirmation only");
        assert_eq!(payment_of(p, &id).await["disputeReason"].as_s().unwrap(), "fraudulent");
    }

    #[tokio::test]
    async fn a_refund_that_fails_at_the_bank_is_asked_again_and_the_organizer_told() {
        let p = platform();
        let organizer = p.organizer().await;
        let (event, tier) = p.event_on_sale(&organizer, 10).await;
        let buyer = p.attendee().await;
        let (id, intent_id) = paid(p, &buyer, &event, &tier).await;
        let cancelled = p.api.call("DELETE", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
        p.wait_for_emails(&buyer.email, 2).await;
        assert_eq!(payment_of(p, &id).await["status"].as_s().unwrap(), "refunded");
        // The bank sends the refund back (a closed card): Stripe's event, signed.
        let refund = json!({"id": format!("re_{}", uuid::Uuid::new_v4().simple()), "object": "refund",
            "payment_intent": intent_id, "amount": 5000, "status": "failed", "failure_reason": "expired_or_canceled_card"});
        let event_body = intent_event("refund.updated", &refund);
        for _ in 0..2 {
            assert_eq!(deliver(p, &event_body, WEBHOOK_SECRET, now()).await.status, 200);
        }
        let told = p.wait_for_emails(&organizer.email, 1).await;
        assert!(subjects(&told)[0].contains("refund") && subjects(&told)[0].contains("failed"), "{told:?}");
        // Asked again under a new idempotency key, and refunded.
        until_payment_stored(p, &id, |payment| {
            text(payment, "refundFailures").as_deref() == Some("1")
                && text(payment, "status").as_deref() == Some("refunded")
        })
        .await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(payment_of(p, &id).await["refundFailures"].as_n().unwrap(), "1", "one failure, applied once");
        assert_eq!(p.emails_to(&organizer.email).await.len(), 1, "the organizer told once");
        assert_eq!(p.emails_to(&buyer.email).await.len(), 2, "the buyer's confirmation and cancellation only");
        let refunds = stripe_get(p, "/v1/refunds?limit=100").await;
        let paid_back: i64 = refunds["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["payment_intent"] == intent_id.as_str())
            .map(|r| r["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(paid_back, 5000, "never refunded twice");
    }

    #[tokio::test]
    async fn a_free_tier_is_confirmed_with_tickets_and_one_email_without_stripe() {
        let p = platform();
        let organizer = p.organizer().await;
        let year = chrono::Utc::now().format("%Y").to_string().parse::<i32>().unwrap() + 1;
        let body = json!({
            "title": format!("Community day {}", uuid::Uuid::new_v4().simple()),
            "category": "conference",
            "description": "Free passes.",
            "venue": {"name": "Hall", "address": "1 Main Street", "city": "Lyon", "country": "FR"},
            "timezone": "Europe/Paris",
            "currency": "EUR",
            "startsAt": format!("{year}-06-01T09:00:00+02:00"),
            "endsAt": format!("{year}-06-01T18:00:00+02:00"),
            "salesOpensAt": "2020-01-01T00:00:00Z",
            "salesClosesAt": format!("{year}-06-01T08:00:00+02:00"),
            "tiers": [
                {"name": "Free pass", "priceMinor": 0, "capacity": 5, "maxPerOrder": 4},
                {"name": "Supporter", "priceMinor": 1000, "capacity": 5, "maxPerOrder": 4}
            ]
        });
        let created = p.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let event = created.body["id"].as_str().unwrap().to_owned();
        let (free, paid) = (created.body["tiers"][0]["id"].clone(), created.body["tiers"][1]["id"].clone());
        let published =
            p.api.call("POST", &format!("/events/{event}/publish"), Some(&organizer.access_token), None).await;
        assert_eq!(published.status, 200);
        let buyer = p.attendee().await;
        let unpaid = json!({"eventId": event, "tierId": paid, "quantity": 1});
        let refused = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(unpaid)).await;
        assert_eq!(refused.status, 422, "a paid tier needs a card: {:?}", refused.body);
        assert_eq!(refused.body["error"]["fields"][0]["field"], "paymentMethod");

        let order = json!({"eventId": event, "tierId": free, "quantity": 2});
        let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(order)).await;
        assert_eq!((made.status, made.body["amountMinor"].as_i64()), (201, Some(0)), "{:?}", made.body);
        let id = made.body["id"].as_str().unwrap().to_owned();
        let confirmed = until_settled(p, &buyer, &id).await;
        assert_eq!(confirmed["status"], "confirmed", "{confirmed}");
        assert_eq!(confirmed["tickets"].as_array().unwrap().len(), 2);
        let emails = p.wait_for_emails(&buyer.email, 1).await;
        assert_eq!(confirmations(&emails), 1, "{emails:?}");
        let payment = payment_of(p, &id).await;
        assert_eq!(payment["status"].as_s().unwrap(), "succeeded");
        assert!(payment.get("intentId").is_none(), "no PaymentIntent: Stripe was never asked");
        let intents = stripe_get(p, "/v1/payment_intents?limit=100").await;
        let ours =
            intents["data"].as_array().unwrap().iter().filter(|i| i["metadata"]["reservation_id"] == id.as_str());
        assert_eq!(ours.count(), 0);
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(p.emails_to(&buyer.email).await.len(), 1, "one email");
        // Cancelling it gives the seats back without a refund at Stripe.
        let cancelled = p.api.call("DELETE", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
        until_payment_stored(p, &id, |payment| text(payment, "status").as_deref() == Some("refunded")).await;
    }
}
