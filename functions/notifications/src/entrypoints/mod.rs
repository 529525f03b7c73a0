//! One entry point per Lambda function of this domain: each builds its clients once,
//! then hands every event to its handler. `main.rs` picks one by the function's `Handler`.

pub mod create_webhook;
pub mod delete_webhook;
pub mod deliver_webhooks;
pub mod fan_out_webhooks;
pub mod list_webhook_deliveries;
pub mod list_webhooks;
pub mod redeliver_webhook;
pub mod rotate_webhook_secret;
pub mod send_notifications;
pub mod update_webhook;
