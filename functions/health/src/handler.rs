//! GET /health: public liveness. The answer says ok or degraded and how many
//! dependencies failed; which ones, and why, is logged, not published.

use crate::probe::TableProbe;
use crate::report::{HealthReport, Status};
use lambda_http::{Body, Response, http::StatusCode};

/// The tables to check, named as the template names them (`users`, `events`, ...).
pub struct HealthCheck<P> {
    pub probe: P,
    pub tables: Vec<String>,
}

impl<P: TableProbe> HealthCheck<P> {
    pub async fn handle(&self) -> Response<Body> {
        let probes = self.tables.iter().map(|table| async move { (table.clone(), self.probe.probe(table).await) });
        let outcomes = futures::future::join_all(probes).await;
        let report = HealthReport::new(env!("CARGO_PKG_VERSION"), outcomes);
        for (table, check) in report.tables.iter().filter(|(_, check)| check.status != Status::Ok) {
            tracing::error!(%table, error = check.error.as_deref().unwrap_or_default(), "health check failed");
        }
        // 503 lets load balancers and uptime checks act on the status without parsing the body.
        let status = match report.status {
            Status::Ok => StatusCode::OK,
            Status::Degraded => StatusCode::SERVICE_UNAVAILABLE,
        };
        let mut response = shared::json_response(status, &report.public());
        response.headers_mut().insert("cache-control", "no-store".parse().expect("valid header value"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FakeProbe;

    impl TableProbe for FakeProbe {
        async fn probe(&self, table: &str) -> Result<(), String> {
            if table.contains("broken") { Err("table not found".to_owned()) } else { Ok(()) }
        }
    }

    fn body(resp: &Response<Body>) -> serde_json::Value {
        match resp.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[tokio::test]
    async fn answers_200_with_version_when_all_tables_answer() {
        let check = HealthCheck { probe: FakeProbe, tables: vec!["local-users".into(), "local-events".into()] };
        let resp = check.handle().await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let json = body(&resp);
        assert_eq!(json["status"], "ok");
        assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(json["dependencies"], serde_json::json!({"checked": 2, "failing": 0}));
    }

    #[tokio::test]
    async fn answers_503_counting_the_tables_that_failed() {
        let check = HealthCheck { probe: FakeProbe, tables: vec!["local-users".into(), "broken-events".into()] };
        let resp = check.handle().await;
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        let json = body(&resp);
        assert_eq!(json["status"], "degraded");
        assert_eq!(json["dependencies"], serde_json::json!({"checked": 2, "failing": 1}));
        assert!(!json.to_string().contains("broken-events"), "table names stay in the logs: {json}");
    }
}
