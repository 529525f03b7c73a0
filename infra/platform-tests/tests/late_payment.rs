//! A payment that succeeds after its hold ended: Stripe answers so slowly that the
//! 5-second hold expires and the sweeper gives the seats back while the charge is
//! under way. The money goes back at once, the buyer is told, and the reservation
//! stays expired: never a confirmed reservation without seats, never seats twice.

use platform_tests::{Platform, StripeProxy};
use serde_json::json;
use std::sync::OnceLock;
use std::time::Duration;

static PROXY: OnceLock<StripeProxy> = OnceLock::new();
static PLATFORM: OnceLock<Platform> = OnceLock::new();

#[tokio::test]
async fn a_charge_that_lands_after_the_hold_expired_is_refunded() {
    let proxy = PROXY.get_or_init(StripeProxy::start);
    let p = PLATFORM.get_or_init(|| {
        let base = format!("StripeApiBase=http://127.0.0.1:{}", proxy.port);
        let p = Platform::start_with(&["--param", &base, "--param", "HoldSeconds=5"]);
        proxy.forward_to(&p.runner.localstripe.clone().expect("localstripe"));
        p
    });
    // New connections wait 7 s (reqwest then reuses the connection, so the create is the slow call).
    proxy.set_delay(Duration::from_secs(7));
    proxy.set_up(true);
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let body = json!({"eventId": event, "tierId": tier, "quantity": 2, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    // The hold ends (5 s) and is swept (5.5 s) while the create is still under way (7 s).
    tokio::time::sleep(Duration::from_millis(5500)).await;
    let swept = p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None).await;
    assert_eq!(swept.body["released"], 1, "{:?}", swept.body);
    let remaining = |p: &'static Platform, event: String| async move {
        p.api.call("GET", &format!("/events/{event}"), None, None).await.body["tiers"][0]["remaining"].as_i64().unwrap()
    };
    assert_eq!(remaining(p, event.clone()).await, 10);

    let emails = p.wait_for_emails(&buyer.email, 2).await;
    let subjects: Vec<&str> = emails.iter().map(|e| e["subject"].as_str().unwrap()).collect();
    assert!(subjects.iter().any(|s| s.contains("were released")), "{subjects:?}");
    assert!(subjects.iter().any(|s| s.contains("was refunded")), "{subjects:?}");
    let r = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
    assert_eq!(r.body["status"], "expired", "no confirmation without seats: {:?}", r.body);
    assert_eq!(r.body["tickets"], json!([]));
    assert_eq!(remaining(p, event).await, 10, "the seats were not given twice");
    let charges = p.charges_of(&id).await;
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0]["amount_refunded"], 5000, "the late charge was refunded in full");
}
