//! The reservations domain's rules, in plain Rust: no AWS types, all unit-tested.

pub mod changes;
pub mod documents;
pub mod order;
pub mod promo;
pub mod refund;
pub mod reminders;
pub mod reservation;
pub mod sales;
pub mod tickets;
pub mod transfer;
pub mod waiting_list;
pub mod webhooks;
