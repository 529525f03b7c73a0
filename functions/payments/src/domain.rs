//! What the payment consumer does next, decided from what is recorded: a message
//! delivered twice, or retried after a crash half-way, picks up where the last
//! attempt stopped instead of charging again.
//!
//! ```text
//! (nothing) ─▶ pending ─▶ pending + intent ─▶ succeeded ─▶ refunded
//!                                          └▶ failed
//! ```
//! The intent is created unconfirmed and its id recorded (a conditional write)
//! before anything is charged, so a retry finds it and asks its state; two
//! workers racing both create intents, but only the recorded one is ever
//! confirmed. The provider's idempotency key (the reservation id) is a second
//! guard where the provider honours it (Stripe does; localstripe does not).

use crate::provider::IntentStatus;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Succeeded,
    Failed,
    Refunded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }
}

/// One payment per reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub reservation_id: String,
    pub status: Status,
    pub intent_id: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Record the payment as pending.
    Start,
    /// Create an unconfirmed intent and record its id.
    CreateIntent,
    /// Ask the recorded intent's state (and confirm it if it waits for that).
    Charge(String),
    /// Already settled: only make sure the follow-ups (notice) happened.
    Settled(Status),
}

pub fn next_step(payment: Option<&Payment>) -> Step {
    match payment {
        None => Step::Start,
        Some(p) => match (p.status, &p.intent_id) {
            (Status::Pending, None) => Step::CreateIntent,
            (Status::Pending, Some(id)) => Step::Charge(id.clone()),
            (settled, _) => Step::Settled(settled),
        },
    }
}

/// What the intent's state means for the charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charge {
    Confirm,
    Succeeded,
    Declined(String),
    /// A state we do not settle on (processing, ...): look again later.
    Wait(String),
}

pub fn charge(status: &IntentStatus) -> Charge {
    match status {
        IntentStatus::RequiresConfirmation => Charge::Confirm,
        IntentStatus::Succeeded => Charge::Succeeded,
        IntentStatus::Declined(code) => Charge::Declined(code.clone()),
        IntentStatus::Other(other) => Charge::Wait(other.clone()),
    }
}

/// May a refund be paid out for this payment? Only money taken can go back, once.
pub fn refundable(payment: Option<&Payment>) -> Result<&str, &'static str> {
    match payment {
        Some(Payment { status: Status::Succeeded, intent_id: Some(intent), .. }) => Ok(intent),
        Some(Payment { status: Status::Refunded, .. }) => Err("already refunded"),
        _ => Err("nothing was charged"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(status: Status, intent: Option<&str>) -> Payment {
        Payment {
            reservation_id: "r1".into(),
            status,
            intent_id: intent.map(str::to_owned),
            amount_minor: 5000,
            currency: "EUR".into(),
        }
    }

    #[test]
    fn a_retry_resumes_where_the_last_attempt_stopped() {
        assert_eq!(next_step(None), Step::Start);
        assert_eq!(next_step(Some(&payment(Status::Pending, None))), Step::CreateIntent);
        assert_eq!(next_step(Some(&payment(Status::Pending, Some("pi_1")))), Step::Charge("pi_1".into()));
        assert_eq!(next_step(Some(&payment(Status::Succeeded, Some("pi_1")))), Step::Settled(Status::Succeeded));
        assert_eq!(next_step(Some(&payment(Status::Failed, Some("pi_1")))), Step::Settled(Status::Failed));
    }

    #[test]
    fn only_an_unconfirmed_intent_is_confirmed() {
        assert_eq!(charge(&IntentStatus::RequiresConfirmation), Charge::Confirm);
        assert_eq!(charge(&IntentStatus::Succeeded), Charge::Succeeded, "a retry never charges twice");
        assert_eq!(charge(&IntentStatus::Declined("card_declined".into())), Charge::Declined("card_declined".into()));
        assert_eq!(charge(&IntentStatus::Other("processing".into())), Charge::Wait("processing".into()));
    }

    #[test]
    fn refunds_only_for_money_taken_and_once() {
        assert_eq!(refundable(Some(&payment(Status::Succeeded, Some("pi_1")))), Ok("pi_1"));
        assert!(refundable(Some(&payment(Status::Refunded, Some("pi_1")))).is_err());
        assert!(refundable(Some(&payment(Status::Failed, Some("pi_1")))).is_err());
        assert!(refundable(None).is_err());
    }
}
