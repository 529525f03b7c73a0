//! What "healthy" means, without any AWS types.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Degraded,
}

/// The state of one dependency as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthReport {
    pub status: Status,
    pub version: String,
    pub tables: BTreeMap<String, Check>,
}

impl HealthReport {
    /// The platform is healthy only when every table answers: a function that
    /// cannot reach its table fails its requests, so the load balancer or the
    /// person looking should know.
    pub fn new(version: &str, probes: impl IntoIterator<Item = (String, Result<(), String>)>) -> Self {
        let tables: BTreeMap<String, Check> = probes
            .into_iter()
            .map(|(table, outcome)| {
                let check = match outcome {
                    Ok(()) => Check { status: Status::Ok, error: None },
                    Err(error) => Check { status: Status::Degraded, error: Some(error) },
                };
                (table, check)
            })
            .collect();
        let status =
            if tables.values().all(|check| check.status == Status::Ok) { Status::Ok } else { Status::Degraded };
        Self { status, version: version.to_owned(), tables }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_when_every_table_answers() {
        let report = HealthReport::new("1.2.3", [("users".to_owned(), Ok(())), ("events".to_owned(), Ok(()))]);
        assert_eq!(report.status, Status::Ok);
        assert_eq!(report.version, "1.2.3");
        assert_eq!(report.tables.len(), 2);
    }

    #[test]
    fn one_silent_table_degrades_the_whole() {
        let report =
            HealthReport::new("1", [("users".to_owned(), Ok(())), ("events".to_owned(), Err("timed out".to_owned()))]);
        assert_eq!(report.status, Status::Degraded);
        assert_eq!(report.tables["events"].error.as_deref(), Some("timed out"));
        assert_eq!(report.tables["users"].error, None);
    }

    #[test]
    fn serializes_lowercase_and_hides_empty_errors() {
        let report = HealthReport::new("1", [("users".to_owned(), Ok(()))]);
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            serde_json::json!({"status": "ok", "version": "1", "tables": {"users": {"status": "ok"}}})
        );
    }
}
