//! The local "stack": physical names for every emulated resource (as
//! CloudFormation would give them), the tables created in DynamoDB Local and the
//! queues in moto, and
//! each function's resolved configuration.

use crate::intrinsics::{Physical, Resolver};
use crate::lambda::FunctionConfig;
use crate::template::{FunctionDef, Resource, Template};
use anyhow::{Context, Result, anyhow, bail};
use aws_sdk_dynamodb::types as ddb;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// moto's default account.
pub const ACCOUNT: &str = "123456789012";

#[derive(Debug, Clone)]
pub struct StackOptions {
    pub stack_name: String,
    pub region: String,
    pub parameters: BTreeMap<String, String>,
    /// Where moto answers (SQS, SES and the rest), e.g. `http://127.0.0.1:4566`.
    pub endpoint: String,
    /// Where DynamoDB Local answers (tables), e.g. `http://127.0.0.1:8000`.
    pub dynamodb_endpoint: String,
    /// Where the HTTP API is served, for `ApiEndpoint`.
    pub api_url: String,
    pub bin_dir: PathBuf,
    pub max_instances: usize,
    /// Where the functions' AWS calls go instead of `endpoint` and
    /// `dynamodb_endpoint` (the fault-injection proxies, with `--faults`).
    pub function_endpoints: Option<FunctionEndpoints>,
}

#[derive(Debug, Clone)]
pub struct FunctionEndpoints {
    pub aws: String,
    pub dynamodb: String,
}

#[derive(Debug, Clone)]
pub struct NamedResource {
    pub logical_id: String,
    pub name: String,
    pub resource: Resource,
}

pub struct Stack {
    pub options: StackOptions,
    pub resolver: Resolver,
    pub tables: Vec<NamedResource>,
    pub queues: Vec<NamedResource>,
    /// SES sender identities (`AWS::SES::EmailIdentity`), created verified in moto.
    pub email_identities: Vec<String>,
    pub functions: Vec<FunctionDef>,
    /// HttpApi logical id → its authorizers.
    pub apis: BTreeMap<String, crate::template::HttpApiDef>,
    /// The headers CloudFront adds to the site's answers (its response headers policy).
    pub site_headers: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

impl Stack {
    pub fn new(template: &Template, options: StackOptions) -> Result<Self> {
        let mut warnings = template.unsupported_resources();
        let mut parameters = template.parameters.clone();
        for (name, value) in &options.parameters {
            if !parameters.contains_key(name) {
                warnings.push(format!("parameter override {name} names no parameter of the template"));
            }
            parameters.insert(name.clone(), Value::String(value.clone()));
        }
        for name in &template.secret_parameters {
            if !options.parameters.contains_key(name) {
                // In AWS the value comes from SSM; locally a fresh random one serves as well.
                let random = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
                parameters.insert(name.clone(), Value::String(random));
                tracing::info!("parameter {name} reads a secret from SSM in AWS; using a random local value");
            }
        }
        let mut resolver = Resolver {
            region: options.region.clone(),
            account: ACCOUNT.to_owned(),
            stack_name: options.stack_name.clone(),
            parameters,
            resources: BTreeMap::new(),
            conditions: template.conditions.clone(),
            mappings: template.mappings.clone(),
        };
        let (region, account) = (options.region.clone(), ACCOUNT);
        let default_name = |logical_id: &str| format!("{}-{logical_id}", options.stack_name);

        let mut tables = Vec::new();
        let mut queues = Vec::new();
        let mut functions = Vec::new();
        let mut email_identities = Vec::new();
        let mut apis = BTreeMap::new();
        let mut physical = BTreeMap::new();
        for resource in &template.resources {
            let id = resource.logical_id.as_str();
            let explicit = |key: &str| -> Result<Option<String>> {
                resource.properties.get(key).map(|v| resolver.resolve_string(v)).transpose()
            };
            match resource.kind.as_str() {
                "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => {
                    let name = explicit("TableName")?.unwrap_or_else(|| default_name(id));
                    let arn = format!("arn:aws:dynamodb:{region}:{account}:table/{name}");
                    physical.insert(
                        id.to_owned(),
                        Physical {
                            reference: name.clone(),
                            attributes: [
                                ("Arn".into(), arn.clone()),
                                ("StreamArn".into(), format!("{arn}/stream/local")),
                            ]
                            .into(),
                        },
                    );
                    tables.push(NamedResource { logical_id: id.to_owned(), name, resource: resource.clone() });
                }
                "AWS::SQS::Queue" => {
                    let fifo = resource.properties.get("FifoQueue").is_some_and(|v| v == true || v == "true");
                    let name = explicit("QueueName")?
                        .unwrap_or_else(|| if fifo { format!("{}.fifo", default_name(id)) } else { default_name(id) });
                    let url = format!("{}/{account}/{name}", options.endpoint.trim_end_matches('/'));
                    physical.insert(
                        id.to_owned(),
                        Physical {
                            reference: url.clone(),
                            attributes: [
                                ("Arn".into(), format!("arn:aws:sqs:{region}:{account}:{name}")),
                                ("QueueName".into(), name.clone()),
                                ("QueueUrl".into(), url),
                            ]
                            .into(),
                        },
                    );
                    queues.push(NamedResource { logical_id: id.to_owned(), name, resource: resource.clone() });
                }
                "AWS::Serverless::Function" => {
                    let def = resource.with_resolved_settings(|v| resolver.resolve(v))?.function(&mut warnings)?;
                    let name = explicit("FunctionName")?.unwrap_or_else(|| default_name(id));
                    physical.insert(
                        id.to_owned(),
                        Physical {
                            reference: name.clone(),
                            attributes: [("Arn".into(), format!("arn:aws:lambda:{region}:{account}:function:{name}"))]
                                .into(),
                        },
                    );
                    functions.push(def);
                }
                "AWS::SES::EmailIdentity" => {
                    let identity = explicit("EmailIdentity")?
                        .ok_or_else(|| anyhow!("{id}: an email identity needs EmailIdentity"))?;
                    physical
                        .insert(id.to_owned(), Physical { reference: identity.clone(), attributes: BTreeMap::new() });
                    email_identities.push(identity);
                }
                "AWS::Serverless::HttpApi" => {
                    apis.insert(id.to_owned(), resource.http_api(&mut warnings));
                    physical.insert(id.to_owned(), http_api(&options.api_url));
                }
                _ => {}
            }
        }
        // The API SAM creates for HttpApi events that name no ApiId.
        physical.entry("ServerlessHttpApi".to_owned()).or_insert_with(|| http_api(&options.api_url));
        resolver.resources = physical;
        let site_headers = crate::site::policy_headers(template, |v| resolver.resolve_string(v))?;
        Ok(Self { options, resolver, tables, queues, email_identities, functions, apis, site_headers, warnings })
    }

    pub fn function_name(&self, logical_id: &str) -> String {
        self.resolver.resources.get(logical_id).map(|p| p.reference.clone()).unwrap_or_default()
    }

    /// Creates every table (in DynamoDB Local) and queue (in moto). Safe to run
    /// again: what exists is kept.
    pub async fn provision(&self, sdk: &aws_config::SdkConfig, tables: &aws_config::SdkConfig) -> Result<()> {
        let dynamodb = aws_sdk_dynamodb::Client::new(tables);
        for table in &self.tables {
            create_table(&dynamodb, table, &self.resolver)
                .await
                .with_context(|| format!("creating table {} ({})", table.logical_id, table.name))?;
        }
        let sqs = aws_sdk_sqs::Client::new(sdk);
        // Dead-letter queues first: a redrive policy must point at a queue that exists.
        let (plain, redriven): (Vec<_>, Vec<_>) =
            self.queues.iter().partition(|q| q.resource.properties.get("RedrivePolicy").is_none());
        for queue in plain.into_iter().chain(redriven) {
            create_queue(&sqs, queue, &self.resolver)
                .await
                .with_context(|| format!("creating queue {} ({})", queue.logical_id, queue.name))?;
        }
        // SES refuses unverified senders; moto verifies an identity when it is created.
        let ses = aws_sdk_sesv2::Client::new(sdk);
        for identity in &self.email_identities {
            match ses.create_email_identity().email_identity(identity).send().await {
                Ok(_) => {}
                Err(err) if err.as_service_error().is_some_and(|e| e.is_already_exists_exception()) => {}
                Err(err) => {
                    bail!("creating email identity {identity}: {}", aws_sdk_sesv2::error::DisplayErrorContext(err))
                }
            }
        }
        Ok(())
    }

    /// The environment a function process gets: the template's variables, resolved,
    /// plus the variables the Lambda service sets.
    pub fn function_config(&self, def: &FunctionDef) -> Result<FunctionConfig> {
        let name = self.function_name(&def.logical_id);
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        for (key, value) in &def.environment {
            let resolved = self
                .resolver
                .resolve_string(value)
                .with_context(|| format!("function {}: environment variable {key}", def.logical_id))?;
            env.insert(key.clone(), resolved);
        }
        let lambda_vars = [
            ("AWS_LAMBDA_FUNCTION_NAME", name.clone()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", def.memory_mb.to_string()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
            ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
            ("AWS_REGION", self.options.region.clone()),
            ("AWS_DEFAULT_REGION", self.options.region.clone()),
            ("AWS_ACCESS_KEY_ID", crate::local_services::access_key_id().into()),
            ("AWS_SECRET_ACCESS_KEY", "local".into()),
            (
                "AWS_ENDPOINT_URL",
                self.options.function_endpoints.as_ref().map_or(&self.options.endpoint, |e| &e.aws).clone(),
            ),
            // The SDK prefers a service's own endpoint variable: tables live in DynamoDB Local.
            (
                "AWS_ENDPOINT_URL_DYNAMODB",
                self.options
                    .function_endpoints
                    .as_ref()
                    .map_or(&self.options.dynamodb_endpoint, |e| &e.dynamodb)
                    .clone(),
            ),
            ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023".into()),
            ("LAMBDA_TASK_ROOT", self.options.bin_dir.display().to_string()),
            ("_HANDLER", def.handler.clone()),
            ("TZ", ":UTC".into()),
        ];
        for (key, value) in lambda_vars {
            env.insert(key.to_owned(), value);
        }
        if let Some(format) = &def.log_format {
            env.insert("AWS_LAMBDA_LOG_FORMAT".into(), format.clone());
        }
        if let Some(level) = &def.log_level {
            env.insert("AWS_LAMBDA_LOG_LEVEL".into(), level.clone());
        }
        let binary = self.options.bin_dir.join(&def.binary);
        Ok(FunctionConfig {
            logical_id: def.logical_id.clone(),
            arn: self.resolver.resources[&def.logical_id].attributes["Arn"].clone(),
            name,
            binary,
            environment: env.into_iter().collect(),
            memory_mb: def.memory_mb,
            timeout: def.timeout,
            // A reserved concurrency caps a function (as in AWS); the machine's cap still holds.
            max_instances: def
                .reserved_concurrency
                .map_or(self.options.max_instances, |r| r.min(self.options.max_instances)),
        })
    }

    /// The queue an SQS event source reads, as (logical id, url, arn).
    pub fn queue_of(&self, queue_ref: &Value) -> Result<(String, String, String)> {
        let arn = self.resolver.resolve_string(queue_ref)?;
        let queue = self
            .queues
            .iter()
            .find(|q| self.resolver.resources[&q.logical_id].attributes["Arn"] == arn)
            .ok_or_else(|| anyhow!("{arn} is not a queue of this template"))?;
        let physical = &self.resolver.resources[&queue.logical_id];
        Ok((queue.logical_id.clone(), physical.reference.clone(), arn))
    }

    /// The table whose stream a DynamoDB event source reads, as (table name,
    /// the stream ARN the template sees). The stream DynamoDB Local serves has
    /// its own ARN, which the poller asks the table for.
    pub fn stream_of(&self, stream_ref: &Value) -> Result<(String, String)> {
        let arn = self.resolver.resolve_string(stream_ref)?;
        let table = self
            .tables
            .iter()
            .find(|t| self.resolver.resources[&t.logical_id].attributes.get("StreamArn") == Some(&arn))
            .ok_or_else(|| anyhow!("{arn} is not the stream of a table of this template"))?;
        if table.resource.properties.get("StreamSpecification").is_none() {
            bail!("table {} has no StreamSpecification, so {arn} does not exist", table.logical_id);
        }
        Ok((table.name.clone(), arn))
    }

    /// Checks that every function's binary has been built.
    pub fn missing_binaries(&self) -> Vec<String> {
        self.functions
            .iter()
            .filter(|f| !self.options.bin_dir.join(&f.binary).is_file())
            .map(|f| format!("{} needs the binary {} in {}", f.logical_id, f.binary, self.options.bin_dir.display()))
            .collect()
    }
}

fn http_api(url: &str) -> Physical {
    Physical {
        reference: "local".into(),
        attributes: [("ApiEndpoint".into(), url.to_owned()), ("ApiId".into(), "local".into())].into(),
    }
}

fn text(v: &Value, key: &str) -> Result<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| anyhow!("missing {key}"))
}

fn key_schema(list: &Value) -> Result<Vec<ddb::KeySchemaElement>> {
    list.as_array()
        .ok_or_else(|| anyhow!("KeySchema must be a list"))?
        .iter()
        .map(|k| {
            Ok(ddb::KeySchemaElement::builder()
                .attribute_name(text(k, "AttributeName")?)
                .key_type(ddb::KeyType::from(text(k, "KeyType")?.as_str()))
                .build()?)
        })
        .collect()
}

fn projection(v: Option<&Value>) -> ddb::Projection {
    let mut builder = ddb::Projection::builder();
    if let Some(p) = v {
        if let Some(kind) = p.get("ProjectionType").and_then(Value::as_str) {
            builder = builder.projection_type(ddb::ProjectionType::from(kind));
        }
        for attribute in p.get("NonKeyAttributes").and_then(Value::as_array).into_iter().flatten() {
            if let Some(a) = attribute.as_str() {
                builder = builder.non_key_attributes(a);
            }
        }
    }
    builder.build()
}

fn throughput(v: Option<&Value>) -> Result<ddb::ProvisionedThroughput> {
    let units = |key: &str| {
        v.and_then(|t| t.get(key)).and_then(|n| n.as_i64().or_else(|| n.as_str()?.parse().ok())).unwrap_or(5)
    };
    Ok(ddb::ProvisionedThroughput::builder()
        .read_capacity_units(units("ReadCapacityUnits"))
        .write_capacity_units(units("WriteCapacityUnits"))
        .build()?)
}

/// The table's `StreamSpecification`, as DynamoDB takes it.
fn stream_specification(properties: &Value) -> Result<Option<ddb::StreamSpecification>> {
    let Some(spec) = properties.get("StreamSpecification") else { return Ok(None) };
    let view = spec.get("StreamViewType").and_then(Value::as_str).unwrap_or("NEW_AND_OLD_IMAGES");
    Ok(Some(ddb::StreamSpecification::builder().stream_enabled(true).stream_view_type(view.into()).build()?))
}

async fn create_table(client: &aws_sdk_dynamodb::Client, table: &NamedResource, resolver: &Resolver) -> Result<()> {
    let p = resolver.resolve(&table.resource.properties)?;
    let streams = stream_specification(&p)?;
    if let Ok(existing) = client.describe_table().table_name(&table.name).send().await {
        // A table left by an earlier run (a DynamoDB Local that kept its data) gets
        // the stream the template declares if it has none.
        let has_stream = existing.table().and_then(|t| t.stream_specification()).is_some_and(|s| s.stream_enabled());
        if let (Some(spec), false) = (streams, has_stream) {
            client
                .update_table()
                .table_name(&table.name)
                .stream_specification(spec)
                .send()
                .await
                .map_err(|e| anyhow!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        }
        return Ok(());
    }
    let mut request = client.create_table().table_name(&table.name).set_stream_specification(streams);
    if table.resource.kind == "AWS::Serverless::SimpleTable" {
        let key = p.get("PrimaryKey");
        let name = key.and_then(|k| k.get("Name")).and_then(Value::as_str).unwrap_or("id");
        let kind = match key.and_then(|k| k.get("Type")).and_then(Value::as_str).unwrap_or("String") {
            "Number" => ddb::ScalarAttributeType::N,
            "Binary" => ddb::ScalarAttributeType::B,
            _ => ddb::ScalarAttributeType::S,
        };
        request = request
            .attribute_definitions(
                ddb::AttributeDefinition::builder().attribute_name(name).attribute_type(kind).build()?,
            )
            .key_schema(ddb::KeySchemaElement::builder().attribute_name(name).key_type(ddb::KeyType::Hash).build()?)
            .billing_mode(ddb::BillingMode::PayPerRequest);
    } else {
        let provisioned = p.get("BillingMode").and_then(Value::as_str) == Some("PROVISIONED");
        request = request.billing_mode(if provisioned {
            ddb::BillingMode::Provisioned
        } else {
            ddb::BillingMode::PayPerRequest
        });
        if provisioned {
            request = request.provisioned_throughput(throughput(p.get("ProvisionedThroughput"))?);
        }
        for definition in p.get("AttributeDefinitions").and_then(Value::as_array).into_iter().flatten() {
            request = request.attribute_definitions(
                ddb::AttributeDefinition::builder()
                    .attribute_name(text(definition, "AttributeName")?)
                    .attribute_type(ddb::ScalarAttributeType::from(text(definition, "AttributeType")?.as_str()))
                    .build()?,
            );
        }
        request = request.set_key_schema(Some(key_schema(p.get("KeySchema").unwrap_or(&Value::Null))?));
        for index in p.get("GlobalSecondaryIndexes").and_then(Value::as_array).into_iter().flatten() {
            let mut gsi = ddb::GlobalSecondaryIndex::builder()
                .index_name(text(index, "IndexName")?)
                .set_key_schema(Some(key_schema(index.get("KeySchema").unwrap_or(&Value::Null))?))
                .projection(projection(index.get("Projection")));
            if provisioned {
                gsi = gsi.provisioned_throughput(throughput(index.get("ProvisionedThroughput"))?);
            }
            request = request.global_secondary_indexes(gsi.build()?);
        }
        for index in p.get("LocalSecondaryIndexes").and_then(Value::as_array).into_iter().flatten() {
            request = request.local_secondary_indexes(
                ddb::LocalSecondaryIndex::builder()
                    .index_name(text(index, "IndexName")?)
                    .set_key_schema(Some(key_schema(index.get("KeySchema").unwrap_or(&Value::Null))?))
                    .projection(projection(index.get("Projection")))
                    .build()?,
            );
        }
    }
    match request.send().await {
        Ok(_) => {}
        // Another runner created it between our describe and create: fine.
        Err(err) if err.as_service_error().is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(err) => bail!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(err)),
    }
    if let Some(ttl) = p.get("TimeToLiveSpecification") {
        if ttl.get("Enabled").is_some_and(|e| e == true || e == "true") {
            client
                .update_time_to_live()
                .table_name(&table.name)
                .time_to_live_specification(
                    ddb::TimeToLiveSpecification::builder()
                        .attribute_name(text(ttl, "AttributeName")?)
                        .enabled(true)
                        .build()?,
                )
                .send()
                .await
                .map_err(|e| anyhow!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
        }
    }
    Ok(())
}

/// CloudFormation queue properties → SQS attribute strings.
fn queue_attributes(properties: &Value) -> BTreeMap<String, String> {
    let mut attributes = BTreeMap::new();
    for (key, value) in properties.as_object().into_iter().flatten() {
        if matches!(key.as_str(), "QueueName" | "Tags") {
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Object(_) => value.to_string(),
            other => other.to_string(),
        };
        attributes.insert(key.clone(), text);
    }
    attributes
}

async fn create_queue(client: &aws_sdk_sqs::Client, queue: &NamedResource, resolver: &Resolver) -> Result<()> {
    let properties = resolver.resolve(&queue.resource.properties)?;
    let attributes: std::collections::HashMap<_, _> = queue_attributes(&properties)
        .into_iter()
        .map(|(k, v)| (aws_sdk_sqs::types::QueueAttributeName::from(k.as_str()), v))
        .collect();
    match client.get_queue_url().queue_name(&queue.name).send().await {
        Ok(existing) => {
            // Keep the queue (and its messages); bring its settings in line with the template.
            let mut settable = attributes.clone();
            settable.remove(&aws_sdk_sqs::types::QueueAttributeName::FifoQueue);
            if !settable.is_empty() {
                client
                    .set_queue_attributes()
                    .queue_url(existing.queue_url().unwrap_or_default())
                    .set_attributes(Some(settable))
                    .send()
                    .await
                    .map_err(|e| anyhow!("{}", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
            }
        }
        Err(_) => {
            client
                .create_queue()
                .queue_name(&queue.name)
                .set_attributes(Some(attributes))
                .send()
                .await
                .map_err(|e| anyhow!("{}", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
        }
    }
    Ok(())
}

/// The directory of the running executable: `cargo build` puts every binary of the workspace there.
pub fn default_bin_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target/debug"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> StackOptions {
        StackOptions {
            stack_name: "local".into(),
            region: "us-east-1".into(),
            parameters: [("Stage".to_owned(), "test".to_owned())].into(),
            endpoint: "http://127.0.0.1:4566".into(),
            dynamodb_endpoint: "http://127.0.0.1:8000".into(),
            api_url: "http://127.0.0.1:3000".into(),
            bin_dir: PathBuf::from("/bin-dir"),
            max_instances: 4,
            function_endpoints: None,
        }
    }

    const TEMPLATE: &str = r#"
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
  Named:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-${Stage}-named"
      VisibilityTimeout: 30
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}
  Dlq:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: fn-bin}}
    Properties:
      MemorySize: 256
      Environment:
        Variables:
          TABLE: !Ref Table
          QUEUE_URL: !Ref Named
          STAGE: !Ref Stage
      LoggingConfig: {LogFormat: JSON}
"#;

    #[test]
    fn names_follow_cloudformation_and_overrides_apply() {
        let stack = Stack::new(&Template::parse(TEMPLATE).unwrap(), options()).unwrap();
        assert_eq!(stack.tables[0].name, "local-Table");
        let named = stack.queues.iter().find(|q| q.logical_id == "Named").unwrap();
        assert_eq!(named.name, "local-test-named");
        let config = stack.function_config(&stack.functions[0]).unwrap();
        let env: BTreeMap<_, _> = config.environment.iter().cloned().collect();
        assert_eq!(env["TABLE"], "local-Table");
        assert_eq!(env["QUEUE_URL"], "http://127.0.0.1:4566/123456789012/local-test-named");
        assert_eq!(env["STAGE"], "test");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "local-Fn");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
        assert_eq!(env["AWS_LAMBDA_LOG_FORMAT"], "JSON");
        assert_eq!(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:4566");
        assert_eq!(env["AWS_ENDPOINT_URL_DYNAMODB"], "http://127.0.0.1:8000");
        assert_eq!(config.binary, PathBuf::from("/bin-dir/fn-bin"));
        assert_eq!(config.max_instances, 4);
    }

    #[test]
    fn timeouts_and_schedules_may_come_from_parameters() {
        let template = Template::parse(
            r#"
Parameters:
  PageTimeout: {Type: Number, Default: 60}
  Every: {Type: String, Default: rate(15 minutes)}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: fn-bin}}
    Properties:
      Timeout: !Ref PageTimeout
      Events:
        Tick:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: !Ref Every
"#,
        )
        .unwrap();
        let mut with_override = options();
        with_override.parameters.insert("PageTimeout".into(), "1".into());
        let stack = Stack::new(&template, with_override).unwrap();
        assert_eq!(stack.functions[0].timeout, std::time::Duration::from_secs(1), "the --param value");
        match &stack.functions[0].events[0] {
            crate::template::EventSource::Schedule(schedule) => assert_eq!(schedule.expression, "rate(15 minutes)"),
            other => panic!("expected a schedule, got {other:?}"),
        }
        // Read without a stack (as the layout test does), the intrinsic is not an error.
        assert!(template.resources[0].function(&mut Vec::new()).is_ok());
    }

    #[test]
    fn redrive_policy_becomes_a_json_attribute() {
        let stack = Stack::new(&Template::parse(TEMPLATE).unwrap(), options()).unwrap();
        let named = stack.queues.iter().find(|q| q.logical_id == "Named").unwrap();
        let attributes = queue_attributes(&stack.resolver.resolve(&named.resource.properties).unwrap());
        assert_eq!(attributes["VisibilityTimeout"], "30");
        let redrive: Value = serde_json::from_str(&attributes["RedrivePolicy"]).unwrap();
        assert_eq!(redrive["deadLetterTargetArn"], "arn:aws:sqs:us-east-1:123456789012:local-Dlq");
        assert_eq!(redrive["maxReceiveCount"], 3);
        assert!(!attributes.contains_key("QueueName"));
    }
}
