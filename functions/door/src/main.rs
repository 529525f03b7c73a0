//! The door domain's Lambda binary. Every function of the domain deploys it; the
//! function's `Handler` in template.yaml (Lambda passes it as `_HANDLER`) picks the
//! entry point.

mod entrypoints;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let handler = shared::handler_name()?;
    match handler.as_str() {
        "apply_ticket_changes" => entrypoints::apply_ticket_changes::run().await,
        "check_in" => entrypoints::check_in::run().await,
        "check_in_batch" => entrypoints::check_in_batch::run().await,
        "check_in_summary" => entrypoints::check_in_summary::run().await,
        "forward_door_changes" => entrypoints::forward_door_changes::run().await,
        "get_door" => entrypoints::get_door::run().await,
        "put_door" => entrypoints::put_door::run().await,
        "list_door_tickets" => entrypoints::list_door_tickets::run().await,
        "list_my_door_events" => entrypoints::list_my_door_events::run().await,
        "grant_staff" => entrypoints::grant_staff::run().await,
        "list_staff" => entrypoints::list_staff::run().await,
        "revoke_staff" => entrypoints::revoke_staff::run().await,
        other => Err(shared::unknown_handler(other)),
    }
}
