//! GET /events/{id}/sales-over-time?granularity=hour|day (the event's organizer, an
//! admin): tickets sold, revenue, tickets and money refunded, per tier, per hour or
//! per day in the event's time zone, from the figures kept from the stream.

use super::promo_codes::EventReads;
use crate::store::dynamodb::DynamoReservationStore;
use chrono::{DateTime, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use shared::{ApiError, FieldError, caller, json_response};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct Point {
    /// The hour (UTC, RFC 3339) or the day (`YYYY-MM-DD` in the event's zone).
    start: String,
    tier_id: String,
    sold: i64,
    revenue_minor: i64,
    refunded: i64,
    refunded_minor: i64,
}

pub async fn handle(
    store: &DynamoReservationStore,
    reads: &EventReads,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let params = request.query_string_parameters();
    let mut unknown: Vec<FieldError> = params
        .iter()
        .filter(|(k, _)| *k != "granularity")
        .map(|(k, _)| FieldError::new(k, "is not a known parameter"))
        .collect();
    let by_day = match params.first("granularity") {
        None | Some("hour") => false,
        Some("day") => true,
        Some(_) => {
            unknown.push(FieldError::new("granularity", "must be hour or day"));
            false
        }
    };
    if !unknown.is_empty() {
        return Err(ApiError::validation(unknown));
    }
    let event = reads.organized(&caller, request, shared::auth::Permission::ReadSales).await?;
    let zone: chrono_tz::Tz = event.timezone.parse().unwrap_or(chrono_tz::UTC);
    let figures = store.sales_figures(&event.event_id).await?;
    let mut points: BTreeMap<(String, String), Point> = BTreeMap::new();
    for f in figures {
        let start = if by_day {
            match DateTime::parse_from_rfc3339(&f.hour) {
                Ok(t) => day(t.with_timezone(&Utc), zone).to_string(),
                Err(_) => continue,
            }
        } else {
            f.hour.clone()
        };
        let point = points.entry((start.clone(), f.tier_id.clone())).or_insert_with(|| Point {
            start,
            tier_id: f.tier_id.clone(),
            sold: 0,
            revenue_minor: 0,
            refunded: 0,
            refunded_minor: 0,
        });
        point.sold += f.sold;
        point.revenue_minor += f.revenue_minor;
        point.refunded += f.refunded;
        point.refunded_minor += f.refunded_minor;
    }
    let tiers: Vec<serde_json::Value> =
        event.tiers.iter().map(|(id, name)| serde_json::json!({"id": id, "name": name})).collect();
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({
            "eventId": event.event_id,
            "granularity": if by_day { "day" } else { "hour" },
            "timezone": event.timezone,
            "tiers": tiers,
            "points": points.into_values().collect::<Vec<_>>(),
        }),
    ))
}

/// The day an instant falls on in the event's zone.
fn day(t: DateTime<Utc>, zone: chrono_tz::Tz) -> NaiveDate {
    t.with_timezone(&zone).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_evening_sale_in_paris_falls_on_its_paris_day() {
        let t = DateTime::parse_from_rfc3339("2030-01-01T23:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(day(t, chrono_tz::Europe::Paris).to_string(), "2030-01-02");
        assert_eq!(day(t, chrono_tz::UTC).to_string(), "2030-01-01");
    }
}
