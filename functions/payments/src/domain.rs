//! What the payment consumer does next, decided from what is recorded: a message
//! delivered twice, or retried after a crash half-way, picks up where the last
//! attempt stopped instead of charging again.
//!
//! ```text
//! (nothing) ─▶ pending ─▶ pending + intent ─▶ succeeded ─▶ refunding ─▶ refunded
//!                                          └▶ failed
//! ```
//! A refund is claimed (`refunding`, with a lease) before the provider is asked
//! for it, so two requests for the same refund (a double click, a redelivery)
//! pay it out once; a claim whose worker died lapses and the refund's own
//! redelivered request takes it over.
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
    Refunding,
    Refunded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Refunding => "refunding",
            Self::Refunded => "refunded",
        }
    }
}

/// What a committed change of a payment tells the reservations domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    Refunded,
}

/// The outcome a payment's move from `before` to `after` publishes, if any (a
/// recorded intent, a refund claim or a rewrite publishes nothing).
pub fn outcome(before: Option<Status>, after: Status) -> Option<Outcome> {
    if before == Some(after) {
        return None;
    }
    match after {
        Status::Succeeded => Some(Outcome::Succeeded),
        Status::Failed => Some(Outcome::Failed),
        Status::Refunded => Some(Outcome::Refunded),
        Status::Pending | Status::Refunding => None,
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
    /// While `refunding`: when the claim lapses (Unix seconds).
    pub refund_claimed_until: Option<i64>,
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

/// How long a refund claim holds: longer than the payment function may run (40 s),
/// so a live worker is never overtaken. A request that finds the refund claimed
/// comes back when the claim lapses (a delayed copy on the queue): by then the
/// refund is done, or its worker died and that request takes it over.
pub const REFUND_CLAIM_SECONDS: i64 = 60;

/// What a refund request does with the payment as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refund<'a> {
    /// Claim the refund of this intent, then pay it out.
    Claim(&'a str),
    /// Take over a claim whose worker died: it may have paid the refund out before
    /// dying (or its answer was lost), so ask the provider before paying it out.
    TakeOver(&'a str),
    /// Another worker holds the claim until `lapses_at` (Unix seconds): it pays the
    /// refund out, unless it died; look again then.
    InProgress {
        lapses_at: i64,
    },
    AlreadyRefunded,
    NothingCharged,
}

/// Only money taken goes back, and once.
pub fn refund(payment: Option<&Payment>, now: i64) -> Refund<'_> {
    let Some(payment) = payment else { return Refund::NothingCharged };
    match (payment.status, payment.intent_id.as_deref(), payment.refund_claimed_until) {
        (Status::Succeeded, Some(intent), _) => Refund::Claim(intent),
        (Status::Refunding, Some(intent), Some(until)) if until <= now => Refund::TakeOver(intent),
        (Status::Refunding, _, until) => Refund::InProgress { lapses_at: until.unwrap_or(now + REFUND_CLAIM_SECONDS) },
        (Status::Refunded, _, _) => Refund::AlreadyRefunded,
        _ => Refund::NothingCharged,
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
            refund_claimed_until: None,
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
        let now = 1_000;
        assert_eq!(refund(Some(&payment(Status::Succeeded, Some("pi_1"))), now), Refund::Claim("pi_1"));
        assert_eq!(refund(Some(&payment(Status::Refunded, Some("pi_1"))), now), Refund::AlreadyRefunded);
        assert_eq!(refund(Some(&payment(Status::Failed, Some("pi_1"))), now), Refund::NothingCharged);
        assert_eq!(refund(Some(&payment(Status::Pending, Some("pi_1"))), now), Refund::NothingCharged);
        assert_eq!(refund(None, now), Refund::NothingCharged);
    }

    #[test]
    fn a_claimed_refund_is_left_to_its_claimer_until_the_claim_lapses() {
        let claimed = |until| Payment { refund_claimed_until: Some(until), ..payment(Status::Refunding, Some("pi_1")) };
        assert_eq!(
            refund(Some(&claimed(1_000 + REFUND_CLAIM_SECONDS)), 1_000),
            Refund::InProgress { lapses_at: 1_000 + REFUND_CLAIM_SECONDS }
        );
        assert_eq!(refund(Some(&claimed(1_000)), 1_000), Refund::TakeOver("pi_1"), "its worker died: taken over");
        assert_eq!(
            refund(Some(&payment(Status::Refunding, Some("pi_1"))), 1_000),
            Refund::InProgress { lapses_at: 1_000 + REFUND_CLAIM_SECONDS }
        );
        assert_eq!(
            next_step(Some(&claimed(1_000))),
            Step::Settled(Status::Refunding),
            "a charge's duplicate never charges again"
        );
    }

    #[test]
    fn settling_moves_publish_their_outcome_once() {
        assert_eq!(outcome(Some(Status::Pending), Status::Succeeded), Some(Outcome::Succeeded));
        assert_eq!(outcome(Some(Status::Pending), Status::Failed), Some(Outcome::Failed));
        assert_eq!(outcome(Some(Status::Refunding), Status::Refunded), Some(Outcome::Refunded));
        assert_eq!(outcome(Some(Status::Succeeded), Status::Refunding), None, "a claim is not an outcome");
        assert_eq!(outcome(None, Status::Pending), None);
        assert_eq!(outcome(Some(Status::Pending), Status::Pending), None, "an intent recorded");
        assert_eq!(outcome(Some(Status::Succeeded), Status::Succeeded), None);
    }
}
