//! One module per function: `SendNotificationsFunction` →
//! `notifications-send-notifications` → `send_notifications::handle`.

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
pub mod webhook_routes;
