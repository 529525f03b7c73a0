//! Refunds the organizer gives: `POST /reservations/{id}/refunds` with
//! `{amountMinor?, reason?}`. Without an amount, or with all that is left, the
//! booking is cancelled and refunded in full (seats back, tickets void), through the
//! same path as the holder's cancellation. With less, that part goes back and the
//! tickets stay valid. Never more than was paid in total: each partial refund is
//! recorded on the reservation with a condition on the refunds already there.

use super::reservation::{Reservation, Status};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::body::Fields;

/// Longest reason kept (it is shown to the organizer, not to the buyer).
const REASON_MAX: usize = 200;

/// A part of the payment given back, the tickets staying valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartialRefund {
    /// Follows from the request's `Idempotency-Key`: the same key is the same refund.
    pub id: String,
    pub amount_minor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// Who asked (the organizer or an admin).
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundAsk {
    pub amount_minor: Option<i64>,
    pub reason: Option<String>,
}

/// Reads `{amountMinor?, reason?}`.
pub fn read(mut fields: Fields) -> Result<RefundAsk, shared::ApiError> {
    let amount = fields.optional_value("amountMinor").map(|v| {
        let amount = v.as_i64().filter(|a| *a >= 1);
        if amount.is_none() {
            fields.error("amountMinor", "must be a whole number of minor units, at least 1");
        }
        amount
    });
    let reason = fields.optional_str("reason").map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > REASON_MAX) {
        fields.error("reason", format!("must be at most {REASON_MAX} characters"));
    }
    fields.finish_with(|| {
        let amount_minor = match amount {
            Some(amount) => Some(amount?),
            None => None,
        };
        Some(RefundAsk { amount_minor, reason })
    })
}

/// What a refund does to the booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundPlan {
    /// Cancel it: seats back, tickets void, what is left of the payment refunded.
    Full,
    /// Give back this much; the tickets stay valid.
    Partial(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundRefusal {
    /// Only a confirmed booking has money to give back.
    NotPaid,
    /// The buyer's bank disputes the charge: the dispute decides where the money goes.
    Disputed,
    /// More than is left to refund.
    TooMuch { refundable: i64 },
    /// A part of a free booking.
    NothingPaid,
}

impl RefundRefusal {
    pub fn error(self) -> shared::ApiError {
        use lambda_http::http::StatusCode;
        match self {
            Self::NotPaid => shared::ApiError::conflict("not_refundable", "only a confirmed booking can be refunded"),
            Self::Disputed => shared::ApiError::conflict(
                "payment_disputed",
                "the buyer's bank disputes this charge: the dispute decides where the money goes",
            ),
            Self::TooMuch { refundable } => shared::ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "refund_too_large",
                format!("at most {refundable} (minor units) is left to refund"),
            ),
            Self::NothingPaid => shared::ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "refund_too_large",
                "nothing was paid for this booking: refund it without an amount to cancel it",
            ),
        }
    }
}

/// What is left of the payment after the partial refunds so far.
pub fn refundable(r: &Reservation) -> i64 {
    r.amount_minor - r.refunds.iter().map(|p| p.amount_minor).sum::<i64>()
}

pub fn plan(r: &Reservation, ask: &RefundAsk) -> Result<RefundPlan, RefundRefusal> {
    if r.status != Status::Confirmed {
        return Err(RefundRefusal::NotPaid);
    }
    if r.disputed {
        return Err(RefundRefusal::Disputed);
    }
    let left = refundable(r);
    match ask.amount_minor {
        None => Ok(RefundPlan::Full),
        Some(_) if left <= 0 => Err(RefundRefusal::NothingPaid),
        Some(amount) if amount > left => Err(RefundRefusal::TooMuch { refundable: left }),
        Some(amount) if amount == left => Ok(RefundPlan::Full),
        Some(amount) => Ok(RefundPlan::Partial(amount)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reservation::tests::{at, reservation};

    fn ask(amount: Option<i64>) -> RefundAsk {
        RefundAsk { amount_minor: amount, reason: None }
    }

    fn part(amount: i64) -> PartialRefund {
        PartialRefund {
            id: "f1".into(),
            amount_minor: amount,
            reason: None,
            requested_at: at("2030-01-02T00:00:00Z"),
            by: "o1".into(),
        }
    }

    #[test]
    fn a_refund_is_full_without_an_amount_or_with_all_that_is_left() {
        let paid = reservation(Status::Confirmed);
        assert_eq!(plan(&paid, &ask(None)), Ok(RefundPlan::Full));
        assert_eq!(plan(&paid, &ask(Some(1000))), Ok(RefundPlan::Partial(1000)));
        assert_eq!(plan(&paid, &ask(Some(5000))), Ok(RefundPlan::Full));
        let refunded_part = Reservation { refunds: vec![part(3000)], ..paid.clone() };
        assert_eq!(refundable(&refunded_part), 2000);
        assert_eq!(plan(&refunded_part, &ask(Some(2000))), Ok(RefundPlan::Full));
    }

    #[test]
    fn never_more_than_was_paid_and_only_for_a_paid_booking() {
        let paid = Reservation { refunds: vec![part(4500)], ..reservation(Status::Confirmed) };
        assert_eq!(plan(&paid, &ask(Some(501))), Err(RefundRefusal::TooMuch { refundable: 500 }));
        assert_eq!(plan(&reservation(Status::PendingPayment), &ask(None)), Err(RefundRefusal::NotPaid));
        assert_eq!(plan(&reservation(Status::Cancelled), &ask(Some(10))), Err(RefundRefusal::NotPaid));
        let disputed = Reservation { disputed: true, ..reservation(Status::Confirmed) };
        assert_eq!(plan(&disputed, &ask(None)), Err(RefundRefusal::Disputed));
        let free = Reservation { amount_minor: 0, ..reservation(Status::Confirmed) };
        assert_eq!(plan(&free, &ask(Some(1))), Err(RefundRefusal::NothingPaid));
        assert_eq!(plan(&free, &ask(None)), Ok(RefundPlan::Full));
    }

    #[test]
    fn the_body_is_an_optional_amount_and_reason() {
        let read_body = |text: &str| read(Fields::new(shared::body::parse_object(text.as_bytes()).unwrap()));
        assert_eq!(read_body(r#"{}"#).unwrap(), ask(None));
        let ask = read_body(r#"{"amountMinor": 1500, "reason": " Obstructed view "}"#).unwrap();
        assert_eq!((ask.amount_minor, ask.reason.as_deref()), (Some(1500), Some("Obstructed view")));
        let err = read_body(r#"{"amountMinor": 0, "other": 1}"#).unwrap_err();
        let fields: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["amountMinor", "other"]);
    }
}
