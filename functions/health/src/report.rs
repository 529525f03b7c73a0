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

/// The whole picture, for logs: which table failed and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthReport {
    pub status: Status,
    pub version: String,
    pub tables: BTreeMap<String, Check>,
}

/// What anyone on the internet may read: the status and counts, never the names
/// of our tables or their errors (those go to the logs; the local runner lists
/// its tables at `GET /_local`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicHealth {
    pub status: Status,
    pub version: String,
    pub dependencies: Dependencies,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Dependencies {
    pub checked: usize,
    pub failing: usize,
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

    pub fn public(&self) -> PublicHealth {
        let failing = self.tables.values().filter(|check| check.status != Status::Ok).count();
        PublicHealth {
            status: self.status,
            version: self.version.clone(),
            dependencies: Dependencies { checked: self.tables.len(), failing },
        }
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
    fn the_public_answer_names_no_table_and_no_error() {
        let report =
            HealthReport::new("1", [("local-UsersTable".to_owned(), Ok(())), ("x".to_owned(), Err("boom".to_owned()))]);
        let public = serde_json::to_string(&report.public()).unwrap();
        assert_eq!(
            public, r#"{"status":"degraded","version":"1","dependencies":{"checked":2,"failing":1}}"#,
            "no table names, no error text"
        );
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
