//! Reading events: the public listing and page, and an organizer's own list.

use super::{event_id, limit};
use crate::domain::event::{Category, Status};
use crate::domain::view::{Audience, EventView, view};
use crate::store::{EventStore, PublicQuery, Sort};
use chrono::{DateTime, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use shared::{ApiError, FieldError, Role, caller, json_response};

pub const PAGE_DEFAULT: usize = 20;
pub const PAGE_MAX: usize = 50;
pub const SEARCH_MAX: usize = 100;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    items: Vec<EventView>,
    next_cursor: Option<String>,
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

/// An instant, or a date meaning the start of that day (UTC); `end_of_day` for `to`.
fn when(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let time = if end_of_day { day.and_hms_opt(23, 59, 59)? } else { day.and_hms_opt(0, 0, 0)? };
    Some(time.and_utc())
}

/// GET /events?category=&city=&q=&from=&to=&sort=soonest|newest&limit=&cursor=
/// Soonest-first lists upcoming events unless `from` says otherwise.
pub async fn list_public<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let params = request.query_string_parameters();
    let mut errors = Vec::new();
    let known = ["category", "city", "q", "from", "to", "sort", "limit", "cursor"];
    for name in params.iter().map(|(k, _)| k).filter(|k| !known.contains(k)) {
        errors.push(field(name, "is not a known query parameter"));
    }
    let category = params.first("category").and_then(|c| {
        let parsed = Category::parse(c);
        if parsed.is_none() {
            errors.push(field("category", "must be match, concert or conference"));
        }
        parsed
    });
    let text = params.first("q").map(str::trim).filter(|q| !q.is_empty()).map(str::to_owned);
    if text.as_ref().is_some_and(|q| q.chars().count() > SEARCH_MAX) {
        errors.push(field("q", format!("must be at most {SEARCH_MAX} characters")));
    }
    let city = params.first("city").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    let mut instant = |name: &str, end: bool| {
        params.first(name).and_then(|t| {
            let parsed = when(t, end);
            if parsed.is_none() {
                errors.push(field(name, "must be a date (2030-05-01) or an RFC 3339 instant"));
            }
            parsed
        })
    };
    let from = instant("from", false);
    let to = instant("to", true);
    let sort = match params.first("sort") {
        None | Some("soonest") => Sort::Soonest,
        Some("newest") => Sort::Newest,
        Some(_) => {
            errors.push(field("sort", "must be soonest or newest"));
            Sort::Soonest
        }
    };
    let limit = limit(params.first("limit"), PAGE_DEFAULT, PAGE_MAX).unwrap_or_else(|e| {
        errors.push(e);
        PAGE_DEFAULT
    });
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            errors.push(field("to", "must not be before from"));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = Utc::now();
    let from = match (from, sort) {
        (None, Sort::Soonest) => Some(now),
        (from, _) => from,
    };
    let query = PublicQuery { category, city, text, from, to, sort, limit };
    let page = store.list_published(&query, params.first("cursor")).await?;
    let items = page.events.iter().map(|e| view(e, Audience::Public, now)).collect();
    Ok(json_response(StatusCode::OK, &Listing { items, next_cursor: page.next_cursor }))
}

/// GET /events/{id}: published, completed and cancelled events; drafts are not public.
pub async fn get_public<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let id = event_id(request)?;
    match store.get(&id).await? {
        Some(event) if event.status != Status::Draft => {
            Ok(json_response(StatusCode::OK, &view(&event, Audience::Public, Utc::now())))
        }
        _ => Err(ApiError::not_found("no such event")),
    }
}

/// GET /organizers/me/events: the caller's events in every status, newest first.
pub async fn list_mine<S: EventStore>(store: &S, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    caller.require(&[Role::Organizer, Role::Admin])?;
    let params = request.query_string_parameters();
    let limit = limit(params.first("limit"), PAGE_DEFAULT, PAGE_MAX).map_err(|e| ApiError::validation(vec![e]))?;
    let page = store.list_by_organizer(&caller.user_id, limit, params.first("cursor")).await?;
    let now = Utc::now();
    let items = page.events.iter().map(|e| view(e, Audience::Organizer, now)).collect();
    Ok(json_response(StatusCode::OK, &Listing { items, next_cursor: page.next_cursor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_instants_are_accepted() {
        assert_eq!(when("2030-05-01", false).unwrap().to_rfc3339(), "2030-05-01T00:00:00+00:00");
        assert_eq!(when("2030-05-01", true).unwrap().to_rfc3339(), "2030-05-01T23:59:59+00:00");
        assert_eq!(when("2030-05-01T12:00:00+02:00", false).unwrap().to_rfc3339(), "2030-05-01T10:00:00+00:00");
        assert!(when("next week", false).is_none());
    }
}
