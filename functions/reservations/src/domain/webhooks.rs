//! What an organizer's webhook endpoints hear of a committed change of a
//! reservation (the stream forwards it to `WebhookEventsQueue`):
//!
//! | change | event |
//! |---|---|
//! | pending → confirmed (paid) | `reservation.confirmed` |
//! | pending or confirmed → cancelled | `reservation.cancelled` |
//! | confirmed → cancelled, or paid as its event was cancelled | and `reservation.refunded` (what was left) |
//! | confirmed, the organizer refunded a part | `reservation.refunded` (`partial`) |
//!
//! The payload carries the booking, never the buyer's contact (the organizer's
//! participant list has that, behind its own rights).

use super::reservation::{Reservation, Status};
use serde_json::{Value, json};
use shared::messages::WebhookEvent;

pub const CONFIRMED: &str = "reservation.confirmed";
pub const CANCELLED: &str = "reservation.cancelled";
pub const REFUNDED: &str = "reservation.refunded";

/// The webhook events of one committed change; `before` is `None` for a new reservation.
pub fn webhook_events(before: Option<&Reservation>, after: &Reservation) -> Vec<WebhookEvent> {
    let Some(before) = before else { return vec![] };
    let mut events = Vec::new();
    if after.status == Status::Confirmed && after.refunds.len() > before.refunds.len() {
        for part in &after.refunds[before.refunds.len()..] {
            let refund = json!({"amountMinor": part.amount_minor, "partial": true, "reason": part.reason});
            let id = WebhookEvent::message_id(part.requested_at, &[&after.id, REFUNDED, &part.id]);
            events.push(event(after, REFUNDED, id, part.requested_at, Some(refund)));
        }
    }
    let at = after.updated_at;
    match (before.status, after.status) {
        (Status::PendingPayment, Status::Confirmed) => {
            events.push(event(after, CONFIRMED, WebhookEvent::message_id(at, &[&after.id, CONFIRMED]), at, None));
        }
        (Status::PendingPayment | Status::Confirmed, Status::Cancelled) => {
            events.push(event(after, CANCELLED, WebhookEvent::message_id(at, &[&after.id, CANCELLED]), at, None));
            if before.status == Status::Confirmed || after.refund_requested {
                let amount = after.rest_after_partial_refunds().unwrap_or(after.amount_minor);
                let refund =
                    json!({"amountMinor": amount, "partial": false, "reason": after.cancel_reason.map(|r| r.as_str())});
                let id = WebhookEvent::message_id(at, &[&after.id, REFUNDED]);
                events.push(event(after, REFUNDED, id, at, Some(refund)));
            }
        }
        _ => {}
    }
    events
}

fn event(
    r: &Reservation,
    event_type: &str,
    id: String,
    at: chrono::DateTime<chrono::Utc>,
    refund: Option<Value>,
) -> WebhookEvent {
    let mut data = json!({
        "reservationId": r.id,
        "eventId": r.event_id,
        "eventTitle": r.event_title,
        "tierId": r.tier_id,
        "tierName": r.tier_name,
        "quantity": r.quantity,
        "amountMinor": r.amount_minor,
        "currency": r.currency,
        "status": r.status.as_str(),
        "seats": r.seats.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
    });
    if let Some(reason) = r.cancel_reason {
        data["cancelledBy"] = json!(reason.as_str());
    }
    if let Some(refund) = refund {
        data["refund"] = refund;
    }
    WebhookEvent {
        id,
        event_type: event_type.to_owned(),
        organizer_id: r.organizer_id.clone(),
        timestamp: shared::clock::stored(at),
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::refund::PartialRefund;
    use crate::domain::reservation::CancelReason;
    use crate::domain::reservation::tests::reservation;

    fn types(events: &[WebhookEvent]) -> Vec<&str> {
        events.iter().map(|e| e.event_type.as_str()).collect()
    }

    #[test]
    fn a_paid_hold_is_confirmed_once_and_a_rewrite_says_nothing() {
        let pending = reservation(Status::PendingPayment);
        let confirmed = reservation(Status::Confirmed);
        let events = webhook_events(Some(&pending), &confirmed);
        assert_eq!(types(&events), [CONFIRMED]);
        assert_eq!(events[0].organizer_id, confirmed.organizer_id);
        assert_eq!(events[0].data["reservationId"], confirmed.id);
        assert_eq!(events[0].data["status"], "confirmed");
        assert_eq!(events, webhook_events(Some(&pending), &confirmed), "the same change, the same ids");
        assert!(webhook_events(Some(&confirmed), &confirmed).is_empty());
        assert!(webhook_events(None, &pending).is_empty(), "a new hold is not news to the organizer");
    }

    #[test]
    fn a_cancelled_hold_is_cancelled_and_a_cancelled_booking_also_refunded() {
        let cancelled = Reservation { cancel_reason: Some(CancelReason::Attendee), ..reservation(Status::Cancelled) };
        assert_eq!(types(&webhook_events(Some(&reservation(Status::PendingPayment)), &cancelled)), [CANCELLED]);
        let events = webhook_events(Some(&reservation(Status::Confirmed)), &cancelled);
        assert_eq!(types(&events), [CANCELLED, REFUNDED]);
        assert_eq!(events[1].data["refund"]["amountMinor"], cancelled.amount_minor);
        assert_eq!(events[1].data["refund"]["partial"], false);
        assert_eq!(events[1].data["cancelledBy"], "attendee");
        assert_ne!(events[0].id, events[1].id);
        assert!(webhook_events(Some(&reservation(Status::PendingPayment)), &reservation(Status::Expired)).is_empty());
    }

    #[test]
    fn each_partial_refund_is_told_once_and_a_full_one_after_it_gives_the_rest() {
        let paid = reservation(Status::Confirmed);
        let part = |id: &str, amount| PartialRefund {
            id: id.into(),
            amount_minor: amount,
            reason: None,
            requested_at: paid.updated_at,
            by: "o1".into(),
        };
        let one = Reservation { refunds: vec![part("a", 1000)], ..paid.clone() };
        let two = Reservation { refunds: vec![part("a", 1000), part("b", 500)], ..paid.clone() };
        let first = webhook_events(Some(&paid), &one);
        assert_eq!(types(&first), [REFUNDED]);
        assert_eq!(first[0].data["refund"], json!({"amountMinor": 1000, "partial": true, "reason": null}));
        let second = webhook_events(Some(&one), &two);
        assert_eq!(types(&second), [REFUNDED]);
        assert_eq!(second[0].data["refund"]["amountMinor"], 500);
        assert_ne!(first[0].id, second[0].id);
        let rest = Reservation {
            cancel_reason: Some(CancelReason::Organizer),
            refund_requested: true,
            ..Reservation { status: Status::Cancelled, ..two.clone() }
        };
        let events = webhook_events(Some(&two), &rest);
        assert_eq!(types(&events), [CANCELLED, REFUNDED]);
        assert_eq!(events[1].data["refund"]["amountMinor"], paid.amount_minor - 1500);
    }
}
