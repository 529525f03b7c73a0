//! What a verified Stripe event asks of us. Stripe retries, duplicates and reorders
//! deliveries, so an event is never applied from its payload: it names the
//! reservation whose payment to look at, and the payment consumer acts on the
//! intent's state as Stripe gives it then (the same path as the charge and the
//! reconciliation). Applying "look again" twice, or in any order, comes to the same.

use serde::Deserialize;

/// The parts of a Stripe event we read.
#[derive(Debug, Deserialize)]
pub struct StripeEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

/// The intents' events the endpoint subscribes to (Stripe's dashboard, or `make run`'s localstripe).
pub const INTENT_EVENTS: [&str; 5] = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "payment_intent.processing",
];

/// The charges' events it subscribes to: a dispute opened, a refund that failed.
pub const CHARGE_EVENTS: [&str; 3] = ["charge.dispute.created", "refund.updated", "refund.failed"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Look at this reservation's payment again (the intent's news).
    Check { reservation_id: String, intent_id: String },
    /// The buyer's bank disputes the intent's charge.
    Dispute { intent_id: String, dispute_id: String, reason: Option<String> },
    /// A refund of the intent's charge failed at the bank.
    RefundFailed { intent_id: String, refund_id: String, reason: Option<String> },
    /// Acknowledged, nothing to do: why.
    Ignore(&'static str),
}

pub fn action(event: &StripeEvent) -> Action {
    let object = &event.data.object;
    let text = |name: &str| object[name].as_str().map(str::to_owned);
    match event.kind.as_str() {
        "charge.dispute.created" => {
            return match (text("payment_intent"), text("id")) {
                (Some(intent_id), Some(dispute_id)) => {
                    Action::Dispute { intent_id, dispute_id, reason: text("reason") }
                }
                _ => Action::Ignore("a dispute of a charge without a PaymentIntent"),
            };
        }
        // `refund.updated` tells of every change of a refund: only a failure matters here.
        "refund.updated" | "refund.failed" => {
            return match (text("status").as_deref(), text("payment_intent"), text("id")) {
                (Some("failed"), Some(intent_id), Some(refund_id)) => {
                    Action::RefundFailed { intent_id, refund_id, reason: text("failure_reason") }
                }
                _ => Action::Ignore("a refund that did not fail"),
            };
        }
        kind if INTENT_EVENTS.contains(&kind) => {}
        _ => return Action::Ignore("an event type this endpoint does not act on"),
    }
    let (Some(intent_id), Some(reservation_id)) =
        (object["id"].as_str(), object["metadata"]["reservation_id"].as_str())
    else {
        // Another integration's intent on the same Stripe account.
        return Action::Ignore("not a reservation's payment");
    };
    Action::Check { reservation_id: reservation_id.to_owned(), intent_id: intent_id.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, object: serde_json::Value) -> StripeEvent {
        serde_json::from_value(json!({"id": "evt_1", "type": kind, "data": {"object": object}})).unwrap()
    }

    #[test]
    fn an_intents_news_asks_to_look_at_its_reservations_payment() {
        let intent = json!({"id": "pi_1", "object": "payment_intent", "metadata": {"reservation_id": "r1"}});
        for kind in INTENT_EVENTS {
            assert_eq!(
                action(&event(kind, intent.clone())),
                Action::Check { reservation_id: "r1".into(), intent_id: "pi_1".into() },
                "{kind}"
            );
        }
    }

    #[test]
    fn other_events_and_other_integrations_intents_are_acknowledged_and_left() {
        let intent = json!({"id": "pi_1", "metadata": {}});
        assert_eq!(action(&event("payment_intent.succeeded", intent)), Action::Ignore("not a reservation's payment"));
        assert!(matches!(action(&event("customer.created", json!({"id": "cus_1"}))), Action::Ignore(_)));
    }

    #[test]
    fn a_dispute_and_a_failed_refund_name_their_intent() {
        let dispute = json!({"id": "dp_1", "object": "dispute", "payment_intent": "pi_1", "reason": "fraudulent"});
        assert_eq!(
            action(&event("charge.dispute.created", dispute)),
            Action::Dispute { intent_id: "pi_1".into(), dispute_id: "dp_1".into(), reason: Some("fraudulent".into()) }
        );
        let refund = |status: &str| {
            json!({"id": "re_1", "object": "refund", "payment_intent": "pi_1", "status": status,
                   "failure_reason": "expired_or_canceled_card"})
        };
        assert_eq!(
            action(&event("refund.updated", refund("failed"))),
            Action::RefundFailed {
                intent_id: "pi_1".into(),
                refund_id: "re_1".into(),
                reason: Some("expired_or_canceled_card".into())
            }
        );
        assert!(matches!(action(&event("refund.updated", refund("succeeded"))), Action::Ignore(_)));
        assert!(matches!(action(&event("charge.dispute.created", json!({"id": "dp_1"}))), Action::Ignore(_)));
    }
}
