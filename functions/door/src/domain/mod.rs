//! The door's rules, with no AWS types: what a scan decides, how gates are set up,
//! what staff may do.

pub mod admission;
pub mod news;
pub mod rules;
