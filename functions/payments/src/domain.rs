//! What the payment consumer does next, decided from what is recorded: a message
//! delivered twice, or retried after a crash half-way, picks up where the last
//! attempt stopped instead of charging again.
//!
//! ```text
//! (nothing) ─▶ pending ─▶ pending + intent ─┬▶ succeeded ─▶ refunding ─▶ refunded
//!                                   ▲        ├▶ failed
//!                                   │        └▶ requires_action ─┬▶ succeeded (the buyer passed 3-D Secure)
//!                                   │                            ├▶ failed (cancelled: the hold ended first)
//!                                   └── another card ─── requires_payment_method (the challenge failed)
//! (nothing) ─▶ succeeded                                  (a free order: no provider at all)
//! ```
//! While the payment waits on its buyer (`requires_action`, `requires_payment_method`)
//! what happens next is Stripe's to tell: a webhook, or our own look at the intent a
//! few minutes later (reconciliation) when the webhook does not come.
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
    /// The buyer must authenticate in the browser (3-D Secure).
    RequiresAction,
    /// The buyer's card failed authentication: another may be given while the hold lasts.
    RequiresPaymentMethod,
    Succeeded,
    Failed,
    Refunding,
    Refunded,
}

impl Status {
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::RequiresAction,
            Self::RequiresPaymentMethod,
            Self::Succeeded,
            Self::Failed,
            Self::Refunding,
            Self::Refunded,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }

    /// Waiting on its buyer: only Stripe (a webhook, or our look at the intent) moves it on.
    pub fn awaits_buyer(self) -> bool {
        matches!(self, Self::RequiresAction | Self::RequiresPaymentMethod)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::RequiresAction => "requires_action",
            Self::RequiresPaymentMethod => "requires_payment_method",
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
    ActionRequired,
    MethodRequired,
    /// A refund failed at the bank: the money is back, to be refunded again.
    RefundFailed,
}

/// The outcome a payment's move from `before` to `after` publishes, if any (a
/// recorded intent, a refund claim or a rewrite publishes nothing).
pub fn outcome(before: Option<Status>, after: Status) -> Option<Outcome> {
    if before == Some(after) {
        return None;
    }
    if (before, after) == (Some(Status::Refunded), Status::Succeeded) {
        return Some(Outcome::RefundFailed);
    }
    match after {
        Status::Succeeded => Some(Outcome::Succeeded),
        Status::Failed => Some(Outcome::Failed),
        Status::Refunded => Some(Outcome::Refunded),
        Status::RequiresAction => Some(Outcome::ActionRequired),
        Status::RequiresPaymentMethod => Some(Outcome::MethodRequired),
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
    /// The intent's client secret, while the buyer must act.
    pub client_secret: Option<String>,
    /// The last card retry applied (0: the card the reservation was made with).
    pub attempt: u32,
    /// Refunds that failed at the bank so far (each retry is a new refund).
    pub refund_failures: u32,
}

/// The idempotency key of a payment's refund: a new one after each failure (the
/// provider would answer a retried key with the failed refund).
pub fn refund_key(payment: &Payment) -> String {
    match payment.refund_failures {
        0 => format!("refund-{}", payment.reservation_id),
        n => format!("refund-{}-{n}", payment.reservation_id),
    }
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
            (Status::Pending | Status::RequiresAction | Status::RequiresPaymentMethod, Some(id)) => {
                Step::Charge(id.clone())
            }
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
    /// The buyer must authenticate (Stripe's next action): wait for them.
    AwaitBuyer(String),
    /// The buyer's card failed authentication: wait for another card.
    AwaitCard,
    /// Nobody will pay it any more (the hold is gone): cancel it at the provider.
    Cancel,
    /// Never confirmed and the hold is gone: closed as failed, no money moved.
    Abandon,
    /// A state we do not settle on (processing, ...): look again later.
    Wait(String),
}

/// What to do with an intent in `status`, `held` saying whether its reservation
/// still holds seats for payment (pending, and the hold not run out).
pub fn charge(status: &IntentStatus, held: bool) -> Charge {
    match status {
        IntentStatus::RequiresConfirmation if held => Charge::Confirm,
        IntentStatus::RequiresConfirmation => Charge::Abandon,
        IntentStatus::Succeeded => Charge::Succeeded,
        IntentStatus::Declined(code) => Charge::Declined(code.clone()),
        IntentStatus::RequiresAction(next) if held => Charge::AwaitBuyer(next.clone()),
        IntentStatus::AuthenticationFailed if held => Charge::AwaitCard,
        IntentStatus::RequiresAction(_) | IntentStatus::AuthenticationFailed => Charge::Cancel,
        IntentStatus::Canceled => Charge::Declined("canceled".into()),
        IntentStatus::Other(other) => Charge::Wait(other.clone()),
    }
}

/// What a buyer's card retry does with the payment as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry<'a> {
    /// Attach the new card to this intent, then charge it.
    Attach(&'a str),
    /// This attempt (or a later one) was applied already, or the payment moved on.
    Nothing,
}

/// A card is taken while the payment waits on its buyer: after a failed challenge,
/// and also while one is open (the buyer gave up on it, or the browser knew of its
/// failure before Stripe's webhook told us).
pub fn retry(payment: Option<&Payment>, attempt: u32) -> Retry<'_> {
    match payment {
        Some(p) if p.status.awaits_buyer() && attempt > p.attempt => {
            p.intent_id.as_deref().map_or(Retry::Nothing, Retry::Attach)
        }
        _ => Retry::Nothing,
    }
}

/// Whether an intent in `status` takes another card: not once it succeeded (the
/// buyer passed the challenge after all) or was cancelled.
pub fn takes_another_card(status: &IntentStatus) -> bool {
    matches!(
        status,
        IntentStatus::AuthenticationFailed
            | IntentStatus::RequiresAction(_)
            | IntentStatus::RequiresConfirmation
            | IntentStatus::Other(_)
    )
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
    /// A free order: nothing went through the provider, nothing goes back through it.
    Free,
}

/// Only money taken goes back, and once.
pub fn refund(payment: Option<&Payment>, now: i64) -> Refund<'_> {
    let Some(payment) = payment else { return Refund::NothingCharged };
    match (payment.status, payment.intent_id.as_deref(), payment.refund_claimed_until) {
        (Status::Succeeded, Some(intent), _) => Refund::Claim(intent),
        (Status::Succeeded, None, _) if payment.amount_minor == 0 => Refund::Free,
        (Status::Refunding, Some(intent), Some(until)) if until <= now => Refund::TakeOver(intent),
        (Status::Refunding, _, until) => Refund::InProgress { lapses_at: until.unwrap_or(now + REFUND_CLAIM_SECONDS) },
        (Status::Refunded, _, _) => Refund::AlreadyRefunded,
        _ => Refund::NothingCharged,
    }
}

/// The intent a partial refund of `amount_minor` comes from; an error for a refund
/// that cannot be (no money taken, or more than was). A full refund made since
/// gives back only the rest (the reservation counts the parts), so a part is still
/// owed then.
pub fn partial_refund(payment: Option<&Payment>, amount_minor: i64) -> Result<String, String> {
    let Some(payment) = payment else { return Err("no payment to refund part of".into()) };
    match (payment.status, &payment.intent_id) {
        (Status::Succeeded | Status::Refunding | Status::Refunded, Some(intent))
            if amount_minor > 0 && amount_minor <= payment.amount_minor =>
        {
            Ok(intent.clone())
        }
        (Status::Succeeded | Status::Refunding | Status::Refunded, Some(_)) => {
            Err(format!("{amount_minor} is not part of {}", payment.amount_minor))
        }
        (status, _) => Err(format!("a payment {} has no money to give back", status.as_str())),
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
            client_secret: None,
            attempt: 0,
            refund_failures: 0,
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
        assert_eq!(charge(&IntentStatus::RequiresConfirmation, true), Charge::Confirm);
        assert_eq!(charge(&IntentStatus::Succeeded, true), Charge::Succeeded, "a retry never charges twice");
        assert_eq!(
            charge(&IntentStatus::Declined("card_declined".into()), true),
            Charge::Declined("card_declined".into())
        );
        assert_eq!(charge(&IntentStatus::Other("processing".into()), true), Charge::Wait("processing".into()));
    }

    #[test]
    fn money_never_moves_for_a_hold_that_is_gone() {
        assert_eq!(charge(&IntentStatus::RequiresConfirmation, false), Charge::Abandon);
        assert_eq!(charge(&IntentStatus::RequiresAction("use_stripe_sdk".into()), false), Charge::Cancel);
        assert_eq!(charge(&IntentStatus::AuthenticationFailed, false), Charge::Cancel);
        assert_eq!(
            charge(&IntentStatus::Succeeded, false),
            Charge::Succeeded,
            "money taken is recorded (and then sent back by the reservations domain)"
        );
        assert_eq!(charge(&IntentStatus::Canceled, true), Charge::Declined("canceled".into()));
    }

    #[test]
    fn the_buyer_is_waited_for_while_the_hold_lasts() {
        assert_eq!(
            charge(&IntentStatus::RequiresAction("use_stripe_sdk".into()), true),
            Charge::AwaitBuyer("use_stripe_sdk".into())
        );
        assert_eq!(charge(&IntentStatus::AuthenticationFailed, true), Charge::AwaitCard);
        let waiting = Payment { status: Status::RequiresAction, ..payment(Status::Pending, Some("pi_1")) };
        assert_eq!(
            next_step(Some(&waiting)),
            Step::Charge("pi_1".into()),
            "a webhook or a look again reads the intent"
        );
    }

    #[test]
    fn a_card_retry_applies_once_and_only_after_a_failed_challenge() {
        let failed = Payment { status: Status::RequiresPaymentMethod, ..payment(Status::Pending, Some("pi_1")) };
        assert_eq!(retry(Some(&failed), 1), Retry::Attach("pi_1"));
        let applied = Payment { attempt: 1, ..failed.clone() };
        assert_eq!(retry(Some(&applied), 1), Retry::Nothing, "the same retry delivered twice");
        assert_eq!(retry(Some(&applied), 2), Retry::Attach("pi_1"));
        assert_eq!(retry(Some(&payment(Status::Succeeded, Some("pi_1"))), 5), Retry::Nothing);
        let challenged = Payment { status: Status::RequiresAction, ..payment(Status::Pending, Some("pi_1")) };
        assert_eq!(retry(Some(&challenged), 1), Retry::Attach("pi_1"), "the browser knew the challenge failed first");
        assert!(takes_another_card(&IntentStatus::AuthenticationFailed));
        assert!(!takes_another_card(&IntentStatus::Succeeded), "paid after all: nothing to attach");
        assert!(!takes_another_card(&IntentStatus::Canceled));
        assert_eq!(retry(None, 1), Retry::Nothing);
    }

    #[test]
    fn a_free_order_is_given_back_without_the_provider() {
        let free = Payment { amount_minor: 0, ..payment(Status::Succeeded, None) };
        assert_eq!(refund(Some(&free), 1_000), Refund::Free);
        assert_eq!(Status::parse("requires_action"), Some(Status::RequiresAction));
        assert_eq!(Status::parse("nonsense"), None);
    }

    #[test]
    fn a_partial_refund_comes_from_a_payment_that_took_the_money() {
        let paid = payment(Status::Succeeded, Some("pi_1"));
        assert_eq!(partial_refund(Some(&paid), 1000), Ok("pi_1".into()));
        assert!(partial_refund(Some(&paid), paid.amount_minor + 1).is_err(), "never more than was taken");
        assert_eq!(partial_refund(Some(&payment(Status::Refunded, Some("pi_1"))), 1000), Ok("pi_1".into()));
        assert!(partial_refund(Some(&payment(Status::Failed, Some("pi_1"))), 1000).is_err());
        assert!(partial_refund(None, 1000).is_err());
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
        assert_eq!(outcome(Some(Status::Pending), Status::RequiresAction), Some(Outcome::ActionRequired));
        assert_eq!(outcome(Some(Status::RequiresAction), Status::RequiresPaymentMethod), Some(Outcome::MethodRequired));
        assert_eq!(outcome(Some(Status::RequiresAction), Status::RequiresAction), None);
        assert_eq!(outcome(None, Status::Succeeded), Some(Outcome::Succeeded), "a free order");
        assert_eq!(outcome(Some(Status::Refunded), Status::Succeeded), Some(Outcome::RefundFailed));
    }

    #[test]
    fn a_failed_refund_is_asked_again_under_a_new_key() {
        let first = payment(Status::Succeeded, Some("pi_1"));
        assert_eq!(refund_key(&first), "refund-r1");
        let again = Payment { refund_failures: 1, ..first };
        assert_eq!(refund_key(&again), "refund-r1-1");
    }
}
