//! One module per function: `ProcessPaymentsFunction` → `payments-process-payments`
//! → `process_payments::handle`.

pub mod forward_payment_outcomes;
pub mod process_payments;
pub mod stripe_webhook;
