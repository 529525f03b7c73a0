//! The local runner as a library: the binary (`main.rs`) wires these together;
//! tests use them to read templates the way the runner does.

pub mod gateway;
pub mod intrinsics;
pub mod lambda;
pub mod local_services;
pub mod output;
pub mod process;
pub mod schedules;
pub mod sqs_source;
pub mod stack;
pub mod template;
