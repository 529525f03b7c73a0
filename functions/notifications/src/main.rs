//! The notifications domain's Lambda binary. Every function of the domain deploys it; the
//! function's `Handler` in template.yaml (Lambda passes it as `_HANDLER`) picks the
//! entry point, so a release build links the AWS SDK once per domain, not once per endpoint.

mod entrypoints;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let handler = shared::handler_name()?;
    match handler.as_str() {
        "send_notifications" => entrypoints::send_notifications::run().await,
        "create_webhook" => entrypoints::create_webhook::run().await,
        "list_webhooks" => entrypoints::list_webhooks::run().await,
        "update_webhook" => entrypoints::update_webhook::run().await,
        "delete_webhook" => entrypoints::delete_webhook::run().await,
        "rotate_webhook_secret" => entrypoints::rotate_webhook_secret::run().await,
        "list_webhook_deliveries" => entrypoints::list_webhook_deliveries::run().await,
        "redeliver_webhook" => entrypoints::redeliver_webhook::run().await,
        "fan_out_webhooks" => entrypoints::fan_out_webhooks::run().await,
        "deliver_webhooks" => entrypoints::deliver_webhooks::run().await,
        other => Err(shared::unknown_handler(other)),
    }
}
