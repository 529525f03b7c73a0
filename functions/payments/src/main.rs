//! The payments domain's Lambda binary. Every function of the domain deploys it; the
//! function's `Handler` in template.yaml (Lambda passes it as `_HANDLER`) picks the
//! entry point, so a release build links the AWS SDK once per domain, not once per endpoint.

mod entrypoints;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let handler = shared::handler_name()?;
    match handler.as_str() {
        "forward_payment_outcomes" => entrypoints::forward_payment_outcomes::run().await,
        "process_payments" => entrypoints::process_payments::run().await,
        "stripe_webhook" => entrypoints::stripe_webhook::run().await,
        other => Err(shared::unknown_handler(other)),
    }
}
