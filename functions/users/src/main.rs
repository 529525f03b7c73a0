//! The users domain's Lambda binary. Every function of the domain deploys it; the
//! function's `Handler` in template.yaml (Lambda passes it as `_HANDLER`) picks the
//! entry point, so a release build links the AWS SDK once per domain, not once per endpoint.

mod entrypoints;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let handler = shared::handler_name()?;
    match handler.as_str() {
        "add_member" => entrypoints::add_member::run().await,
        "authorizer" => entrypoints::authorizer::run().await,
        "bootstrap_admin" => entrypoints::bootstrap_admin::run().await,
        "delete_me" => entrypoints::delete_me::run().await,
        "get_me" => entrypoints::get_me::run().await,
        "list_members" => entrypoints::list_members::run().await,
        "list_users" => entrypoints::list_users::run().await,
        "login" => entrypoints::login::run().await,
        "logout" => entrypoints::logout::run().await,
        "refresh" => entrypoints::refresh::run().await,
        "register" => entrypoints::register::run().await,
        "remove_member" => entrypoints::remove_member::run().await,
        "set_role" => entrypoints::set_role::run().await,
        "update_me" => entrypoints::update_me::run().await,
        other => Err(shared::unknown_handler(other)),
    }
}
