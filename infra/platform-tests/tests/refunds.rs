//! Refunded once: a confirmed booking cancelled, then cancelled again by twenty
//! clicks at once while Stripe is slow to answer its refund, is refunded once.
//! Each click asks for the refund again (in case the first request was lost), and
//! localstripe pays out every refund it is asked for (it ignores idempotency keys),
//! so only our own records can stop a second one.

use aws_sdk_sqs::types::QueueAttributeName;
use platform_tests::{Platform, StripeProxy};
use serde_json::json;
use std::time::{Duration, Instant};

/// Waits until no payment request is queued, in flight or delayed: every refund
/// request the clicks queued has been handled.
async fn payment_requests_settled(p: &Platform) {
    let sqs = aws_sdk_sqs::Client::new(&p.runner.sdk_config().await);
    let queue = sqs.get_queue_url().queue_name("local-PaymentRequestsQueue").send().await.unwrap().queue_url.unwrap();
    let counts = [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        QueueAttributeName::ApproximateNumberOfMessagesDelayed,
    ];
    // A safety net: the requests are handled within seconds.
    let started = Instant::now();
    loop {
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&queue)
            .set_attribute_names(Some(counts.to_vec()))
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default();
        let left: Vec<&String> = counts.iter().filter_map(|c| attributes.get(c)).filter(|n| *n != "0").collect();
        if left.is_empty() {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "payment requests still queued: {attributes:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_cancellation_clicked_twenty_times_more_refunds_once() {
    let proxy = StripeProxy::start();
    proxy.set_up(true);
    let base = format!("StripeApiBase=http://127.0.0.1:{}", proxy.port);
    let p = Platform::start_with(&["--max-instances", "8", "--param", &base]);
    proxy.forward_to(&p.runner.localstripe.clone().expect("localstripe"));
    let organizer = p.organizer().await;
    let (event, tier) = p.event_on_sale(&organizer, 10).await;
    let buyer = p.attendee().await;
    let order = json!({"eventId": event, "tierId": tier, "quantity": 2, "paymentMethod": "pm_card_visa"});
    let made = p.api.call("POST", "/reservations", Some(&buyer.access_token), Some(order)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap();
    let path = format!("/reservations/{id}");
    p.poll_until(&path, &buyer.access_token, |r| r["status"] == "confirmed").await;

    // Stripe now takes 3 s to answer a new connection, and the payment instances that
    // charged (with their open connections) are stopped: every refund call is slow.
    proxy.set_delay(Duration::from_secs(3));
    let stopped = p.api.call("POST", "/_local/functions/ProcessPaymentsFunction/stop", None, None).await;
    assert_eq!(stopped.status, 200, "{:?}", stopped.body);
    // One click cancels; twenty more arrive at once while its refund is under way.
    let first = p.api.call("DELETE", &path, Some(&buyer.access_token), None).await;
    assert_eq!((first.status, first.body["status"].as_str()), (200, Some("cancelled")), "{:?}", first.body);
    let clicks =
        futures::future::join_all((0..20).map(|_| p.api.call("DELETE", &path, Some(&buyer.access_token), None)));
    let statuses: Vec<u16> = clicks.await.iter().map(|c| c.status).collect();
    assert!(statuses.iter().all(|s| *s == 200), "a cancelled booking cancelled again answers as it is: {statuses:?}");

    let emails = p.wait_for_emails(&buyer.email, 2).await;
    payment_requests_settled(&p).await;
    let charges = p.charges_of(id).await;
    assert_eq!(charges.len(), 1, "charged once");
    assert_eq!(charges[0]["amount_refunded"], charges[0]["amount"], "refunded once, in full: {}", charges[0]);
    assert_eq!(p.emails_to(&buyer.email).await.len(), 2, "confirmed and cancelled, each told once: {emails:?}");
}
