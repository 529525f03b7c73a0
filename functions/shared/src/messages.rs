//! The messages domains send each other through queues: one definition that
//! producers and consumers both compile against.
//!
//! Every message is JSON with a `type` naming what it is and its version
//! (`payment.requested.v1`). A change that old consumers cannot read is a new
//! version, sent only once every consumer reads it; a consumer meeting a type it
//! does not know treats the message as poison (it goes to the DLQ, nothing is lost).
//! The correlation id (the API request that started the chain) travels as an SQS
//! message attribute, not in the body, so every hop can log it before decoding.

use serde::{Deserialize, Serialize};

/// The SQS message attribute holding the correlation id.
pub const CORRELATION_ID_ATTRIBUTE: &str = "correlationId";

/// On `PaymentRequestsQueue`: reservations ask payments to charge or refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PaymentMessage {
    #[serde(rename = "payment.requested.v1")]
    Charge(ChargeRequest),
    #[serde(rename = "refund.requested.v1")]
    Refund(RefundRequest),
    /// Part of a confirmed booking's payment back (the organizer's); the tickets stay valid.
    #[serde(rename = "refund.partial_requested.v1")]
    PartialRefund(PartialRefundRequest),
    /// The buyer gave another card after the last one failed authentication.
    #[serde(rename = "payment.retried.v1")]
    Retry(RetryRequest),
    /// Ask the provider what became of a reservation's payment: a webhook said it
    /// changed, or its outcome is late (reconciliation). Acting on the provider's
    /// current state, not on what the message says, makes duplicates and reordered
    /// deliveries harmless.
    #[serde(rename = "payment.check.v1")]
    Check(CheckRequest),
    /// Stripe says the buyer's bank opened a dispute (a chargeback) on a charge.
    #[serde(rename = "stripe.dispute_created.v1")]
    Disputed(StripeNews),
    /// Stripe says a refund failed at the bank (the money is back on our balance).
    #[serde(rename = "stripe.refund_failed.v1")]
    RefundFailed(StripeNews),
}

/// What a verified Stripe event said about a charge, to be read back from Stripe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StripeNews {
    /// The PaymentIntent whose charge it is about (its metadata names the reservation).
    pub intent_id: String,
    /// The dispute's or the refund's id.
    pub object_id: String,
    /// Stripe's reason (`fraudulent`, `expired_or_canceled_card`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryRequest {
    pub reservation_id: String,
    /// The provider's payment-method id of the new card.
    pub payment_method: String,
    /// 1 for the first retry, then 2, ...: an older attempt delivered late is ignored.
    pub attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckRequest {
    pub reservation_id: String,
    /// The intent the news is about, when known (a webhook names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent_id: Option<String>,
    /// What asked: `webhook:<event id>` or `reconciliation`, for the logs.
    pub cause: String,
}

/// Charge a held reservation. The amount was fixed when the seats were held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChargeRequest {
    pub reservation_id: String,
    pub user_id: String,
    pub event_id: String,
    pub amount_minor: i64,
    /// ISO 4217.
    pub currency: String,
    /// The provider's payment-method id (e.g. Stripe's `pm_card_visa`).
    pub payment_method: String,
    /// RFC 3339; a charge that succeeds after this is refunded.
    pub hold_expires_at: String,
}

/// Refund what was charged for a reservation, e.g. after a cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundRequest {
    pub reservation_id: String,
    pub reason: RefundReason,
    /// What is left to give back after the organizer's partial refunds (absent: the
    /// whole charge). Refunded as its own refund, named `rest-<reservation>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_minor: Option<i64>,
}

/// Refund `amount_minor` of what was charged for a reservation; `refund_id` makes
/// it one refund however often it is asked (the provider's idempotency key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartialRefundRequest {
    pub reservation_id: String,
    pub refund_id: String,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    CancelledByAttendee,
    /// The event's organizer cancelled and refunded the booking.
    CancelledByOrganizer,
    EventCancelled,
    /// The charge succeeded after the hold had expired or was released.
    LatePayment,
}

/// On `PaymentOutcomesQueue`: what became of a reservation's payment, as the
/// payments table committed it (its stream, `forward_payment_outcomes`). The
/// reservations domain confirms, releases or tells the holder from it: payments
/// never write the reservations table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PaymentOutcome {
    /// The money is taken.
    #[serde(rename = "payment.succeeded.v1")]
    Succeeded(PaymentSettled),
    /// Declined, or never attempted because the hold was gone: no money moved.
    #[serde(rename = "payment.failed.v1")]
    Failed(PaymentSettled),
    /// The money taken went back.
    #[serde(rename = "payment.refunded.v1")]
    Refunded(PaymentSettled),
    /// The buyer must act in the browser (3-D Secure): the reservation shows the
    /// intent's client secret until the outcome arrives.
    #[serde(rename = "payment.action_required.v1")]
    ActionRequired(PaymentAwaitingBuyer),
    /// The card failed authentication: the buyer may give another while the hold lasts.
    #[serde(rename = "payment.method_required.v1")]
    MethodRequired(PaymentAwaitingBuyer),
    /// The buyer's bank disputes the charge: its tickets must not get in.
    #[serde(rename = "payment.disputed.v1")]
    Disputed(PaymentTrouble),
    /// A refund failed at the bank: asked again (up to a limit), and the organizer told.
    #[serde(rename = "payment.refund_failed.v1")]
    RefundFailed(PaymentTrouble),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentTrouble {
    pub reservation_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Refund failures so far for this payment (refund failed only).
    #[serde(default)]
    pub failures: u32,
}

/// A payment waiting on its buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentAwaitingBuyer {
    pub reservation_id: String,
    /// Increases with every change of the payment: an older one delivered late is ignored.
    pub sequence: u32,
    /// What Stripe.js needs to run the bank's challenge (action required only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Stripe's `next_action.type` (action required) or the error code (method required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentSettled {
    pub reservation_id: String,
    pub amount_minor: i64,
    /// ISO 4217.
    pub currency: String,
}

/// On `NotificationsQueue`: anything a person must be told by email. It carries
/// what the email shows about the booking; the address is looked up when the
/// email goes out (users' contact contract), so an erased account gets nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum NotificationMessage {
    #[serde(rename = "notification.requested.v1")]
    Send(NotificationRequest),
    /// Up to [`NotificationBundle::MAX`] notifications in one message, each sent once
    /// exactly as if it had come alone: how a reminder run queues a group of holders
    /// (one queue call, one delivery, one invocation for ten emails).
    #[serde(rename = "notification.bundle.v1")]
    Bundle(NotificationBundle),
    /// To an organizer: a webhook endpoint was switched off after failing (the
    /// notifications domain sends it to itself; told once per switch-off).
    #[serde(rename = "notification.webhook_disabled.v1")]
    WebhookDisabled(WebhookDisabledNotice),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookDisabledNotice {
    pub organizer_id: String,
    pub endpoint_id: String,
    pub url: String,
    pub reason: String,
    /// When it was switched off (UTC, RFC 3339): with the endpoint, what makes the notice unique.
    pub disabled_at: String,
}

impl WebhookDisabledNotice {
    /// Told once per switch-off: a later one (after it was switched on again) is told again.
    pub fn dedupe_key(&self) -> String {
        format!("webhook_disabled:{}:{}", self.endpoint_id, self.disabled_at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationBundle {
    pub notifications: Vec<NotificationRequest>,
}

impl NotificationBundle {
    /// Notifications one bundle carries at most (a reminder email's request is about
    /// 1 KB: ten stay far below SQS's 256 KB).
    pub const MAX: usize = 10;
}

impl NotificationMessage {
    /// The booking notifications the message asks for, in order (none for an
    /// organizer's webhook notice).
    pub fn into_requests(self) -> Vec<NotificationRequest> {
        match self {
            Self::Send(request) => vec![request],
            Self::Bundle(bundle) => bundle.notifications,
            Self::WebhookDisabled(_) => vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationRequest {
    pub kind: NotificationKind,
    /// With `kind` (and a reminder's start), what makes a notification unique: sent once.
    pub reservation_id: String,
    /// Whom to tell: the account's current email and name are read when sending.
    pub user_id: String,
    pub booking: BookingSummary,
    /// Reminders only: the start they announce (UTC, RFC 3339). It is part of what
    /// makes a reminder unique ([`NotificationRequest::dedupe_key`]), so a start the
    /// organizer moved is reminded again, and the same start never twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_starts_at: Option<String>,
    /// Reminders only: the start the holder booked for, in the event's zone, when the
    /// organizer has moved it since (the email says the time changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_starts_at_local: Option<String>,
    /// Transfer notices only: which of the reservation's transfers (1, 2, ...), so
    /// each is told once and a later one is told again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<u32>,
    /// Partial refund notices only: the refund (each is told once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund: Option<RefundNotice>,
}

/// A partial refund as its notice shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundNotice {
    pub refund_id: String,
    pub amount_minor: i64,
}

impl NotificationRequest {
    /// What makes this notification unique: one email per key, however often the
    /// message arrives. `<reservation>:<kind>`, and for reminders also the start.
    pub fn dedupe_key(&self) -> String {
        if let Some(refund) = &self.refund {
            return format!("{}:{}:{}", self.reservation_id, self.kind.as_str(), refund.refund_id);
        }
        match (&self.event_starts_at, self.transfer) {
            (Some(start), _) => format!("{}:{}:{start}", self.reservation_id, self.kind.as_str()),
            (None, Some(transfer)) => format!("{}:{}:{transfer}", self.reservation_id, self.kind.as_str()),
            (None, None) => format!("{}:{}", self.reservation_id, self.kind.as_str()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    ReservationConfirmed,
    PaymentFailed,
    HoldExpired,
    ReservationCancelled,
    EventCancelled,
    /// The charge went through after the hold had ended: the money went back.
    LatePaymentRefunded,
    Reminder,
    /// To the organizer: a buyer's bank disputes a booking's charge; its tickets are refused at the door.
    PaymentDisputed,
    /// To the organizer: a refund failed at the bank (it is tried again).
    RefundFailed,
    /// To the new holder: tickets were handed to them (with new codes).
    TicketsReceived,
    /// To the former holder: their tickets went to someone else; their codes no longer work.
    TicketsTransferred,
    /// The organizer cancelled the booking and refunded it in full.
    RefundedByOrganizer,
    /// The organizer refunded part of the booking; the tickets stay valid.
    PartiallyRefunded,
    /// Seats came back and the waiting list's first in line gets them, for a time.
    WaitingListOffer,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReservationConfirmed => "reservation_confirmed",
            Self::PaymentFailed => "payment_failed",
            Self::HoldExpired => "hold_expired",
            Self::ReservationCancelled => "reservation_cancelled",
            Self::EventCancelled => "event_cancelled",
            Self::LatePaymentRefunded => "late_payment_refunded",
            Self::Reminder => "reminder",
            Self::PaymentDisputed => "payment_disputed",
            Self::RefundFailed => "refund_failed",
            Self::TicketsReceived => "tickets_received",
            Self::TicketsTransferred => "tickets_transferred",
            Self::RefundedByOrganizer => "refunded_by_organizer",
            Self::PartiallyRefunded => "partially_refunded",
            Self::WaitingListOffer => "waiting_list_offer",
        }
    }
}

/// What the attendee booked, as the email shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BookingSummary {
    pub event_id: String,
    pub event_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// The venue's street address, city and country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue_address: Option<String>,
    /// The event's IANA time zone (e.g. `Europe/Paris`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The start in the event's own time zone, RFC 3339 with its offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at_local: Option<String>,
    pub tier_name: String,
    pub quantity: u32,
    pub amount_minor: i64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticket_codes: Vec<String>,
    /// On a seated tier, the seats in ticket order ("Nord, row C, seat 12").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<String>,
}

/// On `EventCancellationsQueue`: an organizer cancelled an event; the reservations
/// domain cancels (and has refunded) every live reservation of it, a page per
/// message, each page queueing the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum EventMessage {
    #[serde(rename = "event.cancelled.v1")]
    Cancelled(EventCancelled),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventCancelled {
    pub event_id: String,
    /// Where the previous page stopped; `None` for the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// On `TicketChangesQueue`: a reservation's tickets changed what they do at the
/// door (issued, voided, reinstated). The reservations table's stream sends it; the
/// door domain keeps one item per ticket from it. It may come twice or out of
/// order: `sequence` (the stream record's, zero-padded) orders the changes of one
/// reservation, and a ticket takes only a change newer than the one it holds.
/// Seats of a tier came back (a hold ended unsold, a booking was cancelled, the
/// capacity was raised): the reservations domain offers them to the tier's waiting
/// list. Sent from committed changes (the tables' streams); sending it twice is
/// harmless (an offer takes the waiter out of line in its own transaction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum WaitingListMessage {
    #[serde(rename = "seats.freed.v1")]
    SeatsFreed(SeatsFreed),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeatsFreed {
    pub event_id: String,
    pub tier_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum DoorMessage {
    #[serde(rename = "tickets.changed.v1")]
    TicketsChanged(TicketsChanged),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TicketsChanged {
    pub event_id: String,
    /// The event's organizer, whose webhooks hear of check-ins (empty in messages
    /// sent before it was added).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organizer_id: String,
    pub reservation_id: String,
    pub holder_id: String,
    pub tier_id: String,
    pub tier_name: String,
    pub sequence: String,
    /// The reservation's tickets and what each does at the door now (a transfer
    /// voids the old codes and issues new ones in one change).
    pub tickets: Vec<DoorTicket>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DoorTicket {
    pub code: String,
    pub state: TicketState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
    /// A transfer's new code: the code it replaces (its admission, if any, carries over).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// What a ticket does at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Valid,
    Cancelled,
    Refunded,
    Disputed,
    Transferred,
}

impl TicketState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
            Self::Disputed => "disputed",
            Self::Transferred => "transferred",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Valid, Self::Cancelled, Self::Refunded, Self::Disputed, Self::Transferred]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// On `WebhookEventsQueue`: something an organizer's webhook endpoints may
/// subscribe to happened (committed: the domains send it from their tables'
/// streams). The notifications domain signs and delivers it to each subscribed
/// endpoint as a Standard Webhooks message. `id` is the same each time the same
/// change is sent again, so a repeat is delivered once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum WebhookMessage {
    #[serde(rename = "webhook.event.v1")]
    Event(WebhookEvent),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEvent {
    /// `msg_` and a UUID (version 7, from the change's time: ids sort as the changes
    /// happened), derived from what makes the change unique.
    pub id: String,
    /// `reservation.confirmed`, `reservation.cancelled`, `reservation.refunded`,
    /// `event.cancelled`, `ticket.checked_in`.
    pub event_type: String,
    /// Whose endpoints hear of it.
    pub organizer_id: String,
    /// When it happened (UTC, RFC 3339).
    pub timestamp: String,
    /// What the endpoint receives as the payload's `data`.
    pub data: serde_json::Value,
}

impl WebhookEvent {
    /// The message id of the change `parts` name (e.g. a reservation id and the
    /// event type), at `at`: the same parts and time always give the same id.
    pub fn message_id(at: chrono::DateTime<chrono::Utc>, parts: &[&str]) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for part in parts {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let digest = hash.finalize();
        let mut tail = [0u8; 10];
        tail.copy_from_slice(&digest[..10]);
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or_default();
        format!("msg_{}", uuid::Builder::from_unix_timestamp_millis(millis, &tail).into_uuid().simple())
    }
}

/// A stream record's sequence number, zero-padded so that strings compare as the
/// numbers do (DynamoDB's are decimal, at most 40 digits).
pub fn ordered_sequence(sequence_number: &str) -> String {
    format!("{sequence_number:0>40}")
}

/// A message body that is not a message this version of the code knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a known message: {0}")]
pub struct UnknownMessage(pub String);

/// Decodes a message body. An error means no retry will help (poison).
pub fn decode<T: for<'de> Deserialize<'de>>(body: &str) -> Result<T, UnknownMessage> {
    serde_json::from_str(body).map_err(|e| UnknownMessage(e.to_string()))
}

/// Encodes a message body.
pub fn encode<T: Serialize>(message: &T) -> String {
    serde_json::to_string(message).expect("message types always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge() -> PaymentMessage {
        PaymentMessage::Charge(ChargeRequest {
            reservation_id: "r1".into(),
            user_id: "u1".into(),
            event_id: "e1".into(),
            amount_minor: 5000,
            currency: "EUR".into(),
            payment_method: "pm_card_visa".into(),
            hold_expires_at: "2030-01-01T00:15:00Z".into(),
        })
    }

    #[test]
    fn a_webhook_message_id_is_the_same_for_the_same_change_and_sorts_by_time() {
        let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        let first = WebhookEvent::message_id(at("2030-01-01T10:00:00Z"), &["r1", "reservation.confirmed"]);
        assert_eq!(first, WebhookEvent::message_id(at("2030-01-01T10:00:00Z"), &["r1", "reservation.confirmed"]));
        assert!(first.starts_with("msg_") && first.len() == 36, "{first}");
        let other = WebhookEvent::message_id(at("2030-01-01T10:00:00Z"), &["r1", "reservation.cancelled"]);
        assert_ne!(first, other);
        // Parts are separated: ("ab", "c") is not ("a", "bc").
        let a = WebhookEvent::message_id(at("2030-01-01T10:00:00Z"), &["ab", "c"]);
        assert_ne!(a, WebhookEvent::message_id(at("2030-01-01T10:00:00Z"), &["a", "bc"]));
        let later = WebhookEvent::message_id(at("2030-01-01T10:00:01Z"), &["r0", "reservation.confirmed"]);
        assert!(later > first, "{later} after {first}");
    }

    #[test]
    fn messages_round_trip_with_their_versioned_type() {
        let body = encode(&charge());
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["type"], "payment.requested.v1");
        assert_eq!(json["amountMinor"], 5000);
        assert_eq!(decode::<PaymentMessage>(&body).unwrap(), charge());

        let refund = PaymentMessage::Refund(RefundRequest {
            reservation_id: "r1".into(),
            reason: RefundReason::LatePayment,
            amount_minor: None,
        });
        assert!(encode(&refund).contains(r#""reason":"late_payment""#));
        assert_eq!(decode::<PaymentMessage>(&encode(&refund)).unwrap(), refund);
    }

    #[test]
    fn event_cancellations_page_with_a_cursor() {
        let first = EventMessage::Cancelled(EventCancelled { event_id: "e1".into(), cursor: None });
        assert_eq!(encode(&first), r#"{"type":"event.cancelled.v1","eventId":"e1"}"#);
        let next = EventMessage::Cancelled(EventCancelled { event_id: "e1".into(), cursor: Some("abc".into()) });
        assert_eq!(decode::<EventMessage>(&encode(&next)).unwrap(), next);
    }

    #[test]
    fn the_three_d_secure_messages_round_trip() {
        let check = PaymentMessage::Check(CheckRequest {
            reservation_id: "r1".into(),
            intent_id: Some("pi_1".into()),
            cause: "webhook:payment_intent.succeeded:evt_1".into(),
        });
        let text = encode(&check);
        assert!(text.contains(r#""type":"payment.check.v1""#), "{text}");
        assert_eq!(decode::<PaymentMessage>(&text).unwrap(), check);
        let retry = PaymentMessage::Retry(RetryRequest {
            reservation_id: "r1".into(),
            payment_method: "pm_card_visa".into(),
            attempt: 2,
        });
        assert_eq!(decode::<PaymentMessage>(&encode(&retry)).unwrap(), retry);
        let waiting = PaymentOutcome::ActionRequired(PaymentAwaitingBuyer {
            reservation_id: "r1".into(),
            sequence: 1,
            client_secret: Some("pi_1_secret_x".into()),
            detail: Some("use_stripe_sdk".into()),
        });
        let text = encode(&waiting);
        assert!(text.contains(r#""type":"payment.action_required.v1""#), "{text}");
        assert_eq!(decode::<PaymentOutcome>(&text).unwrap(), waiting);
    }

    #[test]
    fn unknown_versions_and_garbage_are_refused() {
        let body = encode(&charge()).replace("payment.requested.v1", "payment.requested.v9");
        assert!(decode::<PaymentMessage>(&body).is_err());
        assert!(decode::<PaymentMessage>("not json").is_err());
        assert!(decode::<NotificationMessage>(&encode(&charge())).is_err(), "a message for another queue");
    }

    #[test]
    fn the_door_sample_is_a_ticket_change_and_sequences_compare_as_numbers() {
        let sample = include_str!("../../../events/ApplyTicketChangesFunction/tickets-issued.json");
        let event: serde_json::Value = serde_json::from_str(sample).unwrap();
        let body = event["Records"][0]["body"].as_str().unwrap();
        let DoorMessage::TicketsChanged(change) = decode::<DoorMessage>(body).unwrap();
        assert_eq!(change.tickets.len(), 2);
        assert!(change.tickets.iter().all(|t| t.state == TicketState::Valid));
        assert_eq!(
            decode::<DoorMessage>(&encode(&DoorMessage::TicketsChanged(change.clone()))).unwrap(),
            DoorMessage::TicketsChanged(change)
        );
        assert!(ordered_sequence("999") < ordered_sequence("1000"));
        assert_eq!(ordered_sequence("12").len(), 40);
        for state in ["valid", "cancelled", "refunded", "disputed", "transferred"] {
            assert_eq!(TicketState::parse(state).unwrap().as_str(), state);
        }
    }

    #[test]
    fn a_bundle_carries_several_notifications_each_with_its_own_key() {
        let sample = include_str!("../../../events/SendNotificationsFunction/reminder-bundle.json");
        let event: serde_json::Value = serde_json::from_str(sample).unwrap();
        let body = event["Records"][0]["body"].as_str().unwrap();
        let requests = decode::<NotificationMessage>(body).unwrap().into_requests();
        let keys: Vec<String> = requests.iter().map(NotificationRequest::dedupe_key).collect();
        assert_eq!(
            keys,
            [
                "3f2a9c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b:reminder:2027-05-01T19:00:00Z",
                "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f:reminder:2027-05-01T19:00:00Z"
            ]
        );
        let bundle = NotificationMessage::Bundle(NotificationBundle { notifications: requests });
        assert_eq!(decode::<NotificationMessage>(&encode(&bundle)).unwrap(), bundle, "round trip");
        assert!(decode::<NotificationMessage>(r#"{"type":"notification.bundle.v1"}"#).is_err(), "no list");
    }

    #[test]
    fn notifications_carry_what_the_email_shows() {
        let message = NotificationMessage::Send(NotificationRequest {
            kind: NotificationKind::ReservationConfirmed,
            reservation_id: "r1".into(),
            user_id: "u1".into(),
            booking: BookingSummary {
                event_id: "e1".into(),
                event_title: "Final".into(),
                venue: Some("Stade, Lyon".into()),
                venue_address: None,
                timezone: None,
                starts_at_local: Some("2030-06-01T20:00:00+02:00".into()),
                tier_name: "Standard".into(),
                quantity: 2,
                amount_minor: 5000,
                currency: "EUR".into(),
                ticket_codes: vec!["code1".into(), "code2".into()],
                seats: Vec::new(),
            },
            event_starts_at: None,
            previous_starts_at_local: None,
            transfer: None,
            refund: None,
        });
        let body = encode(&message);
        assert!(body.contains(r#""kind":"reservation_confirmed""#));
        assert!(!body.contains("eventStartsAt") && !body.contains("venueAddress"), "absent fields stay out: {body}");
        assert_eq!(decode::<NotificationMessage>(&body).unwrap(), message);
        assert_eq!(NotificationKind::Reminder.as_str(), "reminder");
        let [mut request] = <[NotificationRequest; 1]>::try_from(message.into_requests()).unwrap();
        assert_eq!(request.dedupe_key(), "r1:reservation_confirmed", "as before reminders had starts");
        request.kind = NotificationKind::Reminder;
        request.event_starts_at = Some("2030-06-01T18:00:00Z".into());
        assert_eq!(request.dedupe_key(), "r1:reminder:2030-06-01T18:00:00Z", "a moved start is another reminder");
    }
}
