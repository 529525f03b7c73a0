//! A sold-out tier's waiting list: who may join, and the offer its first in line
//! gets when seats come back.
//!
//! An offer is a hold like any other (the same transaction takes the seats from
//! the tier's shards), made for the waiter without a card: the seats are theirs
//! for the event's offer window, and they pay by giving a card
//! (`POST /reservations/{id}/payment`). So there are never more open offers than
//! seats freed: an offer that finds no seats is not made. The same transaction
//! takes the waiter off the list, so a retried run never offers twice.

use super::order::{self, Order, OrderRefusal};
use super::reservation::{PaymentProgress, PaymentStep, Reservation};
use chrono::{DateTime, Duration, Utc};
use events::inventory::Offer;
use shared::FieldError;

/// One person waiting for a tier, in the order they joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiter {
    pub event_id: String,
    pub tier_id: String,
    pub user_id: String,
    /// Tickets they want (1 to the tier's limit per order).
    pub quantity: u32,
    /// Their place: earlier is first (ties broken by user id).
    pub joined_at: DateTime<Utc>,
}

/// Why someone may not join a tier's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinRefusal {
    /// No such tier for a buyer (a draft, or a hidden tier).
    NoSuchTier,
    /// The tier still has seats: book them instead.
    NotSoldOut {
        available: u32,
    },
    /// Sales are closed (before they open, the sale itself is the queue).
    SalesClosed,
    /// Seated tiers sell seats picked on the map; their list is not built yet.
    Seated,
    Quantity(FieldError),
}

/// May `user` join the list of `offer`'s tier for `quantity` tickets now? A tier
/// with a line is joined even when some seats show (they are the line's first).
pub fn may_join(offer: &Offer, quantity: u32, someone_waits: bool, now: DateTime<Utc>) -> Result<(), JoinRefusal> {
    if offer.draft || offer.hidden {
        return Err(JoinRefusal::NoSuchTier);
    }
    if !offer.on_sale(now) {
        return Err(JoinRefusal::SalesClosed);
    }
    if offer.seated {
        return Err(JoinRefusal::Seated);
    }
    if quantity == 0 || quantity > offer.max_per_order {
        return Err(JoinRefusal::Quantity(FieldError::new(
            "quantity",
            format!("must be from 1 to {} for this tier", offer.max_per_order),
        )));
    }
    // The tier's summary may lag the shards by a second: a list joined just as a
    // seat came back is still served by the next offer round.
    if offer.available >= quantity && !someone_waits {
        return Err(JoinRefusal::NotSoldOut { available: offer.available });
    }
    Ok(())
}

/// Namespace of offer ids (UUID v5 of the waiter's place): a run retried after its
/// transaction committed finds that offer instead of making a second one.
const OFFER_IDS: uuid::Uuid = uuid::Uuid::from_u128(0x2b7e_61d4_0c9a_4f35_9e18_a4d2_7c60_5b93);

pub fn offer_id(waiter: &Waiter) -> String {
    let place = format!(
        "{}#{}#{}#{}",
        waiter.event_id,
        waiter.tier_id,
        waiter.user_id,
        shared::clock::stored(waiter.joined_at)
    );
    uuid::Uuid::new_v5(&OFFER_IDS, place.as_bytes()).to_string()
}

/// Why no offer is made to this waiter now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoOffer {
    /// Sales closed (or the event was cancelled): nobody on the list gets one.
    SalesClosed,
    /// This waiter's order no longer fits the tier (its limit per order fell, or it
    /// was hidden): they leave the list, the next in line is served.
    NoLongerFits,
}

/// The hold offered to `waiter` at `now`: their seats for the event's offer window,
/// waiting for a card. A free tier needs none: its offer is booked at once.
pub fn offer_hold(
    waiter: &Waiter,
    offer: &Offer,
    correlation_id: &str,
    now: DateTime<Utc>,
) -> Result<Reservation, NoOffer> {
    let order = Order {
        event_id: waiter.event_id.clone(),
        tier_id: waiter.tier_id.clone(),
        quantity: waiter.quantity,
        seat_ids: Vec::new(),
        // Given later by the waiter; `order::hold` only needs to know one will come.
        payment_method: Some(String::new()),
        promo_code: None,
    };
    let window = Duration::minutes(i64::from(offer.waiting_list_offer_minutes));
    let mut hold = order::hold(&order, offer, None, offer_id(waiter), &waiter.user_id, correlation_id, now, window)
        .map_err(|refusal| match refusal {
            OrderRefusal::NotOnSale => NoOffer::SalesClosed,
            _ => NoOffer::NoLongerFits,
        })?;
    if offer.seated {
        return Err(NoOffer::NoLongerFits);
    }
    hold.waiting_list_joined_at = Some(waiter.joined_at);
    if hold.amount_minor > 0 {
        hold.payment = Some(PaymentProgress {
            status: PaymentStep::RequiresPaymentMethod,
            sequence: 0,
            client_secret: None,
            detail: Some("offered from the waiting list: give a card to buy these seats".into()),
        });
    }
    Ok(hold)
}

impl Reservation {
    /// An offer from the waiting list that waits for its first card: nothing is
    /// charged until the waiter gives one.
    pub fn is_open_offer(&self) -> bool {
        self.waiting_list_joined_at.is_some() && self.payment_method.is_empty() && self.amount_minor > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::tests::offer;
    use crate::domain::reservation::Status;
    use crate::domain::reservation::tests::at;

    fn waiter(quantity: u32) -> Waiter {
        Waiter {
            event_id: "e1".into(),
            tier_id: "t1".into(),
            user_id: "u7".into(),
            quantity,
            joined_at: at("2030-02-01T10:00:00Z"),
        }
    }

    fn sold_out() -> Offer {
        Offer { available: 0, ..offer() }
    }

    #[test]
    fn only_a_sold_out_tier_on_sale_has_a_list() {
        let now = at("2030-02-01T12:00:00Z");
        assert_eq!(may_join(&sold_out(), 2, false, now), Ok(()));
        assert_eq!(
            may_join(&Offer { available: 1, ..offer() }, 2, false, now),
            Ok(()),
            "one left is not enough for two"
        );
        assert_eq!(may_join(&offer(), 2, false, now), Err(JoinRefusal::NotSoldOut { available: 3 }));
        assert_eq!(may_join(&offer(), 2, true, now), Ok(()), "seats back are the line's: join it");
        assert_eq!(may_join(&Offer { hidden: true, ..sold_out() }, 1, false, now), Err(JoinRefusal::NoSuchTier));
        assert_eq!(may_join(&Offer { draft: true, ..sold_out() }, 1, false, now), Err(JoinRefusal::NoSuchTier));
        assert_eq!(may_join(&Offer { seated: true, ..sold_out() }, 1, false, now), Err(JoinRefusal::Seated));
        assert_eq!(may_join(&sold_out(), 1, false, at("2030-06-01T17:00:00Z")), Err(JoinRefusal::SalesClosed));
        assert!(matches!(may_join(&sold_out(), 5, false, now), Err(JoinRefusal::Quantity(_))));
        assert!(matches!(may_join(&sold_out(), 0, false, now), Err(JoinRefusal::Quantity(_))));
    }

    #[test]
    fn an_offer_holds_the_seats_for_the_window_and_waits_for_a_card() {
        let now = at("2030-02-01T12:00:00Z");
        let offer = Offer { waiting_list_offer_minutes: 45, ..sold_out() };
        let hold = offer_hold(&waiter(2), &offer, "req", now).unwrap();
        assert_eq!(hold.status, Status::PendingPayment);
        assert_eq!(hold.user_id, "u7");
        assert_eq!(hold.quantity, 2);
        assert_eq!(hold.amount_minor, 5000);
        assert_eq!(hold.hold_expires_at, at("2030-02-01T12:45:00Z"));
        assert!(hold.payment_method.is_empty());
        assert_eq!(hold.payment.as_ref().map(|p| p.status), Some(PaymentStep::RequiresPaymentMethod));
        assert!(hold.is_open_offer());
        assert_eq!(hold.id, offer_hold(&waiter(2), &offer, "other", now).unwrap().id, "one id per place");
    }

    #[test]
    fn a_free_offer_is_booked_at_once() {
        let now = at("2030-02-01T12:00:00Z");
        let hold = offer_hold(&waiter(1), &Offer { price_minor: 0, ..sold_out() }, "req", now).unwrap();
        assert_eq!(hold.payment, None);
        assert!(!hold.is_open_offer());
    }

    #[test]
    fn no_offer_once_sales_close_or_the_order_no_longer_fits() {
        let closed = at("2030-06-01T17:00:00Z");
        assert_eq!(offer_hold(&waiter(1), &sold_out(), "r", closed), Err(NoOffer::SalesClosed));
        let now = at("2030-02-01T12:00:00Z");
        let smaller = Offer { max_per_order: 1, ..sold_out() };
        assert_eq!(offer_hold(&waiter(2), &smaller, "r", now), Err(NoOffer::NoLongerFits));
        assert_eq!(offer_hold(&waiter(1), &Offer { hidden: true, ..sold_out() }, "r", now), Err(NoOffer::NoLongerFits));
    }

    #[test]
    fn each_place_has_its_own_offer_id() {
        let first = waiter(1);
        let rejoined = Waiter { joined_at: at("2030-02-01T11:00:00Z"), ..waiter(1) };
        assert_ne!(offer_id(&first), offer_id(&rejoined));
    }
}
