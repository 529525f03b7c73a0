//! The events domain: organizers publish matches, concerts and conferences with
//! ticket tiers; the public browses them.
//!
//! - `domain`: the rules (validation, tier changes, publishing), no AWS types;
//! - `store`: the events table behind the `EventStore` trait;
//! - `handlers`: one module per endpoint;
//! - `src/bin/*.rs`: one thin Lambda entry point per function.

pub mod domain;
