//! The waiting-room domain's Lambda binary; the function's `Handler` picks the entry point.

mod entrypoints;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let handler = shared::handler_name()?;
    match handler.as_str() {
        "join_queue" => entrypoints::join_queue::run().await,
        "queue_status" => entrypoints::queue_status::run().await,
        "room_status" => entrypoints::room_status::run().await,
        other => Err(shared::unknown_handler(other)),
    }
}
