//! One module per function, named like it (`CreateReservationFunction` →
//! `Handler: create_reservation` → `create_reservation::handle`). Store outcomes
//! and domain refusals become HTTP answers here, once.

pub mod apply_payment_outcomes;
pub mod cancel_event_reservations;
pub mod cancel_reservation;
pub mod check_promo_code;
pub mod create_promo_code;
pub mod create_reservation;
pub mod forward_reservation_changes;
pub mod get_calendar;
pub mod get_documents;
pub mod get_reservation;
pub mod get_sales_over_time;
pub mod get_tickets_pdf;
pub mod get_waiting_place;
pub mod join_waiting_list;
pub mod leave_waiting_list;
pub mod list_my_reservations;
pub mod list_promo_codes;
pub mod list_waiting_lists;
pub mod offer_freed_seats;
pub mod promo_codes;
pub mod record_sales;
pub mod refund_reservation;
pub mod release_expired_holds;
pub mod retry_payment;
pub mod send_reminders;
pub mod start_reminders;
pub mod transfer_reservation;
pub mod waiting_list;

use crate::domain::reservation::{PaymentProgress, Reservation, Status};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use lambda_http::{Request, RequestExt};
use serde::Serialize;
use shared::ApiError;
use shared::ticket_pass::{PassClaims, PassKeys};

/// Roles each handler admits beyond "signed in" (none here: any account may book).
pub fn allowed_roles(_handler: &str) -> Option<&'static [shared::Role]> {
    None
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::SalesClosed => ApiError::conflict("sales_closed", "sales for this event are not open"),
            StoreError::SoldOut { remaining } => {
                shared::metrics::count("reservations", shared::metrics::Metric::SoldOut, 1);
                ApiError::conflict("sold_out", format!("not enough seats left in this tier: {remaining} remaining"))
            }
            StoreError::SeatsTaken(ids) => {
                let mut taken = ApiError::conflict(
                    "seats_taken",
                    format!("someone else has these seats: {}; pick others", ids.join(", ")),
                );
                taken.fields = ids.into_iter().map(|id| shared::FieldError::new("seatIds", id)).collect();
                taken
            }
            StoreError::TooMany { max_per_order } => ApiError::validation(vec![shared::FieldError::new(
                "quantity",
                format!("must be from 1 to {max_per_order} for this tier"),
            )]),
            StoreError::Busy => {
                shared::metrics::count("reservations", shared::metrics::Metric::HoldsBusy, 1);
                let mut busy =
                    ApiError::service_unavailable("too many buyers at once for this tier; try again in a moment");
                busy.retry_after = Some(1);
                busy
            }
            StoreError::AlreadyHeld => ApiError::conflict("already_exists", "this reservation exists already"),
            StoreError::Changed => ApiError::conflict(
                "concurrent_change",
                "the reservation changed meanwhile (paid, expired or cancelled); reload it",
            ),
            StoreError::EventCancelled => ApiError::conflict("event_cancelled", "the event is cancelled"),
            StoreError::NotAwaitingCard => ApiError::conflict(
                "not_awaiting_card",
                "this reservation is not waiting for another card (paid, over, or a card is being tried)",
            ),
            StoreError::PromoUsedUp => {
                crate::domain::promo::refusal_error(crate::domain::promo::PromoRefusal::UsedUp { left: 0 })
            }
            StoreError::NoLongerWaiting => ApiError::conflict(
                "not_waiting",
                "you are no longer on this waiting list (you left, or seats were offered to you)",
            ),
            StoreError::PromoExists => ApiError::conflict(
                "promo_code_exists",
                "this event has a code by that name already (codes ignore case)",
            ),
            StoreError::BadCursor => ApiError::bad_request("the cursor is not valid; start again without it"),
            StoreError::Storage(failure) => failure.into(),
        }
    }
}

/// Longest `Idempotency-Key` accepted (Stripe's limit).
const IDEMPOTENCY_KEY_MAX: usize = 255;

/// The request's `Idempotency-Key`, if it sent one; 400 for a blank, overlong or
/// non-visible one.
pub(crate) fn idempotency_key(request: &Request) -> Result<Option<&str>, ApiError> {
    let Some(value) = request.headers().get("idempotency-key") else { return Ok(None) };
    match value.to_str().ok().map(str::trim).filter(|k| !k.is_empty() && k.len() <= IDEMPOTENCY_KEY_MAX) {
        Some(key) => Ok(Some(key)),
        None => {
            Err(ApiError::bad_request(format!("Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} visible characters")))
        }
    }
}

/// Reads the `{id}` path parameter.
pub(crate) fn reservation_id(request: &Request) -> Result<String, ApiError> {
    request
        .path_parameters()
        .first("id")
        .filter(|id| shared::dynamo::plausible_id(id))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("no such reservation"))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    pub code: String,
    /// The code signed for the door (what the QR code shows): a scanner verifies it
    /// offline. Only the holder's views carry it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr: Option<String>,
    /// On a seated tier: the seat this ticket admits to ("Nord, row C, seat 12").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
}

/// A reservation as its holder (or the organizer) sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservationView {
    pub id: String,
    pub status: Status,
    pub event_id: String,
    pub event_title: String,
    pub tier_id: String,
    pub tier_name: String,
    pub quantity: u32,
    pub unit_price_minor: i64,
    pub amount_minor: i64,
    pub currency: String,
    /// Until when the seats are held for payment (pending reservations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub tickets: Vec<TicketView>,
    /// On a seated tier: the seats held or bought, by id and name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<crate::domain::reservation::BookedSeat>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refund_requested: bool,
    /// While pending and the payment waits on the buyer: what Stripe.js needs
    /// (`clientSecret`, to its holder only) or that another card is wanted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentProgress>,
    /// The buyer's bank disputes the charge: the tickets are refused at the door.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disputed: bool,
    /// The code used: `amountMinor` is `originalAmountMinor` less `discountMinor`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promo: Option<PromoView>,
    /// Parts of the payment the organizer gave back (the tickets stay valid).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refunds: Vec<RefundView>,
    /// Their sum.
    #[serde(skip_serializing_if = "is_zero")]
    pub refunded_minor: i64,
    /// Seats offered from the tier's waiting list (true only then).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub waiting_list_offer: bool,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundView {
    pub id: String,
    pub amount_minor: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub requested_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromoView {
    pub code: String,
    pub original_amount_minor: i64,
    pub discount_minor: i64,
}

impl ReservationView {
    /// The view for someone other than the holder (the organizer, an admin): the
    /// client secret confirms the holder's payment, so it is theirs alone.
    pub fn without_secret(mut self) -> Self {
        if let Some(payment) = self.payment.as_mut() {
            payment.client_secret = None;
        }
        self
    }

    /// The holder's view: each ticket with its signed code for the QR.
    pub fn with_passes(mut self, keys: &PassKeys, r: &Reservation) -> Self {
        for (i, ticket) in self.tickets.iter_mut().enumerate() {
            let claims = PassClaims {
                event_id: r.event_id.clone(),
                code: ticket.code.clone(),
                seat_id: r.seats.get(i).map(|s| s.id.clone()),
            };
            ticket.qr = Some(keys.sign(&claims));
        }
        self
    }
}

impl From<&Reservation> for ReservationView {
    fn from(r: &Reservation) -> Self {
        Self {
            id: r.id.clone(),
            status: r.status,
            event_id: r.event_id.clone(),
            event_title: r.event_title.clone(),
            tier_id: r.tier_id.clone(),
            tier_name: r.tier_name.clone(),
            quantity: r.quantity,
            unit_price_minor: r.unit_price_minor,
            amount_minor: r.amount_minor,
            currency: r.currency.clone(),
            hold_expires_at: (r.status == Status::PendingPayment).then_some(r.hold_expires_at),
            created_at: r.created_at,
            updated_at: r.updated_at,
            // A cancelled reservation's codes are void: it shows none.
            tickets: r
                .tickets
                .iter()
                .filter(|_| r.status == Status::Confirmed)
                .enumerate()
                .map(|(i, code)| TicketView {
                    code: code.clone(),
                    qr: None,
                    seat: r.seats.get(i).map(|s| s.name.clone()),
                })
                .collect(),
            seats: r.seats.clone(),
            refund_requested: r.refund_requested,
            payment: r.payment.clone().filter(|_| r.status == Status::PendingPayment),
            disputed: r.disputed,
            promo: r.promo.as_ref().map(|p| PromoView {
                code: p.code.clone(),
                original_amount_minor: p.original_minor,
                discount_minor: p.discount_minor,
            }),
            refunds: r
                .refunds
                .iter()
                .map(|p| RefundView {
                    id: p.id.clone(),
                    amount_minor: p.amount_minor,
                    reason: p.reason.clone(),
                    requested_at: p.requested_at,
                })
                .collect(),
            refunded_minor: r.refunds.iter().map(|p| p.amount_minor).sum(),
            waiting_list_offer: r.waiting_list_joined_at.is_some(),
        }
    }
}
