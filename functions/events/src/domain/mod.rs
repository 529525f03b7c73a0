//! The events domain's rules, in plain Rust: no AWS types, all unit-tested.

pub mod event;
pub mod input;
pub mod lifecycle;
pub mod reminder;
pub mod seat_blocks;
pub mod seat_map;
pub use onsale::shards;
pub mod view;
