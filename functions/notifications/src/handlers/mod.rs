//! One module per function: `SendNotificationsFunction` →
//! `notifications-send-notifications` → `send_notifications::handle`.

pub mod send_notifications;
