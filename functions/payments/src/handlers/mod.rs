//! One module per function: `ProcessPaymentsFunction` → `payments-process-payments`
//! → `process_payments::handle`.

pub mod process_payments;
