//! The users domain's rules, in plain Rust: no AWS types, all unit-tested.

pub mod account;
pub mod password;
pub mod session;
pub mod session_cookie;
pub mod throttle;
pub mod token;
