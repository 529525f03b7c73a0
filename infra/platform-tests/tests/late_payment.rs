//! A hold that runs out while its charge is under way: Stripe answers so slowly that
//! the 5-second hold expires and the sweeper gives the seats back before the charge
//! is confirmed. The payment consumer looks at the reservation again just before
//! money moves and does not confirm: nothing is charged, the buyer is told the
//! seats were released, and the reservation stays expired: never a confirmed
//! reservation without seats, never seats twice. (Should a charge land anyway, it
//! is refunded: `after_charge`'s unit tests, and the sweeper's late-payment check.)

use platform_tests::{Platform, StripeProxy};
use serde_json::json;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Between the sweep (5.5 s) and the payment consumer's Stripe timeout (10 s), with
/// seconds to spare on either side.
const STRIPE_DELAY: Duration = Duration::from_secs(8);

static PROXY: OnceLock<StripeProxy> = OnceLock::new();
static PLATFORM: OnceLock<Platform> = OnceLock::new();

#[tokio::test]
async fn a_hold_that_runs_out_while_its_charge_is_under_way_is_never_charged() {
    let proxy = PROXY.get_or_init(StripeProxy::start);
    let p = PLATFORM.get_or_init(|| {
        let base = format!("StripeApiBase=http://127.0.0.1:{}", proxy.port);
        let p = Platform::start_with(&["--param", &base, "--param", "HoldSeconds=5"]);
        proxy.forward_to(&p.runner.localstripe.clone().expect("localstripe"));
        p
    });
    // New connections wait 8 s (reqwest then reuses the connection, so the create is
    // the slow call): the sweep below has 2.5 s to happen before the create returns.
    proxy.set_delay(STRIPE_DELAY);
    proxy.set_up(true);
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let body = json!({"eventId": event, "tierId": tier, "quantity": 2, "paymentMethod": "pm_card_visa"});
    let posted = Instant::now();
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(body)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap().to_owned();
    // The hold ends (5 s) and is swept (5.5 s) while the create is still under way (8 s).
    tokio::time::sleep(Duration::from_millis(5500)).await;
    let swept = p.api.call("POST", "/_local/schedules/ReleaseExpiredHoldsFunction.Sweep", None, None).await;
    assert_eq!(swept.body["released"], 1, "{:?}", swept.body);
    let remaining = |p: &'static Platform, event: String, tier: String| async move {
        p.runner.tier_seats(&event, &tier).await.available
    };
    assert_eq!(remaining(p, event.clone(), tier.clone()).await, 10);

    let emails = p.wait_for_emails(&buyer.email, 1).await;
    assert!(emails[0]["subject"].as_str().unwrap().contains("were released"), "{emails:?}");
    // Let the slow charge finish its course: the create returns at 8 s, and the
    // consumer decides within a second of it (5 s of margin).
    tokio::time::sleep((posted + STRIPE_DELAY + Duration::from_secs(5)).saturating_duration_since(Instant::now()))
        .await;
    let r = p.api.call("GET", &format!("/reservations/{id}"), Some(&buyer.access_token), None).await;
    assert_eq!(r.body["status"], "expired", "no confirmation without seats: {:?}", r.body);
    assert_eq!(r.body["tickets"], json!([]));
    assert_eq!(remaining(p, event, tier).await, 10, "the seats were not given twice");
    assert!(p.charges_of(&id).await.is_empty(), "the intent was never confirmed: nothing charged");
    assert_eq!(p.emails_to(&buyer.email).await.len(), 1, "one notice, no contradicting second one");
}
