//! A reservation and its life:
//!
//! ```text
//!                 ┌──────── payment succeeded ───────▶ confirmed ──── cancelled by holder ──▶ cancelled (refunded)
//! pending_payment ┼──────── payment declined ────────▶ payment_failed
//!                 ┼──────── hold expired (sweeper) ──▶ expired
//!                 └──────── cancelled by holder ─────▶ cancelled
//! ```
//!
//! Seats are held from the start and given back exactly when a reservation leaves
//! `pending_payment` or `confirmed` for a state that holds none; the store does the
//! state change and the seat return in one transaction, conditioned on the state
//! this rule saw, so the return happens once whatever races.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    PendingPayment,
    Confirmed,
    PaymentFailed,
    Expired,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Confirmed => "confirmed",
            Self::PaymentFailed => "payment_failed",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether a reservation in this state holds its seats.
    pub fn holds_seats(self) -> bool {
        matches!(self, Self::PendingPayment | Self::Confirmed)
    }
}

/// Who cancelled a reservation: it decides what its holder is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// Its holder (or an admin for them).
    Attendee,
    /// The organizer cancelled the event.
    Event,
    /// The event's organizer cancelled and refunded this booking.
    Organizer,
}

impl CancelReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attendee => "attendee",
            Self::Event => "event",
            Self::Organizer => "organizer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: String,
    pub user_id: String,
    pub event_id: String,
    pub organizer_id: String,
    pub event_title: String,
    pub venue: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    /// The start in the event's zone, as emails show it.
    pub starts_at_local: Option<String>,
    pub tier_id: String,
    pub tier_name: String,
    pub quantity: u32,
    pub unit_price_minor: i64,
    /// Fixed when the seats were held: price × quantity.
    pub amount_minor: i64,
    pub currency: String,
    pub payment_method: String,
    pub status: Status,
    pub hold_expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// One per seat once confirmed.
    pub tickets: Vec<String>,
    /// Set when a confirmed reservation was cancelled: its payment is to be refunded.
    pub refund_requested: bool,
    /// Set when it was cancelled: by whom.
    pub cancel_reason: Option<CancelReason>,
    /// The API request that made it, carried along the chain for the logs.
    pub correlation_id: String,
    /// While pending: where the payment stands when it waits on the buyer (3-D Secure).
    pub payment: Option<PaymentProgress>,
    /// Cards given after the first failed authentication (0: none).
    pub payment_attempt: u32,
    /// Times its tickets were handed to another account (each time with new codes).
    pub transfers: u32,
    /// The buyer's bank disputes the charge: the tickets are refused at the door.
    pub disputed: bool,
    /// The tier's shard the seats came from (where they go back).
    pub shard: u32,
    /// Seat by seat, when the tier is seated: each seat's id and name.
    pub seats: Vec<BookedSeat>,
    /// Parts of the payment the organizer gave back, the tickets staying valid.
    pub refunds: Vec<super::refund::PartialRefund>,
    /// The code that discounted it (or opened its hidden tier), fixed at hold time.
    pub promo: Option<super::promo::AppliedPromo>,
    /// Offered from the tier's waiting list: when the holder joined it (their place).
    pub waiting_list_joined_at: Option<DateTime<Utc>>,
}

/// A reserved seat: its id on the event's map and how tickets name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookedSeat {
    /// `<section>-<row>-<seat>`.
    pub id: String,
    /// "Nord, row C, seat 12".
    pub name: String,
}

/// What a pending reservation's buyer must do about the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStep {
    /// Authenticate with the bank in the browser (Stripe.js, with the client secret).
    RequiresAction,
    /// The bank's challenge failed: give another card while the hold lasts.
    RequiresPaymentMethod,
    /// Another card was given: the payment is under way again.
    Processing,
}

/// The payment as the reservation shows it while it waits on the buyer, from the
/// payments domain's outcomes (ordered by `sequence`: a late one is ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentProgress {
    pub status: PaymentStep,
    pub sequence: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Stripe's next action (requires action) or why the card was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Why the buyer may not give another card now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryRefusal {
    /// The reservation is not waiting for a card (paid, failed, expired, or the
    /// current card is still being tried).
    NotAwaitingCard,
    /// The hold ran out.
    HoldExpired,
}

/// May the holder give another card now? Only while the payment waits on them (a
/// challenge failed, or is open: the browser hears of its failure before the
/// server), and while the hold lasts.
pub fn may_retry_payment(reservation: &Reservation, now: DateTime<Utc>) -> Result<u32, RetryRefusal> {
    if reservation.status != Status::PendingPayment {
        return Err(RetryRefusal::NotAwaitingCard);
    }
    if reservation.hold_expired(now) {
        return Err(RetryRefusal::HoldExpired);
    }
    match &reservation.payment {
        Some(progress) if progress.status != PaymentStep::Processing => Ok(reservation.payment_attempt + 1),
        _ => Err(RetryRefusal::NotAwaitingCard),
    }
}

/// Who asks.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub user_id: &'a str,
    pub is_admin: bool,
}

impl Reservation {
    /// Its holder, the event's organizer, or an admin.
    pub fn visible_to(&self, viewer: Viewer<'_>) -> bool {
        viewer.is_admin || viewer.user_id == self.user_id || viewer.user_id == self.organizer_id
    }

    /// Whether the hold has run out (only a pending reservation has one that matters).
    pub fn hold_expired(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::PendingPayment && self.hold_expires_at <= now
    }
}

impl Reservation {
    /// What an email about this reservation shows.
    pub fn summary(&self) -> shared::messages::BookingSummary {
        shared::messages::BookingSummary {
            event_id: self.event_id.clone(),
            event_title: self.event_title.clone(),
            venue: self.venue.clone(),
            venue_address: None,
            timezone: None,
            starts_at_local: self.starts_at_local.clone(),
            tier_name: self.tier_name.clone(),
            quantity: self.quantity,
            amount_minor: self.amount_minor,
            currency: self.currency.clone(),
            ticket_codes: self.tickets.clone(),
            seats: self.seats.iter().map(|s| s.name.clone()).collect(),
        }
    }

    /// The message asking to tell the event's organizer about `kind` (a dispute, a failed refund).
    pub fn organizer_notification(
        &self,
        kind: shared::messages::NotificationKind,
    ) -> shared::messages::NotificationMessage {
        let mut message = self.notification(kind);
        let shared::messages::NotificationMessage::Send(request) = &mut message else { unreachable!("one request") };
        request.user_id = self.organizer_id.clone();
        message
    }

    /// What a full refund gives back when the organizer refunded parts before (the
    /// rest); `None` without partial refunds: the whole charge.
    pub fn rest_after_partial_refunds(&self) -> Option<i64> {
        (!self.refunds.is_empty()).then(|| super::refund::refundable(self))
    }

    /// Why its money goes back, for asking a refund again after one failed.
    pub fn refund_reason(&self) -> shared::messages::RefundReason {
        use shared::messages::RefundReason;
        match (self.refund_requested, self.cancel_reason) {
            (true, Some(CancelReason::Event)) => RefundReason::EventCancelled,
            (true, Some(CancelReason::Organizer)) => RefundReason::CancelledByOrganizer,
            (true, _) => RefundReason::CancelledByAttendee,
            (false, _) => RefundReason::LatePayment,
        }
    }

    /// The message asking to tell `user_id` (a former holder) about `kind`.
    pub fn notification_to(
        &self,
        kind: shared::messages::NotificationKind,
        user_id: &str,
    ) -> shared::messages::NotificationMessage {
        let mut message = self.notification(kind);
        let shared::messages::NotificationMessage::Send(request) = &mut message else { unreachable!("one request") };
        request.user_id = user_id.to_owned();
        request.booking.ticket_codes.clear();
        message
    }

    /// The message telling the holder that part of the payment went back.
    pub fn partial_refund_notification(
        &self,
        part: &super::refund::PartialRefund,
    ) -> shared::messages::NotificationMessage {
        let mut message = self.notification(shared::messages::NotificationKind::PartiallyRefunded);
        let shared::messages::NotificationMessage::Send(request) = &mut message else { unreachable!("one request") };
        request.refund =
            Some(shared::messages::RefundNotice { refund_id: part.id.clone(), amount_minor: part.amount_minor });
        request.booking.ticket_codes.clear();
        message
    }

    /// The message asking to tell the holder about `kind`.
    pub fn notification(&self, kind: shared::messages::NotificationKind) -> shared::messages::NotificationMessage {
        shared::messages::NotificationMessage::Send(shared::messages::NotificationRequest {
            kind,
            reservation_id: self.id.clone(),
            user_id: self.user_id.clone(),
            booking: self.summary(),
            event_starts_at: None,
            previous_starts_at_local: None,
            transfer: matches!(
                kind,
                shared::messages::NotificationKind::TicketsReceived
                    | shared::messages::NotificationKind::TicketsTransferred
            )
            .then_some(self.transfers),
            refund: None,
        })
    }
}

/// How a reservation that holds seats ends: the state it moves to and what is
/// recorded with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    pub to: Status,
    pub cancel_reason: Option<CancelReason>,
    /// A confirmed reservation cancelled: its payment is to be refunded.
    pub refund_requested: bool,
}

impl Ending {
    pub fn expired() -> Self {
        Self { to: Status::Expired, cancel_reason: None, refund_requested: false }
    }

    pub fn payment_failed() -> Self {
        Self { to: Status::PaymentFailed, cancel_reason: None, refund_requested: false }
    }

    /// A pending reservation whose payment failed. If its hold had run out by then
    /// it expired: the failure is the payments domain giving up on an intent
    /// nobody can pay any more (an abandoned 3-D Secure challenge is cancelled at
    /// the hold's end), and the buyer's story is the same whichever of that and
    /// the sweeper comes first.
    pub fn after_failed_payment(reservation: &Reservation, now: DateTime<Utc>) -> Self {
        if reservation.hold_expired(now) { Self::expired() } else { Self::payment_failed() }
    }

    /// Cancelled for `reason`; a confirmed reservation (`was_paid`) is refunded.
    pub fn cancelled(reason: CancelReason, was_paid: bool) -> Self {
        Self { to: Status::Cancelled, cancel_reason: Some(reason), refund_requested: was_paid }
    }
}

/// What cancelling a reservation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// Pending: the hold is released; nothing was charged.
    ReleaseHold,
    /// Confirmed: seats released and the payment refunded.
    Refund,
    /// Cancelled before with a refund under way (a repeated DELETE): nothing more to
    /// do; the refund follows from the committed cancellation, once.
    AlreadyCancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelRefusal {
    /// The event has started: tickets are no longer refundable.
    EventStarted,
    /// Already over (failed, expired, cancelled without refund).
    NothingToCancel,
}

/// May the holder cancel now, and what does it take?
pub fn cancellation(reservation: &Reservation, now: DateTime<Utc>) -> Result<Cancellation, CancelRefusal> {
    let started = reservation.starts_at.is_some_and(|start| start <= now);
    match reservation.status {
        Status::PendingPayment => Ok(Cancellation::ReleaseHold),
        Status::Confirmed if started => Err(CancelRefusal::EventStarted),
        Status::Confirmed => Ok(Cancellation::Refund),
        Status::Cancelled if reservation.refund_requested => Ok(Cancellation::AlreadyCancelled),
        Status::PaymentFailed | Status::Expired | Status::Cancelled => Err(CancelRefusal::NothingToCancel),
    }
}

/// What a successful charge means for the reservation as it now stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Still held: confirm it, with its tickets.
    Confirm,
    /// Already confirmed by an earlier delivery of the same message: nothing to do.
    AlreadyConfirmed,
    /// The hold is gone (expired, cancelled): the money goes back.
    RefundLatePayment,
}

pub fn after_charge(status: Status) -> ChargeOutcome {
    match status {
        Status::PendingPayment => ChargeOutcome::Confirm,
        Status::Confirmed => ChargeOutcome::AlreadyConfirmed,
        Status::PaymentFailed | Status::Expired | Status::Cancelled => ChargeOutcome::RefundLatePayment,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    pub(crate) fn reservation(status: Status) -> Reservation {
        Reservation {
            id: "r1".into(),
            user_id: "u1".into(),
            event_id: "e1".into(),
            organizer_id: "o1".into(),
            event_title: "Final".into(),
            venue: Some("Stade, Lyon".into()),
            starts_at: Some(at("2030-06-01T18:00:00Z")),
            starts_at_local: Some("2030-06-01T20:00:00+02:00".into()),
            tier_id: "t1".into(),
            tier_name: "Standard".into(),
            quantity: 2,
            unit_price_minor: 2500,
            amount_minor: 5000,
            currency: "EUR".into(),
            payment_method: "pm_card_visa".into(),
            status,
            hold_expires_at: at("2030-01-01T00:15:00Z"),
            created_at: at("2030-01-01T00:00:00Z"),
            updated_at: at("2030-01-01T00:00:00Z"),
            tickets: vec![],
            refund_requested: false,
            cancel_reason: None,
            correlation_id: "req-1".into(),
            payment: None,
            payment_attempt: 0,
            transfers: 0,
            disputed: false,
            shard: 0,
            seats: Vec::new(),
            promo: None,
            refunds: Vec::new(),
            waiting_list_joined_at: None,
        }
    }

    #[test]
    fn holder_organizer_and_admins_see_a_reservation() {
        let r = reservation(Status::Confirmed);
        assert!(r.visible_to(Viewer { user_id: "u1", is_admin: false }));
        assert!(r.visible_to(Viewer { user_id: "o1", is_admin: false }));
        assert!(r.visible_to(Viewer { user_id: "x", is_admin: true }));
        assert!(!r.visible_to(Viewer { user_id: "x", is_admin: false }));
    }

    #[test]
    fn only_pending_holds_expire() {
        let pending = reservation(Status::PendingPayment);
        assert!(!pending.hold_expired(at("2030-01-01T00:14:59Z")));
        assert!(pending.hold_expired(at("2030-01-01T00:15:00Z")));
        assert!(!reservation(Status::Confirmed).hold_expired(at("2031-01-01T00:00:00Z")));
    }

    #[test]
    fn cancelling_releases_or_refunds_until_the_event_starts() {
        let before = at("2030-05-01T00:00:00Z");
        assert_eq!(cancellation(&reservation(Status::PendingPayment), before), Ok(Cancellation::ReleaseHold));
        assert_eq!(cancellation(&reservation(Status::Confirmed), before), Ok(Cancellation::Refund));
        assert_eq!(
            cancellation(&reservation(Status::Confirmed), at("2030-06-01T18:00:00Z")),
            Err(CancelRefusal::EventStarted)
        );
        for over in [Status::PaymentFailed, Status::Expired, Status::Cancelled] {
            assert_eq!(cancellation(&reservation(over), before), Err(CancelRefusal::NothingToCancel));
        }
        let refunding = Reservation { refund_requested: true, ..reservation(Status::Cancelled) };
        assert_eq!(cancellation(&refunding, before), Ok(Cancellation::AlreadyCancelled));
    }

    #[test]
    fn a_charge_confirms_only_a_live_hold() {
        assert_eq!(after_charge(Status::PendingPayment), ChargeOutcome::Confirm);
        assert_eq!(after_charge(Status::Confirmed), ChargeOutcome::AlreadyConfirmed);
        for gone in [Status::Expired, Status::Cancelled, Status::PaymentFailed] {
            assert_eq!(after_charge(gone), ChargeOutcome::RefundLatePayment);
        }
        assert!(Status::Confirmed.holds_seats() && !Status::Expired.holds_seats());
    }

    #[test]
    fn another_card_only_after_a_failed_challenge_and_while_the_hold_lasts() {
        let now = Utc::now();
        let waiting = |step| Reservation {
            payment: Some(PaymentProgress { status: step, sequence: 2, client_secret: None, detail: None }),
            hold_expires_at: now + chrono::Duration::minutes(5),
            ..reservation(Status::PendingPayment)
        };
        assert_eq!(may_retry_payment(&waiting(PaymentStep::RequiresPaymentMethod), now), Ok(1));
        let again = Reservation { payment_attempt: 1, ..waiting(PaymentStep::RequiresPaymentMethod) };
        assert_eq!(may_retry_payment(&again, now), Ok(2));
        assert_eq!(
            may_retry_payment(&waiting(PaymentStep::RequiresAction), now),
            Ok(1),
            "the browser heard the challenge failed before the server did"
        );
        let no_challenge = Reservation { payment: None, ..waiting(PaymentStep::RequiresAction) };
        assert_eq!(may_retry_payment(&no_challenge, now), Err(RetryRefusal::NotAwaitingCard), "a card is being tried");
        assert_eq!(
            may_retry_payment(&waiting(PaymentStep::Processing), now),
            Err(RetryRefusal::NotAwaitingCard),
            "a card is being tried"
        );
        let expired = Reservation { hold_expires_at: now, ..waiting(PaymentStep::RequiresPaymentMethod) };
        assert_eq!(may_retry_payment(&expired, now), Err(RetryRefusal::HoldExpired));
        let paid = Reservation { status: Status::Confirmed, ..waiting(PaymentStep::RequiresPaymentMethod) };
        assert_eq!(may_retry_payment(&paid, now), Err(RetryRefusal::NotAwaitingCard));
    }

    #[test]
    fn a_payment_that_fails_after_the_hold_ran_out_ends_it_as_expired() {
        let pending = reservation(Status::PendingPayment);
        let end = pending.hold_expires_at;
        let before = end - chrono::Duration::seconds(1);
        assert_eq!(Ending::after_failed_payment(&pending, before), Ending::payment_failed());
        assert_eq!(Ending::after_failed_payment(&pending, end), Ending::expired());
        assert_eq!(Ending::after_failed_payment(&pending, end + chrono::Duration::minutes(5)), Ending::expired());
    }
}
