//! Sales over time: what each committed change of a booking adds to the event's
//! hourly figures per tier (tickets sold, revenue, tickets refunded, money
//! refunded). The figures are kept from the table's stream (`record_sales`), each
//! change counted once (a marker per change is written in the same transaction as
//! the figures), so the sales page reads a few small items instead of every booking.

use super::reservation::{Reservation, Status};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// What one change adds to one hour of one tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesDelta {
    pub event_id: String,
    pub tier_id: String,
    /// The hour (UTC) the change was committed in.
    pub hour: DateTime<Utc>,
    pub sold: i64,
    pub revenue_minor: i64,
    pub refunded: i64,
    pub refunded_minor: i64,
    /// Names the change: counted once per (reservation, mark).
    pub mark: String,
}

/// The figures one committed change adds; nothing for changes that sell or refund nothing.
pub fn sales_deltas(before: Option<&Reservation>, after: &Reservation) -> Vec<SalesDelta> {
    let hour = after.updated_at.duration_trunc(TimeDelta::hours(1)).unwrap_or(after.updated_at);
    let delta = |mark: String| SalesDelta {
        event_id: after.event_id.clone(),
        tier_id: after.tier_id.clone(),
        hour,
        sold: 0,
        revenue_minor: 0,
        refunded: 0,
        refunded_minor: 0,
        mark,
    };
    let was = before.map(|b| b.status);
    match (was, after.status) {
        // Paid (or recorded as sold at the box office).
        (None | Some(Status::PendingPayment), Status::Confirmed) => {
            vec![SalesDelta {
                sold: i64::from(after.quantity),
                revenue_minor: after.amount_minor,
                ..delta("sold".into())
            }]
        }
        // Cancelled after it was paid: its tickets, and what was left of its money, went back.
        (Some(Status::Confirmed), Status::Cancelled) => {
            let already: i64 = after.refunds.iter().map(|p| p.amount_minor).sum();
            let money = if after.refund_requested { after.amount_minor - already } else { 0 };
            vec![SalesDelta { refunded: i64::from(after.quantity), refunded_minor: money, ..delta("cancelled".into()) }]
        }
        // The organizer refunded parts; the tickets stay sold.
        (Some(Status::Confirmed), Status::Confirmed) => {
            let known = before.map_or(0, |b| b.refunds.len());
            after
                .refunds
                .iter()
                .skip(known)
                .map(|part| SalesDelta { refunded_minor: part.amount_minor, ..delta(format!("refund#{}", part.id)) })
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::refund::PartialRefund;
    use crate::domain::reservation::CancelReason;
    use crate::domain::reservation::tests::{at, reservation};

    #[test]
    fn a_sale_counts_its_tickets_and_money_in_the_hour_it_was_paid() {
        let pending = reservation(Status::PendingPayment);
        let paid = Reservation { updated_at: at("2030-01-01T10:47:12Z"), ..reservation(Status::Confirmed) };
        let deltas = sales_deltas(Some(&pending), &paid);
        assert_eq!(deltas.len(), 1);
        assert_eq!((deltas[0].sold, deltas[0].revenue_minor, deltas[0].mark.as_str()), (2, 5000, "sold"));
        assert_eq!(deltas[0].hour, at("2030-01-01T10:00:00Z"));
        assert_eq!(sales_deltas(None, &paid).len(), 1, "a box-office sale is a sale");
        assert!(sales_deltas(None, &pending).is_empty(), "a hold sells nothing yet");
        assert!(sales_deltas(Some(&paid), &paid).is_empty(), "the same state again adds nothing");
    }

    #[test]
    fn refunds_count_what_went_back_once_each() {
        let part = |id: &str, amount| PartialRefund {
            id: id.into(),
            amount_minor: amount,
            reason: None,
            requested_at: at("2030-01-02T00:00:00Z"),
            by: "o1".into(),
        };
        let paid = reservation(Status::Confirmed);
        let one = Reservation { refunds: vec![part("f1", 1000)], ..paid.clone() };
        let deltas = sales_deltas(Some(&paid), &one);
        assert_eq!((deltas.len(), deltas[0].refunded_minor, deltas[0].mark.as_str()), (1, 1000, "refund#f1"));
        let cancelled = Reservation {
            status: Status::Cancelled,
            refund_requested: true,
            cancel_reason: Some(CancelReason::Organizer),
            ..one.clone()
        };
        let deltas = sales_deltas(Some(&one), &cancelled);
        assert_eq!((deltas[0].refunded, deltas[0].refunded_minor), (2, 4000), "only the rest was refunded then");
        let expired = Reservation { status: Status::Expired, ..reservation(Status::PendingPayment) };
        assert!(sales_deltas(Some(&reservation(Status::PendingPayment)), &expired).is_empty());
    }
}
