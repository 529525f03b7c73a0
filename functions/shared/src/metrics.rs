//! Business metrics as CloudWatch Embedded Metric Format: one JSON line on stdout
//! per data point, which CloudWatch Logs turns into a metric (no API call, no
//! latency, no extra permission). Alarms and dashboards read them from the
//! namespace in `METRICS_NAMESPACE` (template Globals), by `Service`.

use serde_json::{Value, json};

/// What the platform counts. Names are the CloudWatch metric names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Seats held for a new reservation.
    HoldsMade,
    /// A reservation refused because the tier had too few seats left.
    SoldOut,
    /// A hold answered 503 because its tier's shards were too contended to finish it.
    HoldsBusy,
    /// Seats moved between a tier's shards so that a hold could take them.
    ShardsRebalanced,
    PaymentsSucceeded,
    PaymentsFailed,
    PaymentsRefunded,
    EmailsSent,
    /// SES was asked to send an email and its answer was lost (a timeout, a closed
    /// connection): it most likely went out, and is not sent again (SES takes no
    /// idempotency key, so a resend could email twice).
    EmailsUnconfirmed,
    /// The payment provider's circuit opened (calls stop for the cooldown).
    CircuitOpened,
    /// A payment waiting on its buyer looked at again because no webhook settled it.
    PaymentsReconciled,
    /// A Stripe webhook refused: a bad, stale or missing signature.
    WebhooksRejected,
    /// A buyer's bank opened a dispute (chargeback) on a charge.
    PaymentsDisputed,
    /// A refund failed at the bank (it is asked again).
    RefundsFailed,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::HoldsMade => "HoldsMade",
            Metric::SoldOut => "SoldOut",
            Metric::HoldsBusy => "HoldsBusy",
            Metric::ShardsRebalanced => "ShardsRebalanced",
            Metric::PaymentsSucceeded => "PaymentsSucceeded",
            Metric::PaymentsFailed => "PaymentsFailed",
            Metric::PaymentsRefunded => "PaymentsRefunded",
            Metric::EmailsSent => "EmailsSent",
            Metric::EmailsUnconfirmed => "EmailsUnconfirmed",
            Metric::CircuitOpened => "CircuitOpened",
            Metric::PaymentsReconciled => "PaymentsReconciled",
            Metric::WebhooksRejected => "WebhooksRejected",
            Metric::PaymentsDisputed => "PaymentsDisputed",
            Metric::RefundsFailed => "RefundsFailed",
        }
    }
}

/// The EMF document for `count` of `metric`, reported by `service` at `timestamp_ms`.
pub fn document(namespace: &str, service: &str, metric: Metric, count: u64, timestamp_ms: i64) -> Value {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Service"]],
                "Metrics": [{"Name": metric.name(), "Unit": "Count"}],
            }],
        },
        "Service": service,
        metric.name(): count,
    })
}

/// Records `count` of `metric` for `service` (the domain: `reservations`, `payments`, ...).
pub fn count(service: &str, metric: Metric, count: u64) {
    let namespace = std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| "Ticketing".to_owned());
    let line = document(&namespace, service, metric, count, chrono::Utc::now().timestamp_millis());
    // Its own line, outside the log formatter: CloudWatch extracts EMF per line.
    println!("{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_follow_the_embedded_metric_format() {
        let doc = document("Ticketing", "payments", Metric::PaymentsRefunded, 2, 1_700_000_000_000);
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert_eq!(directive["Namespace"], "Ticketing");
        assert_eq!(directive["Dimensions"], json!([["Service"]]));
        assert_eq!(directive["Metrics"][0], json!({"Name": "PaymentsRefunded", "Unit": "Count"}));
        // Every dimension and metric named in the directive is a member of the root.
        assert_eq!((doc["Service"].as_str(), doc["PaymentsRefunded"].as_u64()), (Some("payments"), Some(2)));
    }
}
