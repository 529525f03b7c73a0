//! The health check: `report` holds the rule (when is the platform healthy),
//! `probe` reaches the tables, `handler` turns both into the HTTP answer.

pub mod handler;
pub mod probe;
pub mod report;
