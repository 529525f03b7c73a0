//! Reads a SAM template into the few things the runner emulates: functions and
//! their event sources, DynamoDB tables, SQS queues and HttpApi routes.
//!
//! YAML short-form intrinsics (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`) are
//! normalised to their long JSON form (`{"Ref": "X"}`, `{"Fn::GetAtt": ["X", "Arn"]}`)
//! so that the rest of the runner deals with one representation.

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Resource types that need nothing locally: IAM, logs and alarms exist only in AWS.
const IGNORED_TYPES: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::Permission",
    "AWS::ApiGatewayV2::Stage",
];

#[derive(Debug, Clone)]
pub struct Resource {
    pub logical_id: String,
    pub kind: String,
    pub properties: Value,
    pub metadata: Value,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub parameters: BTreeMap<String, Value>,
    /// Parameters whose value CloudFormation reads from SSM at deploy time and keeps
    /// secret (`Type: AWS::SSM::Parameter::Value<...>`, `NoEcho: true`).
    pub secret_parameters: Vec<String>,
    pub conditions: Map<String, Value>,
    pub mappings: Map<String, Value>,
    pub resources: Vec<Resource>,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("parsing {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)?;
        let root = normalise(yaml);
        let root = root.as_object().ok_or_else(|| anyhow!("a template is a mapping at the top level"))?;
        let section = |name: &str| root.get(name).and_then(Value::as_object).cloned().unwrap_or_default();

        let secret_parameters = section("Parameters")
            .into_iter()
            .filter(|(_, def)| {
                def.get("Type").and_then(Value::as_str).is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value"))
                    && def.get("NoEcho").is_some_and(|v| v == true || v == "true")
            })
            .map(|(name, _)| name)
            .collect();
        let parameters = section("Parameters")
            .into_iter()
            .map(|(name, def)| (name, def.get("Default").cloned().unwrap_or(Value::Null)))
            .collect();
        let globals = section("Globals");
        let mut resources = Vec::new();
        for (logical_id, raw) in section("Resources") {
            let kind = raw
                .get("Type")
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow!("resource {logical_id} has no Type"))?
                .to_owned();
            let mut properties = raw.get("Properties").cloned().unwrap_or_else(|| Value::Object(Map::new()));
            // SAM Globals: `Globals.Function` applies to every AWS::Serverless::Function, and so on.
            if let Some(short) = kind.strip_prefix("AWS::Serverless::") {
                if let Some(global) = globals.get(short) {
                    properties = merge_globals(global, &properties);
                }
            }
            let metadata = raw.get("Metadata").cloned().unwrap_or(Value::Null);
            resources.push(Resource { logical_id, kind, properties, metadata });
        }
        Ok(Self {
            parameters,
            secret_parameters,
            conditions: section("Conditions"),
            mappings: section("Mappings"),
            resources,
        })
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// One line per resource the runner will not emulate, naming it.
    pub fn unsupported_resources(&self) -> Vec<String> {
        self.resources
            .iter()
            .filter(|r| !KNOWN_TYPES.contains(&r.kind.as_str()) && !IGNORED_TYPES.contains(&r.kind.as_str()))
            .map(|r| {
                format!(
                    "resource {} has type {}, which the local runner does not emulate; it is skipped",
                    r.logical_id, r.kind
                )
            })
            .collect()
    }
}

pub const KNOWN_TYPES: &[&str] = &[
    "AWS::Serverless::Function",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::SimpleTable",
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::SES::EmailIdentity",
    // Its headers are the site's (site.rs).
    "AWS::CloudFront::ResponseHeadersPolicy",
];

/// SAM's Globals merge: maps merge key by key, lists are appended, scalars of the resource win.
fn merge_globals(global: &Value, own: &Value) -> Value {
    match (global, own) {
        (Value::Object(g), Value::Object(o)) => {
            let mut merged = g.clone();
            for (key, value) in o {
                let next = match g.get(key) {
                    Some(gv) => merge_globals(gv, value),
                    None => value.clone(),
                };
                merged.insert(key.clone(), next);
            }
            Value::Object(merged)
        }
        (Value::Array(g), Value::Array(o)) => Value::Array(g.iter().chain(o).cloned().collect()),
        (_, own) => own.clone(),
    }
}

/// YAML (with CloudFormation tags) → JSON with long-form intrinsics.
fn normalise(yaml: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or_default())
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(normalise).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml_ng::to_string(&other).unwrap_or_default().trim().to_owned(),
                    };
                    (key, normalise(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let value = normalise(tagged.value);
            let (key, value) = match tag {
                "Ref" => ("Ref".to_owned(), value),
                "Condition" => ("Condition".to_owned(), value),
                "GetAtt" => {
                    let value = match value {
                        Value::String(s) => match s.split_once('.') {
                            Some((resource, attribute)) => Value::from(vec![resource, attribute]),
                            None => Value::String(s),
                        },
                        other => other,
                    };
                    ("Fn::GetAtt".to_owned(), value)
                }
                other => (format!("Fn::{other}"), value),
            };
            let mut map = Map::new();
            map.insert(key, value);
            Value::Object(map)
        }
    }
}

// ---------- typed views of the resources the runner emulates ----------

/// One function as the runner runs it (values still unresolved where the template uses intrinsics).
#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub logical_id: String,
    pub binary: String,
    /// `Handler`, passed to the process as `_HANDLER` (it picks a domain binary's entry point).
    pub handler: String,
    pub memory_mb: u64,
    pub timeout: Duration,
    pub reserved_concurrency: Option<usize>,
    pub environment: Map<String, Value>,
    pub log_format: Option<String>,
    pub log_level: Option<String>,
    pub events: Vec<EventSource>,
}

#[derive(Debug, Clone)]
pub enum EventSource {
    HttpApi(HttpRoute),
    Sqs(SqsSource),
    Schedule(ScheduleSource),
    DynamoDb(StreamSource),
}

#[derive(Debug, Clone)]
pub struct HttpRoute {
    /// `ApiId: !Ref X`; `None` is SAM's implicit API.
    pub api_id: Option<String>,
    /// Upper-case method or `ANY`; `None` with `path` `None` is the `$default` route.
    pub method: Option<String>,
    pub path: Option<String>,
    /// `Auth.Authorizer` of the event, e.g. `NONE` for a public route.
    pub authorizer: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SqsSource {
    pub queue: Value,
    pub batch_size: usize,
    pub batching_window: Duration,
    pub report_batch_item_failures: bool,
    pub enabled: bool,
    pub max_concurrency: Option<usize>,
}

/// A `Type: DynamoDB` event: a table's stream feeding the function, with the
/// event source mapping's settings (defaults as in Lambda).
#[derive(Debug, Clone)]
pub struct StreamSource {
    pub event_name: String,
    /// `!GetAtt Table.StreamArn`.
    pub stream: Value,
    /// `TRIM_HORIZON` or `LATEST`.
    pub starting_position: String,
    pub batch_size: usize,
    pub batching_window: Duration,
    pub bisect_on_error: bool,
    /// `None` (the default, `-1`): retried until the records expire.
    pub max_retries: Option<u32>,
    /// `None` (the default, `-1`): records are retried as long as the stream keeps them.
    pub max_record_age: Option<Duration>,
    pub report_batch_item_failures: bool,
    /// `FilterCriteria.Filters[].Pattern`, parsed; a record matching none is skipped.
    pub filters: Vec<Value>,
    /// `DestinationConfig.OnFailure.Destination`: where a batch that failed for good is recorded.
    pub on_failure: Option<Value>,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct ScheduleSource {
    pub event_name: String,
    /// The schedule's own name (ScheduleV2 `Name`) when it has one.
    pub name: Option<String>,
    pub expression: String,
    pub timezone: Option<String>,
    pub input: Option<Value>,
    pub enabled: bool,
    pub max_retries: u32,
    pub dead_letter_queue: Option<Value>,
}

fn str_prop(props: &Value, key: &str) -> Option<String> {
    props.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn num_prop(props: &Value, key: &str) -> Option<u64> {
    props.get(key).and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
}

fn int_prop(props: &Value, key: &str) -> Option<i64> {
    props.get(key).and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
}

fn bool_prop(props: &Value, key: &str) -> Option<bool> {
    props.get(key).and_then(|v| v.as_bool().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
}

/// Function settings that may come from parameters (`Timeout: !Ref PageTimeout`,
/// `ScheduleExpression: !Ref ReminderSchedule`): resolved before the function is read.
const RESOLVED_FUNCTION_PROPERTIES: &[&str] = &["Timeout", "MemorySize", "ReservedConcurrentExecutions"];
const RESOLVED_EVENT_PROPERTIES: &[&str] = &[
    "Schedule",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "State",
    "Enabled",
    "BatchSize",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "StartingPosition",
];

impl Resource {
    /// This resource with its scalar function settings resolved by `resolve`
    /// (parameters, `!Sub`, `!If`); everything else stays as written.
    pub fn with_resolved_settings(&self, resolve: impl Fn(&Value) -> Result<Value>) -> Result<Resource> {
        let mut resolved = self.clone();
        let Some(properties) = resolved.properties.as_object_mut() else { return Ok(resolved) };
        for key in RESOLVED_FUNCTION_PROPERTIES {
            if let Some(value) = properties.get_mut(*key) {
                *value = resolve(value).with_context(|| format!("{}: {key}", self.logical_id))?;
            }
        }
        for (name, event) in properties.get_mut("Events").and_then(Value::as_object_mut).into_iter().flatten() {
            let Some(event_properties) = event.get_mut("Properties").and_then(Value::as_object_mut) else { continue };
            for key in RESOLVED_EVENT_PROPERTIES {
                if let Some(value) = event_properties.get_mut(*key) {
                    *value = resolve(value).with_context(|| format!("{}: event {name}: {key}", self.logical_id))?;
                }
            }
        }
        Ok(resolved)
    }

    /// Reads an `AWS::Serverless::Function`. Event types the runner does not feed give warnings.
    pub fn function(&self, warnings: &mut Vec<String>) -> Result<FunctionDef> {
        let p = &self.properties;
        let binary = self
            .metadata
            .get("BuildProperties")
            .and_then(|b| b.get("Binary"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                // cargo-lambda builds the package's only binary, named after the crate directory by convention.
                str_prop(p, "CodeUri").and_then(|uri| uri.trim_end_matches('/').rsplit('/').next().map(str::to_owned))
            })
            .ok_or_else(|| anyhow!("function {} names no binary (Metadata.BuildProperties.Binary)", self.logical_id))?;
        let mut events = Vec::new();
        if let Some(map) = p.get("Events").and_then(Value::as_object) {
            for (event_name, event) in map {
                let kind = event.get("Type").and_then(Value::as_str).unwrap_or_default();
                let ep = event.get("Properties").cloned().unwrap_or(Value::Null);
                match kind {
                    "HttpApi" => events.push(EventSource::HttpApi(HttpRoute {
                        api_id: ep.get("ApiId").and_then(|v| v.get("Ref")).and_then(Value::as_str).map(str::to_owned),
                        method: str_prop(&ep, "Method").map(|m| m.to_ascii_uppercase()),
                        path: str_prop(&ep, "Path"),
                        authorizer: ep.get("Auth").and_then(|a| a.get("Authorizer")).and_then(Value::as_str).map(str::to_owned),
                    })),
                    "SQS" => {
                        let Some(queue) = ep.get("Queue").cloned() else {
                            bail!("function {}: SQS event {event_name} has no Queue", self.logical_id);
                        };
                        events.push(EventSource::Sqs(SqsSource {
                            queue,
                            batch_size: num_prop(&ep, "BatchSize").unwrap_or(10) as usize,
                            batching_window: Duration::from_secs(num_prop(&ep, "MaximumBatchingWindowInSeconds").unwrap_or(0)),
                            report_batch_item_failures: ep
                                .get("FunctionResponseTypes")
                                .and_then(Value::as_array)
                                .is_some_and(|types| types.iter().any(|t| t == "ReportBatchItemFailures")),
                            enabled: bool_prop(&ep, "Enabled").unwrap_or(true),
                            max_concurrency: ep
                                .get("ScalingConfig")
                                .and_then(|s| num_prop(s, "MaximumConcurrency"))
                                .map(|n| n as usize),
                        }));
                    }
                    "DynamoDB" => {
                        let Some(stream) = ep.get("Stream").cloned() else {
                            bail!("function {}: DynamoDB event {event_name} has no Stream", self.logical_id);
                        };
                        let mut filters = Vec::new();
                        let listed = ep.get("FilterCriteria").and_then(|f| f.get("Filters")).and_then(Value::as_array);
                        for filter in listed.into_iter().flatten() {
                            let pattern = match filter.get("Pattern") {
                                Some(Value::String(text)) => serde_json::from_str(text).with_context(|| {
                                    format!("function {}: event {event_name}: a filter pattern is not JSON", self.logical_id)
                                })?,
                                Some(other) => other.clone(),
                                None => bail!("function {}: event {event_name}: a filter has no Pattern", self.logical_id),
                            };
                            filters.push(pattern);
                        }
                        let unlimited = |key: &str| int_prop(&ep, key).filter(|n| *n >= 0);
                        events.push(EventSource::DynamoDb(StreamSource {
                            event_name: event_name.clone(),
                            stream,
                            starting_position: str_prop(&ep, "StartingPosition").unwrap_or_else(|| "LATEST".into()),
                            batch_size: num_prop(&ep, "BatchSize").unwrap_or(100) as usize,
                            batching_window: Duration::from_secs(num_prop(&ep, "MaximumBatchingWindowInSeconds").unwrap_or(0)),
                            bisect_on_error: bool_prop(&ep, "BisectBatchOnFunctionError").unwrap_or(false),
                            max_retries: unlimited("MaximumRetryAttempts").map(|n| n as u32),
                            max_record_age: unlimited("MaximumRecordAgeInSeconds").map(|n| Duration::from_secs(n as u64)),
                            report_batch_item_failures: ep
                                .get("FunctionResponseTypes")
                                .and_then(Value::as_array)
                                .is_some_and(|types| types.iter().any(|t| t == "ReportBatchItemFailures")),
                            filters,
                            on_failure: ep
                                .get("DestinationConfig")
                                .and_then(|d| d.get("OnFailure"))
                                .and_then(|d| d.get("Destination"))
                                .cloned(),
                            enabled: bool_prop(&ep, "Enabled").unwrap_or(true),
                        }));
                    }
                    "Schedule" | "ScheduleV2" => {
                        // An intrinsic (`!Ref ReminderSchedule`) the stack has not resolved yet
                        // stays as its JSON text, which parses as no expression.
                        let expression = ["Schedule", "ScheduleExpression"]
                            .iter()
                            .find_map(|key| ep.get(*key).filter(|v| !v.is_null()))
                            .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
                            .ok_or_else(|| anyhow!("function {}: schedule {event_name} has no expression", self.logical_id))?;
                        let enabled = match str_prop(&ep, "State") {
                            Some(state) => state.eq_ignore_ascii_case("ENABLED"),
                            None => bool_prop(&ep, "Enabled").unwrap_or(true),
                        };
                        let input = ep.get("Input").map(|input| match input {
                            Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
                            other => other.clone(),
                        });
                        events.push(EventSource::Schedule(ScheduleSource {
                            event_name: event_name.clone(),
                            name: str_prop(&ep, "Name"),
                            expression,
                            timezone: str_prop(&ep, "ScheduleExpressionTimezone"),
                            input,
                            enabled,
                            max_retries: ep
                                .get("RetryPolicy")
                                .and_then(|r| num_prop(r, "MaximumRetryAttempts"))
                                .unwrap_or(2) as u32,
                            dead_letter_queue: ep.get("DeadLetterConfig").and_then(|d| d.get("Arn")).cloned(),
                        }));
                    }
                    other => warnings.push(format!(
                        "function {}: event {event_name} has type {other}, which the local runner does not feed; it is skipped",
                        self.logical_id
                    )),
                }
            }
        }
        let logging = p.get("LoggingConfig");
        Ok(FunctionDef {
            logical_id: self.logical_id.clone(),
            binary,
            handler: str_prop(p, "Handler").unwrap_or_else(|| "bootstrap".into()),
            memory_mb: num_prop(p, "MemorySize").unwrap_or(128),
            timeout: Duration::from_secs(num_prop(p, "Timeout").unwrap_or(3)),
            reserved_concurrency: num_prop(p, "ReservedConcurrentExecutions").map(|n| n as usize),
            environment: p
                .get("Environment")
                .and_then(|e| e.get("Variables"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            log_format: logging.and_then(|l| str_prop(l, "LogFormat")),
            log_level: logging.and_then(|l| str_prop(l, "ApplicationLogLevel")),
            events,
        })
    }
}

/// A Lambda authorizer of an HttpApi (`Auth.Authorizers.<name>`).
#[derive(Debug, Clone)]
pub struct AuthorizerDef {
    pub name: String,
    pub function_arn: Value,
    /// Header names (lower case) that make up the identity source; a request
    /// without them is refused with 401 before the authorizer runs.
    pub identity_headers: Vec<String>,
    pub cache_ttl: Duration,
    pub simple_responses: bool,
}

#[derive(Debug, Clone, Default)]
pub struct HttpApiDef {
    pub default_authorizer: Option<String>,
    pub authorizers: Vec<AuthorizerDef>,
}

impl Resource {
    /// Reads the `Auth` section of an `AWS::Serverless::HttpApi`.
    pub fn http_api(&self, warnings: &mut Vec<String>) -> HttpApiDef {
        let auth = self.properties.get("Auth").cloned().unwrap_or(Value::Null);
        let mut authorizers = Vec::new();
        for (name, def) in auth.get("Authorizers").and_then(Value::as_object).into_iter().flatten() {
            let Some(function_arn) = def.get("FunctionArn").cloned() else {
                warnings.push(format!(
                    "HttpApi {}: authorizer {name} is not a Lambda authorizer; the runner lets its routes through unchecked",
                    self.logical_id
                ));
                continue;
            };
            let identity_headers = def
                .get("Identity")
                .and_then(|i| i.get("Headers"))
                .and_then(Value::as_array)
                .map(|headers| headers.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect())
                .unwrap_or_default();
            let cache_ttl = def.get("Identity").and_then(|i| num_prop(i, "ReauthorizeEvery")).unwrap_or(300);
            authorizers.push(AuthorizerDef {
                name: name.clone(),
                function_arn,
                identity_headers,
                cache_ttl: Duration::from_secs(cache_ttl),
                simple_responses: bool_prop(def, "EnableSimpleResponses").unwrap_or(false),
            });
        }
        HttpApiDef { default_authorizer: str_prop(&auth, "DefaultAuthorizer"), authorizers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        STAGE: !Ref Stage
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: 3
  Dlq:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: my-fn
    Properties:
      CodeUri: functions/thing
      Timeout: 5
      Environment:
        Variables:
          QUEUE_URL: !Ref Queue
          NAME: !Sub "${AWS::StackName}-x"
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /things/{id}
            Method: get
            Auth:
              Authorizer: NONE
        Consume:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 3 * * ? *)
            ScheduleExpressionTimezone: Europe/Paris
            State: DISABLED
        Stream:
          Type: Kinesis
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BisectBatchOnFunctionError: true
            MaximumRetryAttempts: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName": ["INSERT"]}'
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt Dlq.Arn
"#;

    #[test]
    fn short_form_intrinsics_become_long_form() {
        let template = Template::parse(SAMPLE).unwrap();
        let queue = template.resources.iter().find(|r| r.logical_id == "Queue").unwrap();
        assert_eq!(
            queue.properties["RedrivePolicy"]["deadLetterTargetArn"],
            serde_json::json!({"Fn::GetAtt": ["Dlq", "Arn"]})
        );
        assert_eq!(template.parameters["Stage"], "dev");
    }

    #[test]
    fn globals_merge_into_functions() {
        let template = Template::parse(SAMPLE).unwrap();
        let mut warnings = Vec::new();
        let function = template.of_kind("AWS::Serverless::Function").next().unwrap().function(&mut warnings).unwrap();
        assert_eq!(function.binary, "my-fn");
        assert_eq!(function.timeout, Duration::from_secs(5), "the function's own value wins");
        assert_eq!(function.memory_mb, 256, "the global applies where the function is silent");
        assert_eq!(function.environment["STAGE"], serde_json::json!({"Ref": "Stage"}));
        assert_eq!(function.environment["QUEUE_URL"], serde_json::json!({"Ref": "Queue"}));
        assert_eq!(function.events.len(), 4);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("Kinesis"), "{warnings:?}");
    }

    #[test]
    fn event_sources_are_read() {
        let template = Template::parse(SAMPLE).unwrap();
        let function = template.of_kind("AWS::Serverless::Function").next().unwrap().function(&mut vec![]).unwrap();
        for event in &function.events {
            match event {
                EventSource::HttpApi(route) => {
                    assert_eq!(route.method.as_deref(), Some("GET"));
                    assert_eq!(route.path.as_deref(), Some("/things/{id}"));
                    assert_eq!(route.authorizer.as_deref(), Some("NONE"));
                }
                EventSource::Sqs(sqs) => {
                    assert_eq!(sqs.batch_size, 5);
                    assert!(sqs.report_batch_item_failures);
                }
                EventSource::Schedule(schedule) => {
                    assert_eq!(schedule.expression, "cron(0 3 * * ? *)");
                    assert_eq!(schedule.timezone.as_deref(), Some("Europe/Paris"));
                    assert!(!schedule.enabled);
                }
                EventSource::DynamoDb(stream) => {
                    assert_eq!(stream.starting_position, "TRIM_HORIZON");
                    assert_eq!(stream.batch_size, 100, "Lambda's default");
                    assert!(stream.bisect_on_error && stream.report_batch_item_failures);
                    assert_eq!(stream.max_retries, Some(2));
                    assert_eq!(stream.max_record_age, None, "-1 by default: as long as the stream keeps records");
                    assert_eq!(stream.filters, vec![serde_json::json!({"eventName": ["INSERT"]})]);
                    assert_eq!(stream.on_failure, Some(serde_json::json!({"Fn::GetAtt": ["Dlq", "Arn"]})));
                }
            }
        }
    }

    #[test]
    fn unknown_resource_types_are_named_not_fatal() {
        let template = Template::parse(SAMPLE).unwrap();
        let unsupported = template.unsupported_resources();
        assert_eq!(unsupported.len(), 1);
        assert!(unsupported[0].contains("Topic") && unsupported[0].contains("AWS::SNS::Topic"));
    }
}
