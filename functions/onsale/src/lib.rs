//! The on-sale's pure rules, shared by the functions that run them and by
//! `make simulate-onsale`, which runs them against a model of DynamoDB's limits:
//! - [`shards`]: where a hold takes its seats among a tier's shard items;
//! - [`admission`]: the waiting room's order and pace.

pub mod admission;
pub mod shards;
