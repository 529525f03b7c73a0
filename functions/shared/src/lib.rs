//! The one crate every function depends on. It holds plumbing only: nothing here
//! knows about users, events, reservations or payments.

pub mod auth;
pub mod body;
pub mod clock;
pub mod config;
pub mod dynamo;
pub mod http;
pub mod idempotency;
pub mod locale;
pub mod messages;
pub mod metrics;
pub mod outbound;
pub mod query;
pub mod sqs;
pub mod streams;
pub mod telemetry;
pub mod ticket_pass;

pub use auth::{Caller, Role, caller};
pub use clock::{Clock, SystemClock};
pub use config::{ConfigError, env_list, env_required, handler_name, unknown_handler};
pub use http::{ApiError, ClientAddress, FieldError, correlation_id, json_response, respond, source_ip};

/// The AWS SDK configuration, loaded once per process however many clients a
/// function builds. In AWS the credentials come from the execution role; locally
/// the runner sets `AWS_ENDPOINT_URL` and dummy credentials (and
/// `AWS_ENDPOINT_URL_DYNAMODB` for tables), so the same code talks to DynamoDB Local
/// and moto.
pub async fn aws_sdk_config() -> aws_config::SdkConfig {
    static CONFIG: tokio::sync::OnceCell<aws_config::SdkConfig> = tokio::sync::OnceCell::const_new();
    CONFIG
        .get_or_init(|| {
            let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
                .http_client(outbound::TimedHttpClient::for_aws());
            // Lambda puts the region and the role's credentials in the environment:
            // read them there rather than through the default chains, which look at
            // the profile files first.
            if let Ok(region) = std::env::var("AWS_REGION") {
                loader = loader.region(aws_config::Region::new(region));
            }
            if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
                loader =
                    loader.credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new());
            }
            loader.load()
        })
        .await
        .clone()
}
