//! The payment provider goes down and comes back: the circuit opens after a few
//! failures (so the provider is not hammered), messages wait instead of failing
//! their way to the DLQ, one probe closes the circuit, and every booking confirms.
//! "Stripe" here is localstripe behind a switchable TCP proxy that this test owns.

use platform_tests::{Platform, StripeProxy};
use serde_json::json;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static PROXY: OnceLock<StripeProxy> = OnceLock::new();
static PLATFORM: OnceLock<Platform> = OnceLock::new();

fn platform() -> (&'static Platform, &'static StripeProxy) {
    let proxy = PROXY.get_or_init(StripeProxy::start);
    let platform = PLATFORM.get_or_init(|| {
        let base = format!("StripeApiBase=http://127.0.0.1:{}", proxy.port);
        let p =
            Platform::start_with(&["--param", &base, "--param", "CircuitCooldownSeconds=3", "--max-instances", "8"]);
        proxy.forward_to(&p.runner.localstripe.clone().expect("localstripe"));
        p
    });
    (platform, proxy)
}

async fn circuit(p: &Platform) -> Option<(i64, i64)> {
    let item = p.runner.stored_item("local-PaymentsTable", "CIRCUIT#stripe", "CIRCUIT").await?;
    let n = |name: &str| item[name].as_n().unwrap().parse::<i64>().unwrap();
    Some((n("failures"), n("openUntil")))
}

#[tokio::test]
async fn provider_down_opens_the_circuit_and_everything_confirms_when_it_is_back() {
    let (p, proxy) = platform();
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 20).await;
    let buyer = p.attendee().await;
    let mut ids = Vec::new();
    for _ in 0..8 {
        let body = json!({"eventId": event, "tierId": tier, "quantity": 1, "paymentMethod": "pm_card_visa"});
        let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
        assert_eq!(made.status, 201, "{:?}", made.body);
        ids.push(made.body["id"].as_str().unwrap().to_owned());
    }
    // Down for 8 seconds: without a circuit, 8 messages tried at 0, 2 and 6 s (growing
    // waits) would call 24 times; with it, the first wave fails (at most 8, and 5 open
    // the circuit), then one probe every 3 s.
    let down_until = Instant::now() + Duration::from_secs(8);
    let mut opened = false;
    while Instant::now() < down_until {
        opened |= circuit(p).await.is_some_and(|(_, open_until)| open_until != 0);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(opened, "the circuit opened while the provider was down");
    let calls_while_down = proxy.refused();
    assert!((5..=12).contains(&calls_while_down), "the provider was spared: {calls_while_down} calls while down");
    for id in &ids {
        let r = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
        assert_eq!(r.body["status"], "pending_payment", "nothing settled while the provider was down");
    }

    proxy.set_up(true);
    for id in &ids {
        let done = p
            .poll_until(&format!("/reservations/{id}"), &buyer.access_token, |r| r["status"] != "pending_payment")
            .await;
        assert_eq!(done["status"], "confirmed", "{done}");
    }
    assert_eq!(circuit(p).await.map(|(failures, open)| (failures, open)), Some((0, 0)), "closed again");
    assert_eq!(p.wait_for_emails(&buyer.email, 8).await.len(), 8, "one confirmation each");
}
