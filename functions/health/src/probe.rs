//! Reaching a table, behind a small trait so the handler is testable without AWS.

use std::future::Future;
use std::time::Duration;

pub trait TableProbe: Send + Sync {
    /// `Ok` when the table exists and answers; `Err` carries a short reason.
    fn probe(&self, table: &str) -> impl Future<Output = Result<(), String>> + Send;
}

/// Probes with `DescribeTable`: cheap, consumes no capacity, needs only
/// `dynamodb:DescribeTable` on the table.
pub struct DynamoDbProbe {
    client: aws_sdk_dynamodb::Client,
    timeout: Duration,
}

impl DynamoDbProbe {
    pub fn new(client: aws_sdk_dynamodb::Client, timeout: Duration) -> Self {
        Self { client, timeout }
    }
}

impl TableProbe for DynamoDbProbe {
    async fn probe(&self, table: &str) -> Result<(), String> {
        let call = self.client.describe_table().table_name(table).send();
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => {
                tracing::warn!(table, error = %aws_sdk_dynamodb::error::DisplayErrorContext(&err), "table probe failed");
                Err(match err.into_service_error() {
                    aws_sdk_dynamodb::operation::describe_table::DescribeTableError::ResourceNotFoundException(_) => {
                        "table not found".to_owned()
                    }
                    _ => "table did not answer".to_owned(),
                })
            }
            Err(_) => Err(format!("no answer within {} ms", self.timeout.as_millis())),
        }
    }
}
