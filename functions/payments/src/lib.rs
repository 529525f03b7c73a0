//! The payments domain: charges and refunds through the payment provider (Stripe),
//! consumed from `PaymentRequestsQueue`.
//!
//! - `domain`: what to do next, from what is recorded (no AWS types);
//! - `provider`: the `PaymentProvider` trait and its Stripe adapter;
//! - `store`: the payments table;
//! - `circuit`: the provider's circuit breaker, shared through the payments table;
//! - `stripe_signature`, `webhook`: Stripe's signed events and what each asks of us;
//! - `handlers`: the queue consumer, the table's stream consumer (outcomes) and the webhook.

pub mod circuit;
pub mod domain;
pub mod handlers;
pub mod provider;
pub mod store;
pub mod stripe_signature;
pub mod webhook;
