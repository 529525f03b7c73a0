//! POST /reservations: `{eventId, tierId, quantity, paymentMethod}` (or, on a
//! seated tier, `{eventId, seatIds, paymentMethod}`) → 201 and a pending
//! reservation whose seats are held; the charge happens on the payment queue. Two
//! buyers of one seat: one holds it, the other gets 409 `seats_taken` naming it.
//! A quantity of a seated tier gets the best seats available (`seating::best`):
//! picked from the map and the rows' states as this instance last read them (a
//! second old at most), and picked again elsewhere, a few times, when another
//! buyer won one of them. With an `Idempotency-Key` header, the same key and body
//! answer what the first request answered, another body 422, a request still
//! running 409.
//!
//! The charge follows from the committed hold: the reservations table's stream
//! hands the new reservation to the forwarder, which queues its payment request
//! (`forward_reservation_changes`). Nothing here sends a message, so no crash
//! between the hold and a send can strand a hold without its charge. With an
//! `Idempotency-Key` the reservation's id follows from the key, so a retry finds
//! the same hold (no second hold, no second charge).

use super::ReservationView;
use crate::domain::order::{self, OrderRefusal};
use crate::domain::reservation::{BookedSeat, Reservation};
use crate::store::{ReservationStore, StoreError};
use chrono::Duration;
use events::inventory::{BestSeats, Offer, SeatOffer};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use seating::map::SeatId;
use serde::{Deserialize, Serialize};
use shared::body::{Fields, json_object};
use shared::idempotency::{self, Claim, IdempotencyStore};
use shared::metrics::Metric;
use shared::{ApiError, Clock, caller, json_response};
use std::future::Future;
use waiting_room::token::{AdmissionTokens, Refusal};

/// Reads what is on sale (the events domain's inventory contract).
pub trait Offers: Send + Sync {
    fn offer(
        &self,
        event_id: &str,
        tier_id: &str,
    ) -> impl Future<Output = Result<Option<Offer>, shared::dynamo::Failure>> + Send;
    /// Seats picked on the event's map, with their tier's offer.
    fn seat_offer(
        &self,
        event_id: &str,
        ids: &[SeatId],
    ) -> impl Future<Output = Result<SeatOffer, shared::dynamo::Failure>> + Send;
    /// Best available on a seated tier: `quantity` seats, none of them in `avoid`
    /// (seats this request lost), `lost` races lost so far (each widens the draw).
    fn best_seats(
        &self,
        offer: &Offer,
        quantity: u32,
        avoid: &[SeatId],
        lost: u32,
    ) -> impl Future<Output = Result<BestSeats, shared::dynamo::Failure>> + Send;
}

/// How often best-available picks again after losing seats to other buyers
/// before answering 503 `busy` (the buyer's retry then reads fresher states).
pub const BEST_AVAILABLE_TRIES: usize = 4;

pub struct Settings {
    /// How long seats stay held for payment.
    pub hold_for: Duration,
    /// Checks the waiting room's admission tokens (the waiting-room domain's contract).
    pub admission: AdmissionTokens,
}

/// Namespace of reservation ids derived from idempotency keys (UUID v5).
const RESERVATION_IDS: uuid::Uuid = uuid::Uuid::from_u128(0x6f1c_2a57_9d3e_4b8a_a1f0_5c7e_2d9b_3e41);

/// What an idempotent request stores to answer a replay.
#[derive(Serialize, Deserialize)]
struct StoredAnswer {
    status: u16,
    body: String,
}

pub async fn handle<S: ReservationStore, O: Offers>(
    store: &S,
    offers: &O,
    idempotency: &IdempotencyStore,
    settings: &Settings,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let key = super::idempotency_key(request)?.map(|key| format!("{}:{key}", caller.user_id));
    let Some(key) = key else {
        let id = uuid::Uuid::new_v4().to_string();
        return book(store, offers, settings, clock, request, &caller.user_id, id).await;
    };
    // The reservation's id follows from the key: if an attempt died after holding
    // seats but before recording its answer, the retry finds that reservation
    // instead of holding (and charging) a second time.
    let id = uuid::Uuid::new_v5(&RESERVATION_IDS, key.as_bytes()).to_string();
    let fingerprint = idempotency::fingerprint(&[request.body().as_ref()]);
    match idempotency.begin(&key, &fingerprint, clock.now().timestamp()).await? {
        Claim::Replay(stored) => {
            let answer: StoredAnswer = serde_json::from_str(&stored).map_err(|_| ApiError::internal())?;
            let status = StatusCode::from_u16(answer.status).map_err(|_| ApiError::internal())?;
            let mut response = Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::Text(answer.body))
                .map_err(|_| ApiError::internal())?;
            response.headers_mut().insert("idempotent-replayed", "true".parse().expect("static header"));
            Ok(response)
        }
        Claim::InFlight => Err(ApiError::conflict(
            "request_in_progress",
            "a request with this Idempotency-Key is still being processed",
        )),
        Claim::Mismatch => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        )),
        Claim::Proceed => {
            let booked = match book(store, offers, settings, clock, request, &caller.user_id, id.clone()).await {
                Err(refused) => earlier_attempt(store, &id, &caller.user_id).await?.map(|r| created(&r)).ok_or(refused),
                booked => booked,
            };
            let response = shared::respond(booked);
            if response.status().is_server_error() {
                // Nothing was kept: let a retry with the same key run again.
                idempotency.release(&key).await?;
            } else {
                let body = match response.body() {
                    Body::Text(text) => text.clone(),
                    _ => String::new(),
                };
                let stored = serde_json::to_string(&StoredAnswer { status: response.status().as_u16(), body })
                    .map_err(|_| ApiError::internal())?;
                // The booking stands whatever happens here: a record left in progress
                // lapses, and a retry then resumes the same reservation (its id follows
                // from the key), so this is not worth failing a successful request for.
                if let Err(err) = idempotency.complete(&key, &stored).await {
                    tracing::error!(%err, "idempotency record not completed");
                }
            }
            Ok(response)
        }
    }
}

async fn book<S: ReservationStore, O: Offers>(
    store: &S,
    offers: &O,
    settings: &Settings,
    clock: &impl Clock,
    request: &Request,
    user_id: &str,
    id: String,
) -> Result<Response<Body>, ApiError> {
    let order = order::read(Fields::new(json_object(request)?))?;
    let started = std::time::Instant::now();
    let (offer, seats) = if order.seat_ids.is_empty() {
        let offer = offers
            .offer(&order.event_id, &order.tier_id)
            .await?
            .ok_or_else(|| ApiError::not_found("no such event or tier"))?;
        (offer, Vec::new())
    } else {
        picked(offers.seat_offer(&order.event_id, &order.seat_ids).await?, &order.seat_ids)?
    };
    let order = order::Order { tier_id: offer.tier_id.clone(), ..order };
    let now = clock.now();
    let promo = match &order.promo_code {
        Some(code) => store.promo_code(&offer.event_id, code).await?,
        None => None,
    };
    if offer.waiting_room.is_some() {
        // While the sale's waiting room is on, only an admitted account buys.
        let token = request.headers().get("admission-token").and_then(|v| v.to_str().ok());
        settings.admission.check(token, user_id, &offer.event_id, now.timestamp()).map_err(admission_refused)?;
    }
    let correlation = shared::correlation_id(request);
    let mut reservation =
        order::hold(&order, &offer, promo.as_ref(), id, user_id, &correlation, now, settings.hold_for)
            .map_err(refusal)?;
    reservation.seats = seats;
    // Seats that come back to a tier with a waiting list are offered to the line
    // first (`offer_freed_seats`): a buyer outside it does not take them meanwhile.
    if !offer.seated && store.someone_waits(&offer.event_id, &offer.tier_id).await? {
        return Err(ApiError::conflict(
            "waiting_list_first",
            "people are waiting for this tier: seats that come back are offered to them first; join the waiting list",
        ));
    }
    let best_available = offer.seated && order.seat_ids.is_empty();
    let offered = started.elapsed();
    let mut lost: Vec<SeatId> = Vec::new();
    let mut tries = 0;
    let reservation = loop {
        if best_available {
            tries += 1;
            if tries > BEST_AVAILABLE_TRIES {
                tracing::info!(lost = lost.len(), "best-available lost every pick to other buyers");
                return Err(StoreError::Busy.into());
            }
            reservation.seats = match offers.best_seats(&offer, order.quantity, &lost, tries as u32 - 1).await? {
                BestSeats::Seats(seats) => {
                    seats.into_iter().map(|s| BookedSeat { id: s.id.to_string(), name: s.name }).collect()
                }
                BestSeats::NotEnough { free } => return Err(StoreError::SoldOut { remaining: free }.into()),
            };
        }
        match store.hold(&reservation, offer.shards, now).await {
            Ok(held) => break held,
            Err(StoreError::AlreadyHeld) => {
                // An earlier attempt of this request held the seats: answer with its
                // reservation (its charge followed from its own commit).
                let earlier = earlier_attempt(store, &reservation.id, user_id).await?.ok_or_else(ApiError::internal)?;
                tracing::info!(reservation_id = %earlier.id, status = ?earlier.status, "an earlier attempt of the same request");
                return Ok(created(&earlier));
            }
            // Another buyer won some of the seats picked for this one: pick again without them.
            Err(StoreError::SeatsTaken(ids)) if best_available => {
                lost.extend(ids.iter().filter_map(|id| SeatId::parse(id)));
            }
            Err(err) => return Err(err.into()),
        }
    };
    // Where a hold's time goes (make bench reads these): the offer, then the shards.
    let offer_ms = offered.as_secs_f64() * 1000.0;
    let hold_ms = (started.elapsed() - offered).as_secs_f64() * 1000.0;
    tracing::info!(reservation_id = %reservation.id, correlation_id = %correlation, quantity = reservation.quantity, shard = reservation.shard, offer_ms, hold_ms, "seats held");
    shared::metrics::count("reservations", Metric::HoldsMade, 1);
    Ok(created(&reservation))
}

/// The reservation an earlier attempt of this request made, if one did: an attempt
/// that died (its time ran out) after its hold committed but before its answer was
/// recorded leaves it, and a retry then finds its own seats taken (a best-available
/// pick, or the shards, say sold out) or the sale closed. The buyer holds those
/// seats and will be charged for them, so that hold, not the refusal, is the answer.
async fn earlier_attempt<S: ReservationStore>(
    store: &S,
    id: &str,
    user_id: &str,
) -> Result<Option<Reservation>, ApiError> {
    Ok(store.get(id).await?.filter(|r| r.user_id == user_id))
}

/// The seats' tier offer and the seats as the reservation names them, or why not.
fn picked(answer: SeatOffer, asked: &[SeatId]) -> Result<(Offer, Vec<BookedSeat>), ApiError> {
    match answer {
        SeatOffer::NoEvent => Err(ApiError::not_found("no such event")),
        SeatOffer::Unknown(ids) => Err(ApiError::validation(
            ids.iter()
                .map(|id| {
                    let at = asked.iter().position(|a| a == id).unwrap_or(0);
                    shared::FieldError::new(format!("seatIds[{at}]"), format!("{id} is not a seat of this event's map"))
                })
                .collect(),
        )),
        SeatOffer::MixedTiers => Err(ApiError::validation(vec![shared::FieldError::new(
            "seatIds",
            "must all be of one tier (an order is of one tier: book each tier's seats apart)",
        )])),
        SeatOffer::Seats { offer, seats } => {
            let seats = seats.into_iter().map(|s| BookedSeat { id: s.id.to_string(), name: s.name }).collect();
            Ok((offer, seats))
        }
    }
}

fn created(reservation: &Reservation) -> Response<Body> {
    let mut response = json_response(StatusCode::CREATED, &ReservationView::from(reservation));
    response
        .headers_mut()
        .insert("location", format!("/reservations/{}", reservation.id).parse().expect("uuid header"));
    response
}

fn admission_refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Missing => ApiError::new(
            StatusCode::FORBIDDEN,
            "admission_required",
            "this sale has a waiting room: join it (POST /events/{id}/queue) and send the admission token it gives \
             in the Admission-Token header",
        ),
        Refusal::Expired => ApiError::new(
            StatusCode::FORBIDDEN,
            "admission_expired",
            "your admission token has expired: fetch a fresh one (GET /events/{id}/queue/me)",
        ),
        Refusal::Invalid => ApiError::new(
            StatusCode::FORBIDDEN,
            "admission_invalid",
            "this admission token is not valid for your account and this event",
        ),
    }
}

fn refusal(refusal: OrderRefusal) -> ApiError {
    match refusal {
        OrderRefusal::NotOnSale => ApiError::conflict("sales_closed", "sales for this event are not open"),
        // Not told apart from a tier that does not exist: a presale stays unseen.
        OrderRefusal::Hidden => ApiError::not_found("no such event or tier"),
        OrderRefusal::Promo(refusal) => crate::domain::promo::refusal_error(refusal),
        OrderRefusal::Quantity(field) => ApiError::validation(vec![field]),
        OrderRefusal::NotSeated => ApiError::validation(vec![shared::FieldError::new(
            "seatIds",
            "this tier is not sold seat by seat: send tierId and quantity",
        )]),
        OrderRefusal::PaymentMethodRequired => ApiError::validation(vec![shared::FieldError::new(
            "paymentMethod",
            "is required for a paid order (a payment-method id such as pm_card_visa)",
        )]),
    }
}
