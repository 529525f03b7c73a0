//! One reader for query strings, so every listing route treats them alike:
//! unknown parameters are refused (a typo would otherwise silently widen a listing),
//! `limit` is a whole number in range, `cursor` is passed through opaque, and every
//! problem is reported at once as a 422 naming the parameter.

use crate::http::{ApiError, FieldError};
use lambda_http::{Request, RequestExt};

pub struct Query {
    params: lambda_http::aws_lambda_events::query_map::QueryMap,
    errors: Vec<FieldError>,
}

impl Query {
    /// The request's query string; any parameter not in `known` is an error.
    pub fn new(request: &Request, known: &[&str]) -> Self {
        Self::from_map(request.query_string_parameters(), known)
    }

    fn from_map(params: lambda_http::aws_lambda_events::query_map::QueryMap, known: &[&str]) -> Self {
        let mut unknown: Vec<String> =
            params.iter().map(|(k, _)| k.to_owned()).filter(|k| !known.contains(&k.as_str())).collect();
        unknown.sort();
        unknown.dedup();
        let errors = unknown.into_iter().map(|k| FieldError::new(k, "is not a known query parameter")).collect();
        Self { params, errors }
    }

    /// The parameter's first value, trimmed; `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.params.first(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// Records a problem with a parameter (the caller's own rules).
    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(name, message));
    }

    /// Parses a parameter with `parse`; when it returns `None`, records `message`.
    pub fn parsed<T>(&mut self, name: &str, message: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        let text = self.text(name)?;
        let value = parse(&text);
        if value.is_none() {
            self.error(name, message);
        }
        value
    }

    /// `limit`: a whole number from 1 to `max`, `default` when absent.
    pub fn limit(&mut self, default: u32, max: u32) -> u32 {
        let message = format!("must be a whole number from 1 to {max}");
        self.parsed("limit", &message, |t| t.parse::<u32>().ok().filter(|n| (1..=max).contains(n))).unwrap_or(default)
    }

    /// A listing's page: `limit` (see [`limit`](Self::limit)) and `cursor`.
    pub fn page(&mut self, default: u32, max: u32) -> (u32, Option<String>) {
        (self.limit(default, max), self.cursor())
    }

    /// `cursor`: opaque; the store that made it checks it.
    pub fn cursor(&self) -> Option<String> {
        self.text("cursor")
    }

    /// Every problem found, as one 422; `Ok` when there were none.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::validation(self.errors)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)], known: &[&str]) -> Query {
        let mut map = std::collections::HashMap::<String, Vec<String>>::new();
        for (k, v) in pairs {
            map.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        Query::from_map(map.into(), known)
    }

    #[test]
    fn limits_are_checked_and_defaulted() {
        let mut q = query(&[], &["limit"]);
        assert_eq!(q.limit(20, 50), 20);
        assert!(q.finish().is_ok());
        let mut q = query(&[("limit", "50")], &["limit"]);
        assert_eq!(q.limit(20, 50), 50);
        assert!(q.finish().is_ok());
        for bad in ["0", "51", "-1", "2.5", "ten"] {
            let mut q = query(&[("limit", bad)], &["limit"]);
            q.limit(20, 50);
            let err = q.finish().unwrap_err();
            assert_eq!((err.status.as_u16(), err.fields[0].field.as_str()), (422, "limit"), "{bad}");
        }
    }

    #[test]
    fn unknown_parameters_are_named_and_everything_is_reported_at_once() {
        let mut q = query(&[("limt", "5"), ("cursor", "abc"), ("limit", "x")], &["limit", "cursor"]);
        assert_eq!(q.cursor().as_deref(), Some("abc"));
        q.limit(20, 50);
        let fields: Vec<String> = q.finish().unwrap_err().fields.into_iter().map(|f| f.field).collect();
        assert_eq!(fields, vec!["limt", "limit"]);
    }

    #[test]
    fn blank_values_count_as_absent() {
        let mut q = query(&[("city", "  "), ("sort", "x")], &["city", "sort"]);
        assert_eq!(q.text("city"), None);
        assert_eq!(q.parsed("sort", "must be soonest or newest", |_| None::<()>), None);
        assert_eq!(q.finish().unwrap_err().fields[0].message, "must be soonest or newest");
    }
}
