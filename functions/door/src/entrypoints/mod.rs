//! One thin entry point per function: build clients once, hand each event to its handler.

pub mod apply_ticket_changes;
pub mod check_in;
pub mod check_in_batch;
pub mod check_in_summary;
pub mod forward_door_changes;
pub mod get_door;
pub mod grant_staff;
pub mod list_door_tickets;
pub mod list_my_door_events;
pub mod list_staff;
pub mod put_door;
pub mod revoke_staff;
