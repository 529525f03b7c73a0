//! The local runner as a library: the binary (`main.rs`) wires these together;
//! tests use them to read templates the way the runner does.
//!
//! | file | plays |
//! |---|---|
//! | `template.rs`, `intrinsics.rs` | SAM's transform: reads template.yaml, Globals, `!Ref`/`!GetAtt`/`!Sub`/... |
//! | `stack.rs` | CloudFormation: physical names and ARNs, creating tables and queues, each function's environment |
//! | `local_services.rs` | starts the stand-ins: DynamoDB Local (tables) and moto (SQS, SES) |
//! | `lambda.rs` | the Lambda service: Runtime API, instances per function, timeouts, crashes, `REPORT` lines |
//! | `invoke_api.rs` | Lambda's Invoke API, for `aws lambda invoke --endpoint-url` and the SDKs |
//! | `gateway.rs` | API Gateway HTTP API: routes, payload 2.0 events, Lambda authorizers and their cache |
//! | `sqs_source.rs` | Lambda's SQS event source mappings: batches, `ReportBatchItemFailures` |
//! | `stream_source.rs` | Lambda's DynamoDB stream event source mappings: filters, order per shard, bisect, retries, `OnFailure` |
//! | `schedules.rs` | EventBridge schedules: `rate`, `cron` in a time zone, `at`, retries, dead-letter queue |
//! | `faults.rs` | AWS Fault Injection Service, Lambda actions: kill an instance mid-invocation, drop or delay its calls' responses |
//! | `output.rs` | CloudWatch Logs: each function's output, prefixed with its name |
//! | `process.rs` | nothing in AWS: child processes never outlive the runner |
//! | `control.rs` | nothing in AWS: which requests may use the control endpoints (no cross-site forgery) |
//! | `main.rs` | the command line (`serve`, `invoke`) and the control endpoints under `/_local` |

pub mod control;
pub mod faults;
pub mod gateway;
pub mod intrinsics;
pub mod invoke_api;
pub mod lambda;
pub mod local_services;
pub mod output;
pub mod process;
pub mod schedules;
pub mod site;
pub mod sqs_source;
pub mod stack;
pub mod stream_source;
pub mod template;
