//! Structured logs. Lambda's `LoggingConfig` (LogFormat JSON, ApplicationLogLevel)
//! reaches the function as `AWS_LAMBDA_LOG_FORMAT` / `AWS_LAMBDA_LOG_LEVEL`;
//! the runtime's subscriber honours both, and the local runner sets them too.

/// Call once at the top of `main`, before building clients.
pub fn init() {
    lambda_runtime::tracing::init_default_subscriber();
}
