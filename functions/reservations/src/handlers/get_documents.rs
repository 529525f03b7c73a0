//! The buyer's files, served alike (`get_tickets_pdf`, `get_calendar`): the holder
//! only, once confirmed; in the holder's language.

use super::reservation_id;
use crate::domain::documents::{Booking, TicketPage, calendar_ics, tickets_pdf};
use crate::domain::reservation::Status;
use crate::store::ReservationStore;
use events::domain::event::TicketTransfers;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::locale::Language;
use shared::ticket_pass::{PassClaims, PassKeys};
use shared::{ApiError, Clock, caller};

/// What the files read besides the booking: the event (its zone, its end) and the
/// holder (name, language).
pub struct DocumentReads {
    pub client: aws_sdk_dynamodb::Client,
    pub events_table: String,
    pub users_table: String,
    pub keys: PassKeys,
}

impl DocumentReads {
    /// The event and the holder read through `client`, the signing keys from the environment.
    pub fn from_env(client: aws_sdk_dynamodb::Client) -> Result<Self, shared::ConfigError> {
        Ok(Self {
            client,
            events_table: shared::env_required("EVENTS_TABLE")?,
            users_table: shared::env_required("USERS_TABLE")?,
            keys: PassKeys::from_env()?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Pdf,
    Calendar,
}

pub async fn serve<S: ReservationStore>(
    store: &S,
    reads: &DocumentReads,
    clock: &impl Clock,
    document: Document,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let id = reservation_id(request)?;
    let r = match store.get(&id).await? {
        Some(r) if r.user_id == caller.user_id => r,
        _ => return Err(ApiError::not_found("no such reservation")),
    };
    if r.status != Status::Confirmed {
        return Err(ApiError::conflict("no_tickets", "this reservation has no tickets (it is not confirmed)"));
    }
    let (offer, holder) = tokio::try_join!(
        events::inventory::offer(&reads.client, &reads.events_table, &r.event_id, &r.tier_id),
        users::contact::contact(&reads.client, &reads.users_table, &r.user_id),
    )?;
    let offer = offer.ok_or_else(|| ApiError::conflict("no_tickets", "the event of these tickets is gone"))?;
    let language = holder.as_ref().and_then(|h| h.language).unwrap_or(Language::En);
    let booking = Booking {
        reservation_id: r.id.clone(),
        event_title: r.event_title.clone(),
        venue: offer.venue.clone(),
        starts_at: offer.starts_at,
        ends_at: offer.ends_at,
        timezone: offer.timezone,
        tier_name: r.tier_name.clone(),
        holder: holder.map(|h| h.name).unwrap_or_default(),
        named: offer.ticket_transfers == TicketTransfers::Named,
        tickets: r
            .tickets
            .iter()
            .enumerate()
            .map(|(i, code)| TicketPage {
                code: code.clone(),
                pass: reads.keys.sign(&PassClaims {
                    event_id: r.event_id.clone(),
                    code: code.clone(),
                    seat_id: r.seats.get(i).map(|s| s.id.clone()),
                }),
                seat: r.seats.get(i).map(|s| s.name.clone()),
            })
            .collect(),
    };
    let (body, content_type, file) = match document {
        Document::Pdf => {
            let pdf = tickets_pdf(&booking, language).map_err(|e| {
                tracing::error!(error = %e, reservation_id = %id, "the tickets' PDF failed");
                ApiError::internal()
            })?;
            (Body::Binary(pdf), "application/pdf", format!("tickets-{id}.pdf"))
        }
        Document::Calendar => {
            let ics = calendar_ics(&booking, clock.now())
                .ok_or_else(|| ApiError::conflict("no_start", "the event has no start time yet"))?;
            (Body::Text(ics), "text/calendar; charset=utf-8", format!("event-{id}.ics"))
        }
    };
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("content-type", content_type)
        .header("content-disposition", format!("attachment; filename=\"{file}\""))
        .header("cache-control", "private, no-store")
        .body(body)
        .expect("a valid response"))
}
