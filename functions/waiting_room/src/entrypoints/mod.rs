//! One entry point per Lambda function of this domain: each builds its clients once,
//! then hands every request to its handler. `main.rs` picks one by the function's `Handler`.

pub mod join_queue;
pub mod queue_status;
pub mod room_status;
