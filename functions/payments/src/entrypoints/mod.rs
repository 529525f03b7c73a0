//! One entry point per Lambda function of this domain: each builds its clients once,
//! then hands every event to its handler. `main.rs` picks one by the function's `Handler`.

pub mod forward_payment_outcomes;
pub mod process_payments;
pub mod stripe_webhook;
