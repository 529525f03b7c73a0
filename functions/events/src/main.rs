//! The events domain's Lambda binary. Every function of the domain deploys it; the
//! function's `Handler` in template.yaml (Lambda passes it as `_HANDLER`) picks the
//! entry point, so a release build links the AWS SDK once per domain, not once per endpoint.

mod entrypoints;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let handler = shared::handler_name()?;
    match handler.as_str() {
        "cancel_event" => entrypoints::cancel_event::run().await,
        "create_event" => entrypoints::create_event::run().await,
        "delete_event" => entrypoints::delete_event::run().await,
        "forward_event_changes" => entrypoints::forward_event_changes::run().await,
        "get_event" => entrypoints::get_event::run().await,
        "get_seats" => entrypoints::get_seats::run().await,
        "list_events" => entrypoints::list_events::run().await,
        "list_my_events" => entrypoints::list_my_events::run().await,
        "list_participants" => entrypoints::list_participants::run().await,
        "publish_event" => entrypoints::publish_event::run().await,
        "put_seat_map" => entrypoints::put_seat_map::run().await,
        "block_seats" => entrypoints::block_seats::run().await,
        "refresh_tier_summaries" => entrypoints::refresh_tier_summaries::run().await,
        "update_event" => entrypoints::update_event::run().await,
        other => Err(shared::unknown_handler(other)),
    }
}
