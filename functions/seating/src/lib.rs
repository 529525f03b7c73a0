//! Reserved seating's pure rules, shared by the events and reservations functions:
//!
//! - [`map`]: a venue's seat map (sections → rows → seats), how one is read from
//!   JSON, what makes one bad, and which edits it allows once seats may be sold;
//! - [`venue_csv`]: the same map from a venue's CSV (section, row, seat, x, y, tier);
//! - [`best`]: which adjacent seats best-available picks from the seats left.
//!
//! No store and no AWS: `docs/seating.md` says how the functions keep and sell seats.

pub mod best;
pub mod map;
pub mod venue_csv;

/// A field of the input and what is wrong with it (the edge turns these into 422s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
