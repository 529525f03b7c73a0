//! GET /events?category=&city=&q=&from=&to=&sort=soonest|newest&limit=&cursor=:
//! published events. Soonest-first lists upcoming events unless `from` is given.

use super::{Listing, PAGE_DEFAULT, PAGE_MAX};
use crate::domain::event::Category;
use crate::domain::view::{Audience, view};
use crate::store::{EventPage, EventStore, PublicQuery, Sort};
use chrono::{DateTime, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::query::Query;
use shared::{ApiError, Clock, json_response};

pub const SEARCH_MAX: usize = 100;
const PARAMETERS: &[&str] = &["category", "city", "q", "from", "to", "sort", "limit", "cursor"];

/// An instant, or a date meaning the start of that day (UTC); `end_of_day` for `to`.
fn when(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let time = if end_of_day { day.and_hms_opt(23, 59, 59)? } else { day.and_hms_opt(0, 0, 0)? };
    Some(time.and_utc())
}

const INSTANT: &str = "must be a date (2030-05-01) or an RFC 3339 instant";

pub async fn handle<S: EventStore>(
    store: &S,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let mut query = Query::new(request, PARAMETERS);
    let category = query.parsed("category", "must be match, concert or conference", Category::parse);
    let text = query.text("q");
    if text.as_ref().is_some_and(|q| q.chars().count() > SEARCH_MAX) {
        query.error("q", format!("must be at most {SEARCH_MAX} characters"));
    }
    let city = query.text("city");
    let from = query.parsed("from", INSTANT, |t| when(t, false));
    let to = query.parsed("to", INSTANT, |t| when(t, true));
    let sort = query
        .parsed("sort", "must be soonest or newest", |t| match t {
            "soonest" => Some(Sort::Soonest),
            "newest" => Some(Sort::Newest),
            _ => None,
        })
        .unwrap_or(Sort::Soonest);
    let limit = query.limit(PAGE_DEFAULT, PAGE_MAX) as usize;
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            query.error("to", "must not be before from");
        }
    }
    let cursor = query.cursor();
    query.finish()?;
    let now = clock.now();
    let listing = PublicQuery { category, city, text, from, to, sort, limit }.upcoming_unless_from(now);
    let page = match listing.can_match() {
        true => store.list_published(&listing, cursor.as_deref()).await?,
        false => EventPage { events: Vec::new(), next_cursor: None },
    };
    let items = page.events.iter().map(|e| view(e, Audience::Public, now)).collect();
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
