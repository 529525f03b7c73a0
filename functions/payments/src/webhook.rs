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

/// The events the endpoint subscribes to (Stripe's dashboard, or `make run`'s localstripe).
pub const SUBSCRIBED: [&str; 5] = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "payment_intent.processing",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Look at this reservation's payment again (the intent's news).
    Check { reservation_id: String, intent_id: String },
    /// Acknowledged, nothing to do: why.
    Ignore(&'static str),
}

pub fn action(event: &StripeEvent) -> Action {
    if !SUBSCRIBED.contains(&event.kind.as_str()) {
        return Action::Ignore("an event type this endpoint does not act on");
    }
    let object = &event.data.object;
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
        for kind in SUBSCRIBED {
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
}
