//! Handing tickets to someone else: when the holder may, and what changes. The
//! tickets move to the other account with new codes (the old ones stop opening
//! the door), in one conditional write; the door hears of it from the stream.

use super::reservation::{Reservation, Status};
use chrono::{DateTime, Utc};
use events::domain::event::TicketTransfers;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferRefusal {
    /// Only a confirmed booking has tickets to hand on.
    NotConfirmed,
    /// Its payment is disputed: its tickets are void at the door.
    Disputed,
    /// The event has started (or is over).
    EventStarted,
    /// The organizer does not allow transfers for this event.
    TransfersOff,
    /// To the holder's own account.
    ToSelf,
    /// A ticket of it went through a gate already.
    CheckedIn,
}

impl TransferRefusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotConfirmed => "not_transferable",
            Self::Disputed => "payment_disputed",
            Self::EventStarted => "event_started",
            Self::TransfersOff => "transfers_off",
            Self::ToSelf => "same_holder",
            Self::CheckedIn => "already_checked_in",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::NotConfirmed => "only a confirmed booking's tickets can be handed on",
            Self::Disputed => "this booking's payment is disputed; its tickets cannot be handed on",
            Self::EventStarted => "the event has started; tickets can no longer be handed on",
            Self::TransfersOff => "the organizer does not allow handing tickets on for this event",
            Self::ToSelf => "these tickets are yours already",
            Self::CheckedIn => "a ticket of this booking was used at the door; it cannot be handed on",
        }
    }
}

/// Whether `r`'s holder may hand its tickets to `to_user` now.
pub fn may_transfer(
    r: &Reservation,
    to_user: &str,
    rule: TicketTransfers,
    starts_at: Option<DateTime<Utc>>,
    checked_in: bool,
    now: DateTime<Utc>,
) -> Result<(), TransferRefusal> {
    if r.status != Status::Confirmed {
        return Err(TransferRefusal::NotConfirmed);
    }
    if r.disputed {
        return Err(TransferRefusal::Disputed);
    }
    if rule == TicketTransfers::Off {
        return Err(TransferRefusal::TransfersOff);
    }
    if starts_at.is_some_and(|start| start <= now) {
        return Err(TransferRefusal::EventStarted);
    }
    if r.user_id == to_user {
        return Err(TransferRefusal::ToSelf);
    }
    if checked_in {
        return Err(TransferRefusal::CheckedIn);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reservation::tests::reservation;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 5, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_confirmed_booking_goes_to_another_account_before_the_event() {
        let r = reservation(Status::Confirmed);
        let start = Some(Utc.with_ymd_and_hms(2030, 6, 1, 18, 0, 0).unwrap());
        assert_eq!(may_transfer(&r, "friend", TicketTransfers::Allowed, start, false, now()), Ok(()));
        assert_eq!(may_transfer(&r, "friend", TicketTransfers::Named, start, false, now()), Ok(()));
        let refusals = [
            (
                may_transfer(
                    &reservation(Status::PendingPayment),
                    "friend",
                    TicketTransfers::Allowed,
                    start,
                    false,
                    now(),
                ),
                TransferRefusal::NotConfirmed,
            ),
            (
                may_transfer(&reservation(Status::Cancelled), "friend", TicketTransfers::Allowed, start, false, now()),
                TransferRefusal::NotConfirmed,
            ),
            (
                may_transfer(
                    &Reservation { disputed: true, ..r.clone() },
                    "friend",
                    TicketTransfers::Allowed,
                    start,
                    false,
                    now(),
                ),
                TransferRefusal::Disputed,
            ),
            (may_transfer(&r, "friend", TicketTransfers::Off, start, false, now()), TransferRefusal::TransfersOff),
            (
                may_transfer(&r, "friend", TicketTransfers::Allowed, Some(now()), false, now()),
                TransferRefusal::EventStarted,
            ),
            (may_transfer(&r, &r.user_id, TicketTransfers::Allowed, start, false, now()), TransferRefusal::ToSelf),
            (may_transfer(&r, "friend", TicketTransfers::Allowed, start, true, now()), TransferRefusal::CheckedIn),
        ];
        for (got, want) in refusals {
            assert_eq!(got, Err(want));
            assert!(!want.code().is_empty() && !want.message().is_empty());
        }
    }
}
