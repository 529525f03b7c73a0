//! What a committed change of a reservation starts next. The reservations table's
//! stream hands every change (before and after) to the forwarder, which sends
//! these as the chain's messages: the next step follows from what was committed,
//! never from a handler remembering to send it after its write.
//!
//! | change | next |
//! |---|---|
//! | a hold is made (insert, `pending_payment`) | charge it |
//! | an offer from the waiting list is made (insert, no card yet) | tell the waiter |
//! | the waiter gives a card for the offer | charge it |
//! | seats go back (expired, payment failed, cancelled) | offer them to the tier's waiting list |
//! | pending, the holder gave another card (`paymentAttempt` grew) | charge that card |
//! | pending → confirmed | tell the holder (tickets) |
//! | pending → payment_failed | tell the holder |
//! | pending → expired | refund a charge that may have landed anyway; tell the holder |
//! | pending → cancelled | tell the holder (by the holder, or with the event) |
//! | confirmed → cancelled | refund it (the holder is told once the money is back) |
//! | pending → cancelled with a refund (paid as its event was cancelled) | refund it |
//! | confirmed, handed to another account (`transfers` grew) | tell both holders |
//! | confirmed, the organizer refunded part of it (`refunds` grew) | refund that part; tell the holder |
//!
//! Separately, every change of what its tickets do at the door (issued, voided,
//! handed on with new codes) becomes the door's news (`door_change`).

use super::reservation::{CancelReason, Reservation, Status};
use shared::messages::{DoorTicket, NotificationKind, RefundReason, TicketState, TicketsChanged, ordered_sequence};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// Ask payments to charge the hold.
    Charge,
    /// Ask payments to charge the card the holder gave after a failed authentication.
    RetryCharge,
    /// Ask payments to refund whatever was charged for it.
    Refund(RefundReason),
    /// Ask notifications to tell the holder.
    Notify(NotificationKind),
    /// Ask notifications to tell the event's organizer.
    NotifyOrganizer(NotificationKind),
    /// Ask notifications to tell whoever held the tickets before this change.
    NotifyFormerHolder(NotificationKind),
    /// Ask payments to give back the organizer's partial refund at this index of `refunds`.
    PartialRefund(usize),
    /// Tell the holder of the partial refund at this index of `refunds`.
    NotifyPartialRefund(usize),
    /// Offer the seats that came back to the tier's waiting list.
    OfferFreedSeats,
}

/// The follow-ups of one committed change; `before` is `None` for a new reservation.
pub fn follow_ups(before: Option<&Reservation>, after: &Reservation) -> Vec<FollowUp> {
    use FollowUp::{Charge, Notify};
    let Some(before) = before else {
        return match after.status {
            Status::PendingPayment if after.is_open_offer() => vec![Notify(NotificationKind::WaitingListOffer)],
            Status::PendingPayment => vec![Charge],
            _ => vec![],
        };
    };
    if after.transfers > before.transfers && after.user_id != before.user_id {
        return vec![
            Notify(NotificationKind::TicketsReceived),
            FollowUp::NotifyFormerHolder(NotificationKind::TicketsTransferred),
        ];
    }
    if after.refunds.len() > before.refunds.len() && after.status == Status::Confirmed {
        return (before.refunds.len()..after.refunds.len())
            .flat_map(|i| [FollowUp::PartialRefund(i), FollowUp::NotifyPartialRefund(i)])
            .collect();
    }
    if after.disputed && !before.disputed {
        return vec![FollowUp::NotifyOrganizer(NotificationKind::PaymentDisputed)];
    }
    let mut steps = status_follow_ups(before, after);
    if seats_came_back(before, after) {
        steps.push(FollowUp::OfferFreedSeats);
    }
    steps
}

/// Whether this change gave seats back to the tier (the release that made it
/// returned them in the same transaction).
fn seats_came_back(before: &Reservation, after: &Reservation) -> bool {
    matches!(before.status, Status::PendingPayment | Status::Confirmed)
        && matches!(after.status, Status::Expired | Status::PaymentFailed | Status::Cancelled)
}

fn status_follow_ups(before: &Reservation, after: &Reservation) -> Vec<FollowUp> {
    use FollowUp::{Notify, Refund};
    let cancelled_with_event = after.cancel_reason == Some(CancelReason::Event);
    match (before.status, after.status) {
        // The waiter's first card for an offer: its first charge.
        (Status::PendingPayment, Status::PendingPayment)
            if after.payment_attempt > before.payment_attempt && before.is_open_offer() =>
        {
            vec![FollowUp::Charge]
        }
        (Status::PendingPayment, Status::PendingPayment) if after.payment_attempt > before.payment_attempt => {
            vec![FollowUp::RetryCharge]
        }
        (Status::PendingPayment, Status::Confirmed) => vec![Notify(NotificationKind::ReservationConfirmed)],
        (Status::PendingPayment, Status::PaymentFailed) => vec![Notify(NotificationKind::PaymentFailed)],
        (Status::PendingPayment, Status::Expired) => {
            vec![Refund(RefundReason::LatePayment), Notify(NotificationKind::HoldExpired)]
        }
        // Paid as its event was being cancelled: refunded (the holder is told then).
        (Status::PendingPayment, Status::Cancelled) if after.refund_requested => vec![Refund(refund_reason(after))],
        (Status::PendingPayment, Status::Cancelled) if cancelled_with_event => {
            vec![Notify(NotificationKind::EventCancelled)]
        }
        (Status::PendingPayment, Status::Cancelled) => vec![Notify(NotificationKind::ReservationCancelled)],
        (Status::Confirmed, Status::Cancelled) => vec![Refund(refund_reason(after))],
        // Anything else changes nothing another domain acts on (tickets listed, a
        // reminder recorded, the same state written again).
        _ => vec![],
    }
}

fn refund_reason(cancelled: &Reservation) -> RefundReason {
    match cancelled.cancel_reason {
        Some(CancelReason::Event) => RefundReason::EventCancelled,
        Some(CancelReason::Organizer) => RefundReason::CancelledByOrganizer,
        _ => RefundReason::CancelledByAttendee,
    }
}

/// What the holder is told once the money for `reservation` went back: a
/// cancellation by its reason, or a charge that landed after the hold ended.
pub fn refund_notice(reservation: &Reservation) -> NotificationKind {
    match (reservation.refund_requested, reservation.cancel_reason) {
        (true, Some(CancelReason::Event)) => NotificationKind::EventCancelled,
        (true, Some(CancelReason::Organizer)) => NotificationKind::RefundedByOrganizer,
        (true, _) => NotificationKind::ReservationCancelled,
        (false, _) => NotificationKind::LatePaymentRefunded,
    }
}

/// What a reservation's tickets do at the door: valid once confirmed, void once
/// cancelled or disputed; no tickets before confirmation.
pub fn door_tickets(r: &Reservation) -> Vec<DoorTicket> {
    let state = match (r.status, r.disputed) {
        (Status::Confirmed, false) => TicketState::Valid,
        (Status::Confirmed, true) => TicketState::Disputed,
        (Status::Cancelled, _) => TicketState::Cancelled,
        _ => return vec![],
    };
    r.tickets
        .iter()
        .enumerate()
        .map(|(i, code)| DoorTicket {
            code: code.clone(),
            state,
            seat_id: r.seats.get(i).map(|s| s.id.clone()),
            seat: r.seats.get(i).map(|s| s.name.clone()),
            replaces: None,
        })
        .collect()
}

/// The door's news of one committed change, if its tickets changed at the door.
/// A transfer (new codes for the same seats) voids the old codes as transferred,
/// in the same message as the new ones that replace them.
pub fn door_change(before: Option<&Reservation>, after: &Reservation, sequence: &str) -> Option<TicketsChanged> {
    let mut tickets = door_tickets(after);
    if let Some(before) = before.filter(|b| b.status == Status::Confirmed && b.tickets != after.tickets) {
        let replaced: Vec<DoorTicket> = door_tickets(before)
            .into_iter()
            .filter(|old| !after.tickets.contains(&old.code))
            .map(|old| DoorTicket { state: TicketState::Transferred, ..old })
            .collect();
        for (new, old) in tickets.iter_mut().zip(&replaced) {
            new.replaces = Some(old.code.clone());
        }
        // The old codes first: the door voids them before it looks at what replaces them.
        tickets.splice(0..0, replaced);
    }
    let unchanged = before.is_some_and(|b| door_tickets(b) == tickets);
    (!tickets.is_empty() && !unchanged).then(|| TicketsChanged {
        event_id: after.event_id.clone(),
        organizer_id: after.organizer_id.clone(),
        reservation_id: after.id.clone(),
        holder_id: after.user_id.clone(),
        tier_id: after.tier_id.clone(),
        tier_name: after.tier_name.clone(),
        sequence: ordered_sequence(sequence),
        tickets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reservation::tests::reservation;

    /// The follow-ups of a change of status, but for the waiting list's (`seats_back_to_the_waiting_list`).
    fn change(from: Status, to: Status, reason: Option<CancelReason>) -> Vec<FollowUp> {
        let after = Reservation { cancel_reason: reason, ..reservation(to) };
        follow_ups(Some(&reservation(from)), &after).into_iter().filter(|f| *f != FollowUp::OfferFreedSeats).collect()
    }

    #[test]
    fn seats_back_to_the_waiting_list() {
        use Status::*;
        for (from, to) in [
            (PendingPayment, Expired),
            (PendingPayment, PaymentFailed),
            (PendingPayment, Cancelled),
            (Confirmed, Cancelled),
        ] {
            let after = Reservation { cancel_reason: Some(CancelReason::Attendee), ..reservation(to) };
            let steps = follow_ups(Some(&reservation(from)), &after);
            assert_eq!(steps.last(), Some(&FollowUp::OfferFreedSeats), "{from:?} -> {to:?}");
            assert_eq!(steps.iter().filter(|f| **f == FollowUp::OfferFreedSeats).count(), 1);
        }
        for (from, to) in [
            (PendingPayment, Confirmed),
            (PendingPayment, PendingPayment),
            (Confirmed, Confirmed),
            (Expired, Expired),
            (Cancelled, Cancelled),
        ] {
            let steps = follow_ups(Some(&reservation(from)), &reservation(to));
            assert!(!steps.contains(&FollowUp::OfferFreedSeats), "{from:?} -> {to:?} gave no seats back");
        }
    }

    #[test]
    fn an_offer_is_told_then_charged_once_its_card_comes() {
        let offer = Reservation {
            payment_method: String::new(),
            waiting_list_joined_at: Some(reservation(Status::PendingPayment).created_at),
            ..reservation(Status::PendingPayment)
        };
        assert_eq!(
            follow_ups(None, &offer),
            vec![FollowUp::Notify(NotificationKind::WaitingListOffer)],
            "no charge without a card"
        );
        let card = Reservation { payment_method: "pm_card_visa".into(), payment_attempt: 1, ..offer.clone() };
        assert_eq!(follow_ups(Some(&offer), &card), vec![FollowUp::Charge], "the first card is a first charge");
        let another = Reservation { payment_method: "pm_card_mastercard".into(), payment_attempt: 2, ..card.clone() };
        assert_eq!(follow_ups(Some(&card), &another), vec![FollowUp::RetryCharge], "a later card retries that charge");
        let free = Reservation { amount_minor: 0, ..offer };
        assert_eq!(follow_ups(None, &free), vec![FollowUp::Charge], "a free offer is booked at once");
    }

    #[test]
    fn a_new_hold_is_charged_once() {
        assert_eq!(follow_ups(None, &reservation(Status::PendingPayment)), vec![FollowUp::Charge]);
        let same = reservation(Status::PendingPayment);
        assert!(follow_ups(Some(&same), &same).is_empty(), "a rewrite of a pending hold charges nothing more");
    }

    #[test]
    fn a_dispute_tells_the_organizer_once() {
        let before = reservation(Status::Confirmed);
        let disputed = Reservation { disputed: true, ..before.clone() };
        assert_eq!(
            follow_ups(Some(&before), &disputed),
            vec![FollowUp::NotifyOrganizer(NotificationKind::PaymentDisputed)]
        );
        assert!(follow_ups(Some(&disputed), &disputed).is_empty());
    }

    #[test]
    fn another_card_is_charged_once_per_attempt() {
        let before = reservation(Status::PendingPayment);
        let retried = Reservation { payment_attempt: 1, ..before.clone() };
        assert_eq!(follow_ups(Some(&before), &retried), vec![FollowUp::RetryCharge]);
        assert!(follow_ups(Some(&retried), &retried).is_empty(), "the same attempt written again");
    }

    #[test]
    fn every_end_of_a_hold_tells_its_holder() {
        use NotificationKind::*;
        assert_eq!(
            change(Status::PendingPayment, Status::Confirmed, None),
            vec![FollowUp::Notify(ReservationConfirmed)]
        );
        assert_eq!(change(Status::PendingPayment, Status::PaymentFailed, None), vec![FollowUp::Notify(PaymentFailed)]);
        assert_eq!(
            change(Status::PendingPayment, Status::Expired, None),
            vec![FollowUp::Refund(RefundReason::LatePayment), FollowUp::Notify(HoldExpired)],
            "a charge that lands after the hold ran out goes back"
        );
        assert_eq!(
            change(Status::PendingPayment, Status::Cancelled, Some(CancelReason::Attendee)),
            vec![FollowUp::Notify(ReservationCancelled)]
        );
        assert_eq!(
            change(Status::PendingPayment, Status::Cancelled, Some(CancelReason::Event)),
            vec![FollowUp::Notify(EventCancelled)]
        );
    }

    #[test]
    fn a_cancelled_booking_is_refunded_for_its_reason() {
        assert_eq!(
            change(Status::Confirmed, Status::Cancelled, Some(CancelReason::Attendee)),
            vec![FollowUp::Refund(RefundReason::CancelledByAttendee)]
        );
        assert_eq!(
            change(Status::Confirmed, Status::Cancelled, Some(CancelReason::Event)),
            vec![FollowUp::Refund(RefundReason::EventCancelled)]
        );
        let paid_as_event_cancelled = Reservation {
            cancel_reason: Some(CancelReason::Event),
            refund_requested: true,
            ..reservation(Status::Cancelled)
        };
        assert_eq!(
            follow_ups(Some(&reservation(Status::PendingPayment)), &paid_as_event_cancelled),
            vec![FollowUp::Refund(RefundReason::EventCancelled), FollowUp::OfferFreedSeats],
            "a payment that landed as its event was cancelled goes back; the notice follows the refund"
        );
        assert!(change(Status::Confirmed, Status::Confirmed, None).is_empty());
        assert!(change(Status::Cancelled, Status::Cancelled, Some(CancelReason::Attendee)).is_empty());
    }

    #[test]
    fn the_refund_notice_says_why_the_money_went_back() {
        let cancelled = |reason, paid| Reservation {
            cancel_reason: Some(reason),
            refund_requested: paid,
            ..reservation(Status::Cancelled)
        };
        assert_eq!(refund_notice(&cancelled(CancelReason::Attendee, true)), NotificationKind::ReservationCancelled);
        assert_eq!(refund_notice(&cancelled(CancelReason::Event, true)), NotificationKind::EventCancelled);
        assert_eq!(refund_notice(&cancelled(CancelReason::Attendee, false)), NotificationKind::LatePaymentRefunded);
        assert_eq!(refund_notice(&reservation(Status::Expired)), NotificationKind::LatePaymentRefunded);
        assert_eq!(refund_notice(&cancelled(CancelReason::Organizer, true)), NotificationKind::RefundedByOrganizer);
    }

    #[test]
    fn the_organizers_refunds_are_made_once_each_and_told() {
        let confirmed = reservation(Status::Confirmed);
        let by_organizer = Reservation {
            cancel_reason: Some(CancelReason::Organizer),
            refund_requested: true,
            ..reservation(Status::Cancelled)
        };
        assert_eq!(
            follow_ups(Some(&confirmed), &by_organizer),
            vec![FollowUp::Refund(RefundReason::CancelledByOrganizer), FollowUp::OfferFreedSeats],
            "a full refund gives the seats back: the waiting list is offered them"
        );
        let part = |id: &str| crate::domain::refund::PartialRefund {
            id: id.into(),
            amount_minor: 500,
            reason: None,
            requested_at: crate::domain::reservation::tests::at("2030-01-02T00:00:00Z"),
            by: "o1".into(),
        };
        let one = Reservation { refunds: vec![part("f1")], ..confirmed.clone() };
        let two = Reservation { refunds: vec![part("f1"), part("f2")], ..confirmed.clone() };
        assert_eq!(
            follow_ups(Some(&confirmed), &one),
            vec![FollowUp::PartialRefund(0), FollowUp::NotifyPartialRefund(0)]
        );
        assert_eq!(follow_ups(Some(&one), &two), vec![FollowUp::PartialRefund(1), FollowUp::NotifyPartialRefund(1)]);
        assert!(follow_ups(Some(&two), &two).is_empty(), "the same refunds written again start nothing");
    }

    #[test]
    fn the_door_hears_of_tickets_issued_voided_and_disputed_and_of_nothing_else() {
        let pending = reservation(Status::PendingPayment);
        let confirmed = Reservation { tickets: vec!["T1".into(), "T2".into()], ..reservation(Status::Confirmed) };
        assert_eq!(door_change(None, &pending, "1"), None, "a hold has no tickets");
        let issued = door_change(Some(&pending), &confirmed, "12").expect("issued");
        assert_eq!(issued.sequence.len(), 40);
        assert!(issued.sequence.ends_with("12"));
        assert!(issued.tickets.iter().all(|t| t.state == TicketState::Valid));
        assert_eq!(issued.tickets.len(), 2);
        assert_eq!(door_change(Some(&confirmed), &confirmed, "13"), None, "a rewrite changes nothing at the door");
        let disputed = Reservation { disputed: true, ..confirmed.clone() };
        let change = door_change(Some(&confirmed), &disputed, "14").expect("disputed");
        assert!(change.tickets.iter().all(|t| t.state == TicketState::Disputed));
        let cancelled = Reservation { status: Status::Cancelled, ..confirmed.clone() };
        let change = door_change(Some(&confirmed), &cancelled, "15").expect("cancelled");
        assert!(change.tickets.iter().all(|t| t.state == TicketState::Cancelled));
        let expired = reservation(Status::Expired);
        assert_eq!(door_change(Some(&pending), &expired, "16"), None);
    }

    #[test]
    fn a_transfer_voids_the_old_codes_issues_the_new_and_tells_both_holders() {
        let before = Reservation { tickets: vec!["A".into(), "B".into()], ..reservation(Status::Confirmed) };
        let after = Reservation {
            tickets: vec!["C".into(), "D".into()],
            user_id: "friend".into(),
            transfers: 1,
            ..before.clone()
        };
        let change = door_change(Some(&before), &after, "20").expect("a door change");
        let codes: Vec<(&str, TicketState, Option<&str>)> =
            change.tickets.iter().map(|t| (t.code.as_str(), t.state, t.replaces.as_deref())).collect();
        assert_eq!(
            codes,
            [
                ("A", TicketState::Transferred, None),
                ("B", TicketState::Transferred, None),
                ("C", TicketState::Valid, Some("A")),
                ("D", TicketState::Valid, Some("B")),
            ]
        );
        assert_eq!(change.holder_id, "friend");
        assert_eq!(
            follow_ups(Some(&before), &after),
            vec![
                FollowUp::Notify(NotificationKind::TicketsReceived),
                FollowUp::NotifyFormerHolder(NotificationKind::TicketsTransferred)
            ]
        );
    }
}
