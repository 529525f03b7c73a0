//! A buyer's order: what `POST /reservations` carries, and the reservation it
//! becomes once checked against the offer.

use super::promo::{self, PromoCode, PromoRefusal};
use super::reservation::{Reservation, Status};
use chrono::{DateTime, Duration, Utc};
use events::domain::event::MAX_SEATS_PER_ORDER;
use events::inventory::Offer;
use seating::map::SeatId;
use shared::FieldError;
use shared::body::Fields;

/// Payment-method ids are short tokens (Stripe's `pm_...`).
const PAYMENT_METHOD_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub event_id: String,
    /// For seats picked on the map: the seats' tier, known once they are read.
    pub tier_id: String,
    pub quantity: u32,
    /// Seats picked on the map (`seatIds`); empty for a quantity of a tier.
    pub seat_ids: Vec<SeatId>,
    /// The card's payment-method id; a free order needs none.
    pub payment_method: Option<String>,
    /// A promo, presale or access code (`promoCode`), as typed.
    pub promo_code: Option<String>,
}

/// Reads the order's fields, naming every problem: `{eventId, tierId, quantity}`
/// or `{eventId, seatIds}`, and `paymentMethod` for a paid order.
pub fn read(mut fields: Fields) -> Result<Order, shared::ApiError> {
    let event_id = fields.required_str("eventId").filter(|id| plausible(&mut fields, "eventId", id));
    if fields.has("seatIds") {
        for other in ["tierId", "quantity"] {
            if fields.optional_value(other).is_some() {
                fields.error(other, "is not sent with seatIds (the seats say their tier and number)");
            }
        }
        let value = fields.optional_value("seatIds");
        let seat_ids = value.and_then(|v| seat_ids(&mut fields, &v));
        let payment_method = fields.optional_str("paymentMethod").filter(|pm| payment_method_ok(&mut fields, pm));
        let promo_code = promo_code(&mut fields);
        return fields.finish_with(|| {
            let seat_ids = seat_ids?;
            Some(Order {
                event_id: event_id?,
                tier_id: String::new(),
                quantity: seat_ids.len() as u32,
                seat_ids,
                payment_method,
                promo_code: promo_code?,
            })
        });
    }
    let tier_id = fields.required_str("tierId").filter(|id| plausible(&mut fields, "tierId", id));
    let quantity = fields.required_u32("quantity");
    let payment_method = fields.optional_str("paymentMethod").filter(|pm| payment_method_ok(&mut fields, pm));
    let promo_code = promo_code(&mut fields);
    fields.finish_with(|| {
        Some(Order {
            event_id: event_id?,
            tier_id: tier_id?,
            quantity: quantity?,
            seat_ids: Vec::new(),
            payment_method,
            promo_code: promo_code?,
        })
    })
}

/// `promoCode`, optional: `Some(None)` when absent or blank, `None` when invalid.
fn promo_code(fields: &mut Fields) -> Option<Option<String>> {
    match fields.optional_value("promoCode") {
        None | Some(serde_json::Value::Null) => Some(None),
        Some(serde_json::Value::String(code)) if code.trim().is_empty() => Some(None),
        Some(serde_json::Value::String(code)) if code.trim().len() <= 40 => Some(Some(code.trim().to_owned())),
        Some(_) => {
            fields.error("promoCode", "must be a code of at most 40 characters");
            None
        }
    }
}

/// `seatIds`: 1 to 10 distinct seat ids.
fn seat_ids(fields: &mut Fields, value: &serde_json::Value) -> Option<Vec<SeatId>> {
    let Some(list) = value.as_array().filter(|l| (1..=MAX_SEATS_PER_ORDER as usize).contains(&l.len())) else {
        fields.error("seatIds", format!("must be a list of 1 to {MAX_SEATS_PER_ORDER} seat ids"));
        return None;
    };
    let mut ids = Vec::new();
    let mut ok = true;
    for (i, item) in list.iter().enumerate() {
        match item.as_str().and_then(SeatId::parse) {
            Some(id) if ids.contains(&id) => {
                fields.error(&format!("seatIds[{i}]"), "names a seat already in the list");
                ok = false;
            }
            Some(id) => ids.push(id),
            None => {
                fields.error(&format!("seatIds[{i}]"), "must be a seat id such as \"3-12-7\" (GET /events/{id}/seats)");
                ok = false;
            }
        }
    }
    ok.then_some(ids)
}

/// Reads `{paymentMethod}` alone (another card for a held reservation).
pub fn read_payment_method(mut fields: Fields) -> Result<String, shared::ApiError> {
    let payment_method = fields.required_str("paymentMethod").filter(|pm| payment_method_ok(&mut fields, pm));
    fields.finish_with(|| payment_method)
}

fn payment_method_ok(fields: &mut Fields, pm: &str) -> bool {
    let ok = !pm.trim().is_empty()
        && pm.len() <= PAYMENT_METHOD_MAX
        && pm.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        fields.error("paymentMethod", "must be a payment-method id such as pm_card_visa");
    }
    ok
}

fn plausible(fields: &mut Fields, name: &str, id: &str) -> bool {
    let ok = shared::dynamo::plausible_id(id);
    if !ok {
        fields.error(name, "is not a valid id");
    }
    ok
}

/// Why an order cannot become a hold (before any seat is touched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRefusal {
    /// The event is not published, or its sales are not open now.
    NotOnSale,
    /// More than one order may take, or fewer than one.
    Quantity(FieldError),
    /// A paid order without a card.
    PaymentMethodRequired,
    /// Seats picked for a tier sold without seats.
    NotSeated,
    /// A hidden tier without a code that unlocks it, or a draft's tier: to the buyer,
    /// no such event or tier.
    Hidden,
    /// The promo code does not apply.
    Promo(PromoRefusal),
}

/// The hold an order becomes, priced now; the store then takes the seats, in one
/// transaction that checks again what this read saw.
pub fn hold(
    order: &Order,
    offer: &Offer,
    promo: Option<&PromoCode>,
    id: String,
    user_id: &str,
    correlation_id: &str,
    now: DateTime<Utc>,
    hold_for: Duration,
) -> Result<Reservation, OrderRefusal> {
    // A hidden tier is not there for a buyer without its access code, nor a draft's
    // tier for anyone: answering "not on sale" would tell a stranger the draft exists.
    if offer.draft || (offer.hidden && !promo.is_some_and(|p| promo::unlocks(p, &offer.tier_id))) {
        return Err(OrderRefusal::Hidden);
    }
    if !offer.on_sale(now) {
        return Err(OrderRefusal::NotOnSale);
    }
    // A seated tier sells seats picked on the map or by best-available (the
    // handler adds those to the hold); a tier without seats sells a quantity only.
    if !offer.seated && !order.seat_ids.is_empty() {
        return Err(OrderRefusal::NotSeated);
    }
    if order.quantity == 0 || order.quantity > offer.max_per_order {
        return Err(OrderRefusal::Quantity(FieldError::new(
            "quantity",
            format!("must be from 1 to {} for this tier", offer.max_per_order),
        )));
    }
    let applied = match (&order.promo_code, promo) {
        (None, _) => None,
        (Some(_), None) => return Err(OrderRefusal::Promo(PromoRefusal::Unknown)),
        (Some(_), Some(promo)) => Some(
            promo::apply(promo, &offer.tier_id, offer.price_minor, order.quantity, now).map_err(OrderRefusal::Promo)?,
        ),
    };
    let amount_minor = match &applied {
        Some(applied) => applied.original_minor - applied.discount_minor,
        None => offer.price_minor * i64::from(order.quantity),
    };
    if amount_minor > 0 && order.payment_method.is_none() {
        return Err(OrderRefusal::PaymentMethodRequired);
    }
    Ok(Reservation {
        id,
        user_id: user_id.to_owned(),
        event_id: offer.event_id.clone(),
        organizer_id: offer.organizer_id.clone(),
        event_title: offer.title.clone(),
        venue: offer.venue.clone(),
        starts_at: offer.starts_at,
        starts_at_local: offer.starts_at_local(),
        tier_id: offer.tier_id.clone(),
        tier_name: offer.tier_name.clone(),
        quantity: order.quantity,
        unit_price_minor: offer.price_minor,
        amount_minor,
        currency: offer.currency.clone(),
        payment_method: order.payment_method.clone().unwrap_or_default(),
        status: Status::PendingPayment,
        hold_expires_at: now + hold_for,
        created_at: now,
        updated_at: now,
        tickets: Vec::new(),
        refund_requested: false,
        cancel_reason: None,
        correlation_id: correlation_id.to_owned(),
        payment: None,
        payment_attempt: 0,
        transfers: 0,
        disputed: false,
        shard: 0,
        seats: Vec::new(),
        promo: applied,
        refunds: Vec::new(),
        waiting_list_joined_at: None,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::promo::Discount;
    use crate::domain::reservation::tests::at;

    pub(crate) fn offer() -> Offer {
        Offer {
            event_id: "e1".into(),
            organizer_id: "o1".into(),
            title: "Final".into(),
            published: true,
            draft: false,
            venue: Some("Stade, Lyon".into()),
            starts_at: Some(at("2030-06-01T18:00:00Z")),
            ends_at: None,
            timezone: chrono_tz_paris(),
            sales_opens_at: Some(at("2030-01-01T00:00:00Z")),
            sales_closes_at: Some(at("2030-06-01T17:00:00Z")),
            currency: "EUR".into(),
            tier_id: "t1".into(),
            tier_name: "Standard".into(),
            price_minor: 2500,
            max_per_order: 4,
            available: 3,
            shards: 1,
            waiting_room: None,
            seated: false,
            seat_map_version: None,
            ticket_transfers: events::domain::event::TicketTransfers::Allowed,
            hidden: false,
            waiting_list_offer_minutes: 30,
        }
    }

    fn chrono_tz_paris() -> events::inventory::Tz {
        "Europe/Paris".parse().unwrap()
    }

    fn order(quantity: u32) -> Order {
        Order {
            event_id: "e1".into(),
            tier_id: "t1".into(),
            quantity,
            seat_ids: Vec::new(),
            payment_method: Some("pm_card_visa".into()),
            promo_code: None,
        }
    }

    fn plan(order: &Order, offer: &Offer, now: &str) -> Result<Reservation, OrderRefusal> {
        hold(order, offer, None, "r1".into(), "u1", "req-1", at(now), Duration::minutes(15))
    }

    #[test]
    fn a_hold_is_priced_and_expires_after_its_window() {
        let r = plan(&order(2), &offer(), "2030-02-01T10:00:00Z").unwrap();
        assert_eq!((r.amount_minor, r.unit_price_minor, r.currency.as_str()), (5000, 2500, "EUR"));
        assert_eq!(r.status, Status::PendingPayment);
        assert_eq!(r.hold_expires_at, at("2030-02-01T10:15:00Z"));
        assert_eq!(r.starts_at_local.as_deref(), Some("2030-06-01T20:00:00+02:00"));
    }

    #[test]
    fn orders_outside_the_sales_window_or_limits_are_refused() {
        assert_eq!(plan(&order(1), &offer(), "2029-12-31T23:59:59Z"), Err(OrderRefusal::NotOnSale));
        assert_eq!(plan(&order(1), &offer(), "2030-06-01T17:00:00Z"), Err(OrderRefusal::NotOnSale));
        let cancelled = Offer { published: false, ..offer() };
        assert_eq!(plan(&order(1), &cancelled, "2030-02-01T00:00:00Z"), Err(OrderRefusal::NotOnSale));
        let draft = Offer { published: false, draft: true, ..offer() };
        assert_eq!(plan(&order(1), &draft, "2030-02-01T00:00:00Z"), Err(OrderRefusal::Hidden), "no such event");
        assert!(matches!(plan(&order(5), &offer(), "2030-02-01T00:00:00Z"), Err(OrderRefusal::Quantity(_))));
        assert!(matches!(plan(&order(0), &offer(), "2030-02-01T00:00:00Z"), Err(OrderRefusal::Quantity(_))));
        // The offer's seat figure is a summary: the shards decide, in the hold's transaction.
        assert!(plan(&order(4), &offer(), "2030-02-01T00:00:00Z").is_ok());
    }

    #[test]
    fn a_free_order_needs_no_card_and_a_paid_one_does() {
        let free = Offer { price_minor: 0, ..offer() };
        let no_card = Order { payment_method: None, ..order(2) };
        let r = plan(&no_card, &free, "2030-02-01T10:00:00Z").unwrap();
        assert_eq!((r.amount_minor, r.payment_method.as_str()), (0, ""));
        assert_eq!(plan(&no_card, &offer(), "2030-02-01T10:00:00Z"), Err(OrderRefusal::PaymentMethodRequired));
    }

    #[test]
    fn the_body_names_every_problem() {
        let body =
            shared::body::parse_object(br#"{"eventId": "", "quantity": "two", "paymentMethod": "x y", "extra": 1}"#)
                .unwrap();
        let err = read(Fields::new(body)).unwrap_err();
        let fields: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["eventId", "tierId", "quantity", "paymentMethod", "extra"]);
        let body = shared::body::parse_object(br#"{"eventId": "e1", "tierId": "t1", "quantity": 2}"#).unwrap();
        assert_eq!(read(Fields::new(body)).unwrap().payment_method, None, "checked against the price later");
        let body = shared::body::parse_object(
            br#"{"eventId": "e1", "tierId": "t1", "quantity": 2, "paymentMethod": "pm_card_visa"}"#,
        )
        .unwrap();
        assert_eq!(read(Fields::new(body)).unwrap(), order(2));
    }

    #[test]
    fn picked_seats_are_one_to_ten_distinct_ids_without_a_tier_or_quantity() {
        let read_body = |text: &str| read(Fields::new(shared::body::parse_object(text.as_bytes()).unwrap()));
        let order = read_body(r#"{"eventId": "e1", "seatIds": ["3-12-7", "3-12-8"], "paymentMethod": "pm_card_visa"}"#)
            .unwrap();
        assert_eq!(order.quantity, 2);
        assert_eq!(order.seat_ids, [SeatId { section: 3, row: 12, seat: 7 }, SeatId { section: 3, row: 12, seat: 8 }]);
        let fields =
            |text: &str| -> Vec<String> { read_body(text).unwrap_err().fields.into_iter().map(|f| f.field).collect() };
        assert_eq!(
            fields(r#"{"eventId": "e1", "seatIds": ["1-1-1", "1-1-1", "A1"], "quantity": 2}"#),
            ["quantity", "seatIds[1]", "seatIds[2]"]
        );
        assert_eq!(fields(r#"{"eventId": "e1", "seatIds": []}"#), ["seatIds"]);
        let eleven: Vec<String> = (1..=11).map(|n| format!("\"1-1-{n}\"")).collect();
        assert_eq!(fields(&format!(r#"{{"eventId": "e1", "seatIds": [{}]}}"#, eleven.join(","))), ["seatIds"]);
        // A seated tier sells picked seats or a quantity (best-available); a tier
        // without a map sells a quantity only.
        let seated = Offer { seated: true, ..offer() };
        assert_eq!(plan(&order, &offer(), "2030-02-01T10:00:00Z"), Err(OrderRefusal::NotSeated));
        assert!(plan(&order, &seated, "2030-02-01T10:00:00Z").is_ok());
        assert!(plan(&super::tests::order(2), &seated, "2030-02-01T10:00:00Z").is_ok());
    }

    fn members_code(discount: Discount, tiers: &[&str]) -> PromoCode {
        PromoCode {
            event_id: "e1".into(),
            code: "MEMBERS".into(),
            discount,
            max_uses: Some(10),
            uses: 0,
            tier_ids: tiers.iter().map(|t| t.to_string()).collect(),
            valid_from: None,
            valid_until: None,
            created_at: at("2029-01-01T00:00:00Z"),
        }
    }

    #[test]
    fn a_code_fixes_the_discounted_amount_at_hold_time() {
        let with_code = Order { promo_code: Some("members".into()), ..order(2) };
        let code = members_code(Discount::PercentOff(20), &[]);
        let now = at("2030-02-01T10:00:00Z");
        let hold_with = |order: &Order, offer: &Offer, promo: Option<&PromoCode>| {
            hold(order, offer, promo, "r1".into(), "u1", "req-1", now, Duration::minutes(15))
        };
        let r = hold_with(&with_code, &offer(), Some(&code)).unwrap();
        let applied = r.promo.as_ref().unwrap();
        assert_eq!(
            (r.amount_minor, applied.original_minor, applied.discount_minor, applied.counted),
            (4000, 5000, 1000, 2)
        );
        assert_eq!(hold_with(&with_code, &offer(), None), Err(OrderRefusal::Promo(PromoRefusal::Unknown)));
        // Without a code the order is at full price.
        assert_eq!(hold_with(&order(2), &offer(), Some(&code)).unwrap().amount_minor, 5000);
        // A free order after the discount needs no card.
        let free = members_code(Discount::PercentOff(100), &[]);
        let no_card = Order { payment_method: None, ..with_code.clone() };
        assert_eq!(hold_with(&no_card, &offer(), Some(&free)).unwrap().amount_minor, 0);
    }

    #[test]
    fn a_hidden_tier_sells_only_with_a_code_naming_it() {
        let hidden = Offer { hidden: true, ..offer() };
        let now = at("2030-02-01T10:00:00Z");
        let hold_with = |order: &Order, promo: Option<&PromoCode>| {
            hold(order, &hidden, promo, "r1".into(), "u1", "req-1", now, Duration::minutes(15))
        };
        let with_code = Order { promo_code: Some("MEMBERS".into()), ..order(1) };
        assert_eq!(hold_with(&order(1), None), Err(OrderRefusal::Hidden));
        // A code for every tier does not open a hidden one: it must name it.
        let any_tier = members_code(Discount::PercentOff(10), &[]);
        assert_eq!(hold_with(&with_code, Some(&any_tier)), Err(OrderRefusal::Hidden));
        let access = members_code(Discount::None, &["t1"]);
        let r = hold_with(&with_code, Some(&access)).unwrap();
        assert_eq!((r.amount_minor, r.promo.unwrap().discount_minor), (2500, 0));
    }
}
