//! One entry point per Lambda function of this domain: each builds its clients once,
//! then hands every event to its handler. `main.rs` picks one by the function's `Handler`.

pub mod block_seats;
pub mod cancel_event;
pub mod create_event;
pub mod delete_event;
pub mod forward_event_changes;
pub mod get_event;
pub mod get_seats;
pub mod list_events;
pub mod list_my_events;
pub mod list_participants;
pub mod publish_event;
pub mod put_seat_map;
pub mod refresh_tier_summaries;
pub mod update_event;
