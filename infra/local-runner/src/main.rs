//! `local-runner`: the platform without AWS and without Docker.
//!
//! It reads template.yaml, starts the local stand-ins for AWS (DynamoDB Local for
//! tables, moto for SQS and SES), creates the tables and queues there, runs each
//! function's real binary behind a local Lambda Runtime API, serves the HttpApi
//! routes, feeds SQS event sources and fires schedules.

use local_runner::local_services::{self, LocalService};
use local_runner::{gateway, lambda, schedules, sqs_source, stack, stream_source};

use anyhow::{Context, Result, anyhow, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::{Args, Parser, Subcommand};
use gateway::RouteTable;
use lambda::FunctionPool;
use local_runner::template::{EventSource, Template};
use serde_json::{Value, json};
use stack::{Stack, StackOptions};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    version,
    about = "Runs the platform's Lambda functions locally from template.yaml, against DynamoDB Local and moto"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API, feed queues and fire schedules until Ctrl-C.
    Serve(ServeArgs),
    /// Run one function once on an event file and print its result, like `sam local invoke`.
    Invoke(InvokeArgs),
    /// Run one DynamoDB Local for several runners (each with its own
    /// --access-key-id), until standard input closes: `make test` starts one, so
    /// its platforms share a warmed-up JVM instead of starting one each.
    Dynamodb(DynamodbArgs),
}

#[derive(Args)]
struct DynamodbArgs {
    /// DynamoDB Local's jar, or the npm package directory holding it.
    #[arg(long)]
    jar: PathBuf,
    /// 0 picks a free one (printed on the `ready` line).
    #[arg(long, default_value_t = 0)]
    port: u16,
}

#[derive(Args, Clone)]
struct StackArgs {
    /// The SAM template.
    #[arg(long, default_value = "template.yaml")]
    template: PathBuf,
    /// Names resources `<stack>-<LogicalId>`, as CloudFormation would.
    #[arg(long, default_value = "local")]
    stack_name: String,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// The access key this runner and its functions sign with. DynamoDB Local
    /// started by `local-runner dynamodb` keeps a database per key: runners sharing
    /// it each pass their own (letters and digits only, as DynamoDB Local requires).
    #[arg(long, default_value = "local", value_parser = access_key_id)]
    access_key_id: String,
    /// Template parameter override, `Name=Value` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// A file of `Name=Value` lines with parameter overrides (`#` starts a comment).
    #[arg(long)]
    params_file: Option<PathBuf>,
    /// Where the function binaries are (default: beside this executable).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// Instances per function when requests overlap (a function's ReservedConcurrentExecutions lowers it).
    #[arg(long, default_value_t = 4)]
    max_instances: usize,
    /// moto's URL (SQS, SES and the rest), when moto is already running.
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
    /// Start moto from this `moto_server` executable (on --moto-port) and stop it on exit.
    #[arg(long)]
    start_moto: Option<PathBuf>,
    /// Port for a moto started with --start-moto; 0 picks a free one.
    #[arg(long, default_value_t = 4566)]
    moto_port: u16,
    /// DynamoDB Local's URL (tables), when it is already running.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    dynamodb_endpoint: String,
    /// Start DynamoDB Local from this jar, or the npm package directory holding it
    /// (on --dynamodb-port, with `java`), and stop it on exit.
    #[arg(long)]
    start_dynamodb: Option<PathBuf>,
    /// Port for a DynamoDB Local started with --start-dynamodb; 0 picks a free one.
    #[arg(long, default_value_t = 8000)]
    dynamodb_port: u16,
    /// Start localstripe (a local Stripe API) from this executable and point the
    /// template parameter named by --stripe-param at it.
    #[arg(long)]
    start_localstripe: Option<PathBuf>,
    /// Port for localstripe; 0 picks a free one.
    #[arg(long, default_value_t = 8420)]
    localstripe_port: u16,
    /// The template parameter that holds the Stripe API's base URL.
    #[arg(long, default_value = "StripeApiBase")]
    stripe_param: String,
    /// The template parameter listing the origins of Stripe.js for the site's
    /// Content-Security-Policy: set to the Stripe API's origin (localstripe serves
    /// its Stripe.js) unless given.
    #[arg(long, default_value = "StripeJsOrigins")]
    stripe_js_param: String,
    /// With --start-localstripe: the API route localstripe delivers its signed
    /// webhooks to, as Stripe's dashboard registers an endpoint...
    #[arg(long, default_value = "/payments/stripe/webhook")]
    stripe_webhook_path: String,
    /// ...and the template parameter holding the endpoint's signing secret.
    #[arg(long, default_value = "StripeWebhookSecret")]
    stripe_webhook_secret_param: String,
    /// Inject faults, e.g. `kill=0.05,drop=0.05,delay=200` (`off`: none yet, but
    /// changeable through `PUT /_local/faults`). Puts a proxy between the functions
    /// and DynamoDB, moto and Stripe; without it there is none.
    #[arg(long, value_name = "SPEC")]
    faults: Option<String>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    stack: StackArgs,
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// HTTP port of the API; 0 picks a free one (printed on the `ready` line).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Stop when standard input closes (for test harnesses that own the runner).
    #[arg(long)]
    exit_on_stdin_eof: bool,
    /// Serve this built web site (web/dist) on the same address, as CloudFront does in AWS:
    /// paths outside the API's go to the site.
    #[arg(long)]
    site_dir: Option<PathBuf>,
}

#[derive(Args)]
struct InvokeArgs {
    /// The function's logical id in the template.
    function: String,
    /// The event to send (a JSON file, e.g. from events/).
    #[arg(long)]
    event: PathBuf,
    #[command(flatten)]
    stack: StackArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUNNER_LOG")
                .unwrap_or_else(|_| "info,aws=warn,hyper=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Invoke(args) => invoke(args).await,
        Command::Dynamodb(args) => dynamodb(args).await,
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("local-runner: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn parameters(args: &StackArgs) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut lines: Vec<String> = Vec::new();
    if let Some(file) = &args.params_file {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        lines.extend(text.lines().map(str::to_owned));
    }
    lines.extend(args.params.iter().cloned());
    for line in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line.split_once('=').ok_or_else(|| anyhow!("parameter {line:?} is not Name=Value"))?;
        out.insert(name.trim().to_owned(), value.trim().to_owned());
    }
    Ok(out)
}

async fn sdk_config(endpoint: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(region.to_owned()))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            local_services::access_key_id(),
            "local",
            None,
            None,
            "local-runner",
        ))
        .load()
        .await
}

fn access_key_id(key: &str) -> Result<String, String> {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(key.to_owned())
    } else {
        Err("DynamoDB Local takes letters and digits only in an access key".into())
    }
}

/// `local-runner dynamodb`: one DynamoDB Local, a database per access key, until
/// standard input closes (or Ctrl-C, or SIGTERM).
async fn dynamodb(args: DynamodbArgs) -> Result<std::process::ExitCode> {
    let service = local_services::start_listening(args.port, Duration::from_secs(180), |port| {
        local_services::start_dynamodb_local_with(&args.jar, port, false)
    })
    .await?;
    let url = &service.url;
    println!("ready: {url}");
    shutdown_signal(true).await;
    Ok(std::process::ExitCode::SUCCESS)
}

/// The local servers playing AWS (and Stripe), kept alive as long as this value lives.
struct LocalAws {
    moto: LocalService,
    dynamodb: LocalService,
    stripe: Option<LocalService>,
}

/// Starts moto, (when the template has tables) DynamoDB Local and (when asked)
/// localstripe side by side, and waits until each answers.
async fn start_local_aws(args: &StackArgs, template: &Template) -> Result<LocalAws> {
    let has_tables = template
        .resources
        .iter()
        .any(|r| matches!(r.kind.as_str(), "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable"));
    // A safety net: each answers within seconds, but a JVM starting on a loaded
    // machine (test runners side by side, a core kept busy) was seen taking 49 s.
    let timeout = Duration::from_secs(180);
    let moto = async {
        match &args.start_moto {
            Some(path) => {
                local_services::start_listening(args.moto_port, timeout, |port| local_services::start_moto(path, port))
                    .await
            }
            None => Ok(LocalService::external("moto", &args.endpoint)),
        }
    };
    let dynamodb = async {
        match &args.start_dynamodb {
            Some(path) if has_tables => {
                local_services::start_listening(args.dynamodb_port, timeout, |port| {
                    local_services::start_dynamodb_local(path, port)
                })
                .await
            }
            _ => Ok(LocalService::external("DynamoDB Local", &args.dynamodb_endpoint)),
        }
    };
    let stripe = async {
        match &args.start_localstripe {
            Some(path) => local_services::start_listening(args.localstripe_port, timeout, |port| {
                local_services::start_localstripe(path, port)
            })
            .await
            .map(Some),
            None => Ok(None),
        }
    };
    let (moto, dynamodb, stripe) = tokio::join!(moto, dynamodb, stripe);
    let (mut moto, mut dynamodb, stripe) = (moto?, dynamodb?, stripe?);
    let sqs = aws_sdk_sqs::Client::new(&sdk_config(&moto.url, &args.region).await);
    let tables = aws_sdk_dynamodb::Client::new(&sdk_config(&dynamodb.url, &args.region).await);
    let moto_ready = moto.wait_until(timeout, || {
        let sqs = sqs.clone();
        async move { sqs.list_queues().send().await.map(drop).map_err(aws_sdk_sqs::error::DisplayErrorContext) }
    });
    let dynamodb_ready = async {
        if !has_tables {
            return Ok(());
        }
        dynamodb
            .wait_until(timeout, || {
                let tables = tables.clone();
                async move {
                    tables
                        .list_tables()
                        .limit(1)
                        .send()
                        .await
                        .map(drop)
                        .map_err(aws_sdk_dynamodb::error::DisplayErrorContext)
                }
            })
            .await
    };
    let (moto_ready, dynamodb_ready) = tokio::join!(moto_ready, dynamodb_ready);
    moto_ready?;
    dynamodb_ready?;
    Ok(LocalAws { moto, dynamodb, stripe })
}

/// Starts the local AWS servers, then creates the stack's resources in them.
async fn prepare(args: &StackArgs, api_url: &str) -> Result<(Stack, aws_config::SdkConfig, LocalAws)> {
    local_services::set_access_key_id(&args.access_key_id);
    let template = Template::load(&args.template)?;
    let started = std::time::Instant::now();
    let local_aws = start_local_aws(args, &template).await?;
    let mut parameters = parameters(args)?;
    if let Some(stripe) = &local_aws.stripe {
        parameters.entry(args.stripe_param.clone()).or_insert_with(|| stripe.url.clone());
    }
    let mut function_endpoints = None;
    if let Some(text) = &args.faults {
        let spec = local_runner::faults::Spec::parse(text).map_err(|e| anyhow::anyhow!("--faults: {e}"))?;
        local_runner::faults::enable(spec);
        // The functions reach every service through a proxy that can drop or delay.
        function_endpoints = Some(stack::FunctionEndpoints {
            aws: local_runner::faults::proxy(local_aws.moto.url.clone()).await?,
            dynamodb: local_runner::faults::proxy(local_aws.dynamodb.url.clone()).await?,
        });
        if let Some(stripe) = parameters.get(&args.stripe_param).cloned() {
            parameters.insert(args.stripe_param.clone(), local_runner::faults::proxy(stripe).await?);
        }
        tracing::info!(?spec, "fault injection on");
    }
    // The site loads Stripe.js from the Stripe API the functions use (below, /config.json).
    // (A Content-Security-Policy source names an origin: scheme, host and port.)
    if template.parameters.contains_key(&args.stripe_js_param)
        && let Some(stripe) = parameters.get(&args.stripe_param).and_then(|url| reqwest::Url::parse(url).ok())
    {
        parameters.entry(args.stripe_js_param.clone()).or_insert_with(|| stripe.origin().ascii_serialization());
    }
    let options = StackOptions {
        stack_name: args.stack_name.clone(),
        region: args.region.clone(),
        parameters,
        endpoint: local_aws.moto.url.clone(),
        dynamodb_endpoint: local_aws.dynamodb.url.clone(),
        api_url: api_url.to_owned(),
        bin_dir: args.bin_dir.clone().unwrap_or_else(stack::default_bin_dir),
        max_instances: args.max_instances,
        function_endpoints,
    };
    let stack = Stack::new(&template, options)?;
    for warning in &stack.warnings {
        tracing::warn!("{warning}");
    }
    let missing = stack.missing_binaries();
    if !missing.is_empty() {
        bail!("function binaries are missing (run `cargo build --workspace`):\n  {}", missing.join("\n  "));
    }
    let sdk = sdk_config(&local_aws.moto.url, &args.region).await;
    let dynamodb = sdk_config(&local_aws.dynamodb.url, &args.region).await;
    stack.provision(&sdk, &dynamodb).await?;
    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "local AWS ready, stack provisioned");
    Ok((stack, sdk, local_aws))
}

struct App {
    routes: RouteTable,
    functions: BTreeMap<String, Arc<FunctionPool>>,
    schedules: Vec<schedules::Schedule>,
    description: Value,
    site: Option<local_runner::site::Site>,
}

async fn serve(args: ServeArgs) -> Result<std::process::ExitCode> {
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.host, args.port))?;
    let address = listener.local_addr()?;
    let api_url = format!("http://{address}");
    let (stack, sdk, local_aws) = prepare(&args.stack, &api_url).await?;

    let mut functions = BTreeMap::new();
    for def in &stack.functions {
        functions.insert(def.logical_id.clone(), FunctionPool::new(stack.function_config(def)?));
    }
    let authorizers = gateway::authorizers(&stack, &functions)?;
    let mut routes = Vec::new();
    let mut mappings = Vec::new();
    let mut stream_mappings = Vec::new();
    let mut timers = Vec::new();
    for def in &stack.functions {
        let pool = &functions[&def.logical_id];
        for event in &def.events {
            match event {
                EventSource::HttpApi(route) => routes.push(gateway::route(&stack, &authorizers, route, pool)?),
                EventSource::Sqs(source) => mappings.extend(sqs_source::mapping(&stack, source, pool)?),
                EventSource::DynamoDb(source) => stream_mappings.extend(stream_source::mapping(&stack, source, pool)?),
                EventSource::Schedule(source) => {
                    timers.push(schedules::Schedule::from_template(&stack, &def.logical_id, source, pool)?)
                }
            }
        }
    }
    let routes = RouteTable::new(routes);
    if let Some(stripe) = &local_aws.stripe {
        register_stripe_webhook(&args.stack, &stack, &stripe.url, &api_url).await?;
    }
    let mut description = json!({
        "api": api_url,
        "moto": stack.options.endpoint,
        "dynamodb": stack.options.dynamodb_endpoint,
        "localstripe": local_aws.stripe.as_ref().map(|s| s.url.clone()),
        "routes": routes.describe().into_iter().map(|(key, function, authorizer)| json!({"route": key, "function": function, "authorizer": authorizer})).collect::<Vec<_>>(),
        "tables": stack.tables.iter().map(|t| json!({"logicalId": t.logical_id, "name": t.name})).collect::<Vec<_>>(),
        "queues": stack.queues.iter().map(|q| json!({"logicalId": q.logical_id, "name": q.name, "url": stack.resolver.resources[&q.logical_id].reference})).collect::<Vec<_>>(),
        "eventSources": mappings.iter().map(|m| json!({"queue": m.queue_arn, "function": m.function.config.logical_id, "batchSize": m.batch_size, "reportBatchItemFailures": m.report_batch_item_failures})).collect::<Vec<_>>(),
        "streamSources": stream_mappings.iter().map(|m| json!({"stream": m.stream_arn, "table": m.table, "function": m.function.config.logical_id, "batchSize": m.source.batch_size, "filters": m.source.filters, "onFailure": m.on_failure.as_ref().map(|(_, arn)| arn)})).collect::<Vec<_>>(),
        "schedules": timers.iter().map(|s| json!({"name": s.id, "expression": s.expression_text, "timezone": s.timezone.name(), "enabled": s.enabled && s.expression.is_some(), "function": s.function.config.logical_id})).collect::<Vec<_>>(),
        "functions": functions.values().map(|f| json!({"logicalId": f.config.logical_id, "name": f.config.name, "maxInstances": f.config.max_instances, "timeoutSeconds": f.config.timeout.as_secs()})).collect::<Vec<_>>(),
    });

    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut background = tokio::task::JoinSet::new();
    for mapping in mappings {
        background.spawn(sqs_source::poll(sqs.clone(), mapping));
    }
    for mapping in stream_mappings {
        background.spawn(stream_source::poll(sqs.clone(), mapping));
    }
    for schedule in &timers {
        background.spawn(schedules::run(schedule.clone(), sqs.clone()));
    }

    let site = args.site_dir.clone().map(|root| {
        // The site's run-time settings: Stripe.js from the Stripe API the functions use
        // (localstripe serves its own at /js.stripe.com/v3/); any pk_ key works there.
        let stripe = stack.options.parameters.get(&args.stack.stripe_param).cloned().unwrap_or_default();
        let config = json!({
            "stripeJsUrl": format!("{}/js.stripe.com/v3/", stripe.trim_end_matches('/')),
            "stripePublishableKey": "pk_test_local",
        });
        let api_paths =
            routes.describe().into_iter().filter_map(|(key, _, _)| key.split_once(' ').map(|(_, p)| p.to_owned()));
        local_runner::site::Site::new(root, api_paths.collect::<Vec<_>>(), config).with_headers(&stack.site_headers)
    });
    let site = site.transpose()?;
    if let Some(dir) = &args.site_dir {
        description["site"] = json!({ "url": format!("{api_url}/"), "dir": dir.display().to_string() });
    }
    let app = Arc::new(App { routes, functions, schedules: timers, description, site });
    let control = Router::new()
        .route("/_local", get(describe))
        .route("/_local/schedules/{name}", post(trigger_schedule))
        .route("/_local/emails", get(sent_emails))
        .route("/_local/functions/{name}/invoke", post(invoke_function))
        .route("/_local/functions/{name}/stop", post(stop_function))
        .route("/_local/faults", get(show_faults).put(change_faults))
        .route_layer(axum::middleware::from_fn(refuse_forged_control_requests));
    let router = Router::new()
        .merge(control)
        .route("/2015-03-31/functions/{name}/invocations", post(lambda_invoke_api))
        .fallback(handle_api)
        .with_state(app.clone());

    print_banner(&app.description);
    println!("ready: {api_url}");
    let shutdown = shutdown_signal(args.exit_on_stdin_eof);
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await?;
    background.abort_all();
    for pool in app.functions.values() {
        pool.stop_all();
    }
    tracing::info!("stopped");
    Ok(std::process::ExitCode::SUCCESS)
}

/// Registers the API's webhook route with localstripe, signed with the template's
/// secret, as one adds an endpoint in Stripe's dashboard (all event types: the
/// function acknowledges those it does not act on).
async fn register_stripe_webhook(args: &StackArgs, stack: &Stack, stripe: &str, api_url: &str) -> Result<()> {
    let secret = stack.resolver.parameters.get(&args.stripe_webhook_secret_param).and_then(Value::as_str);
    let Some(secret) = secret else {
        tracing::warn!(param = %args.stripe_webhook_secret_param, "no webhook secret parameter; localstripe sends no webhooks");
        return Ok(());
    };
    let url = format!("{api_url}{}", args.stripe_webhook_path);
    let response = reqwest::Client::new()
        .post(format!("{}/_config/webhooks/local-runner", stripe.trim_end_matches('/')))
        .json(&json!({ "url": url, "secret": secret }))
        .send()
        .await
        .context("registering the webhook with localstripe")?;
    if !response.status().is_success() {
        bail!("localstripe refused the webhook registration: {}", response.status());
    }
    tracing::info!(%url, "localstripe delivers its webhooks here");
    Ok(())
}

fn print_banner(description: &Value) {
    let list = |key: &str| description[key].as_array().cloned().unwrap_or_default();
    println!(
        "Local platform on {} (moto at {}, DynamoDB Local at {})",
        description["api"].as_str().unwrap_or_default(),
        description["moto"].as_str().unwrap_or_default(),
        description["dynamodb"].as_str().unwrap_or_default()
    );
    if let Some(site) = description["site"]["url"].as_str() {
        println!("  site      {site:<40} <- {}", description["site"]["dir"].as_str().unwrap_or_default());
    }
    for route in list("routes") {
        println!(
            "  route     {:<40} -> {}",
            route["route"].as_str().unwrap_or_default(),
            route["function"].as_str().unwrap_or_default()
        );
    }
    for source in list("eventSources") {
        println!(
            "  consumer  {:<40} -> {}",
            source["queue"].as_str().unwrap_or_default().rsplit(':').next().unwrap_or_default(),
            source["function"].as_str().unwrap_or_default()
        );
    }
    for source in list("streamSources") {
        println!(
            "  stream    {:<40} -> {}",
            source["table"].as_str().unwrap_or_default(),
            source["function"].as_str().unwrap_or_default()
        );
    }
    for schedule in list("schedules") {
        println!(
            "  schedule  {:<40} -> {} ({})",
            schedule["name"].as_str().unwrap_or_default(),
            schedule["function"].as_str().unwrap_or_default(),
            schedule["expression"].as_str().unwrap_or_default()
        );
    }
    for queue in list("queues") {
        println!("  queue     {}", queue["url"].as_str().unwrap_or_default());
    }
    for table in list("tables") {
        println!("  table     {}", table["name"].as_str().unwrap_or_default());
    }
    if let Some(stripe) = description["localstripe"].as_str() {
        println!("  stripe    {stripe} (localstripe)");
    }
    println!(
        "  control   GET /_local, GET /_local/emails, POST /_local/schedules/NAME, POST /_local/functions/NAME/invoke, POST /_local/functions/NAME/stop"
    );
}

async fn shutdown_signal(on_stdin_eof: bool) {
    let stdin_closed = async {
        if on_stdin_eof {
            let mut sink = tokio::io::sink();
            let _ = tokio::io::copy(&mut tokio::io::stdin(), &mut sink).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
        _ = stdin_closed => {}
    }
}

/// The emails sent so far, from moto's record of SES (newest last).
async fn sent_emails(State(app): State<Arc<App>>) -> Response {
    let url = format!("{}/moto-api/data.json", app.description["moto"].as_str().unwrap_or_default());
    let data: Value = match reqwest::get(&url).await {
        Ok(response) => response.json().await.unwrap_or(Value::Null),
        Err(err) => return gateway::json_message(StatusCode::BAD_GATEWAY, &format!("moto did not answer: {err}")),
    };
    let messages = data["ses"]["Message"].as_array().cloned().unwrap_or_default();
    let emails: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "id": m["id"],
                "from": m["source"],
                "to": m["destinations"]["ToAddresses"],
                "subject": m["subject"],
                "body": m["body"],
            })
        })
        .collect();
    axum::Json(json!({"emails": emails})).into_response()
}

/// See `control.rs`: no web page may drive the control endpoints.
async fn refuse_forged_control_requests(request: Request, next: axum::middleware::Next) -> Response {
    match local_runner::control::refusal(request.method(), request.headers()) {
        Some(why) => gateway::json_message(StatusCode::FORBIDDEN, why),
        None => next.run(request).await,
    }
}

async fn describe(State(app): State<Arc<App>>) -> Response {
    axum::Json(app.description.clone()).into_response()
}

/// The function's answer as the body, or 502 with the Lambda error.
fn invocation_answer(result: Result<Bytes, lambda::InvokeError>) -> Response {
    match result {
        Ok(body) => (StatusCode::OK, [("content-type", "application/json")], body).into_response(),
        Err(err) => {
            let (error_type, message) = match &err {
                lambda::InvokeError::Function { error_type, message } => (error_type.clone(), message.clone()),
                lambda::InvokeError::Crashed(why) => ("Runtime.ExitError".to_owned(), why.clone()),
                lambda::InvokeError::Timeout(_) => ("Sandbox.Timedout".to_owned(), err.to_string()),
            };
            (StatusCode::BAD_GATEWAY, axum::Json(json!({"errorType": error_type, "errorMessage": message})))
                .into_response()
        }
    }
}

async fn trigger_schedule(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let Some(schedule) = app.schedules.iter().find(|s| s.answers_to(&name)) else {
        return gateway::json_message(StatusCode::NOT_FOUND, &format!("no schedule named {name}"));
    };
    invocation_answer(schedule.fire().await)
}

/// Lambda's Invoke API (see `invoke_api.rs`): the function by logical id or physical name.
async fn lambda_invoke_api(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    use local_runner::invoke_api::{self, InvocationType};
    let forged = local_runner::control::refusal(&axum::http::Method::GET, &headers).is_some();
    if forged || !invoke_api::is_signed(&headers) {
        let why = "sign the request as AWS clients do (SigV4), from this machine";
        return invoke_api::api_error(StatusCode::FORBIDDEN, "AccessDeniedException", why);
    }
    let wanted = invoke_api::function_name(&name);
    let pool = app.functions.values().find(|f| f.config.logical_id == wanted || f.config.name == wanted);
    let Some(pool) = pool.cloned() else {
        let message = format!("Function not found: {wanted}");
        return invoke_api::api_error(StatusCode::NOT_FOUND, "ResourceNotFoundException", &message);
    };
    let invocation = match InvocationType::from_headers(&headers) {
        Ok(invocation) => invocation,
        Err(why) => return invoke_api::api_error(StatusCode::BAD_REQUEST, "InvalidParameterValueException", &why),
    };
    let payload = if body.is_empty() { Bytes::from_static(b"{}") } else { body };
    if serde_json::from_slice::<Value>(&payload).is_err() {
        let why = "Could not parse request body into json";
        return invoke_api::api_error(StatusCode::BAD_REQUEST, "InvalidRequestContentException", why);
    }
    match invocation {
        InvocationType::DryRun => StatusCode::NO_CONTENT.into_response(),
        InvocationType::Event => {
            tokio::spawn(async move {
                if let Err(err) = pool.invoke(payload).await {
                    tracing::warn!(function = %pool.config.logical_id, %err, "asynchronous invocation failed");
                }
            });
            StatusCode::ACCEPTED.into_response()
        }
        InvocationType::RequestResponse => {
            let outcome = pool.invoke(payload).await;
            let error_type = match &outcome {
                Err(lambda::InvokeError::Function { error_type, .. }) => Some(error_type.clone()),
                Err(lambda::InvokeError::Crashed(_)) => Some("Runtime.ExitError".to_owned()),
                Err(lambda::InvokeError::Timeout(_)) => Some("Sandbox.Timedout".to_owned()),
                Ok(_) => None,
            };
            let outcome = outcome.map_err(|err| match err {
                lambda::InvokeError::Function { message, .. } => message,
                other => other.to_string(),
            });
            invoke_api::result(outcome, error_type.as_deref())
        }
    }
}

async fn invoke_function(State(app): State<Arc<App>>, Path(name): Path<String>, body: Bytes) -> Response {
    let Some(pool) = app.functions.get(&name) else {
        return gateway::json_message(StatusCode::NOT_FOUND, &format!("no function named {name}"));
    };
    if serde_json::from_slice::<Value>(&body).is_err() {
        return gateway::json_message(StatusCode::BAD_REQUEST, "the event must be JSON");
    }
    invocation_answer(pool.invoke(body).await)
}

/// Stops a function's idle instances, so its next invocation is a cold start (`make bench`).
async fn stop_function(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let Some(pool) = app.functions.get(&name) else {
        return gateway::json_message(StatusCode::NOT_FOUND, &format!("no function named {name}"));
    };
    let stopped = pool.stop_all();
    (StatusCode::OK, axum::Json(serde_json::json!({ "stopped": stopped }))).into_response()
}

/// `GET /_local/faults`: the fault spec and what was injected so far.
async fn show_faults() -> Response {
    match local_runner::faults::active() {
        Some(faults) => (StatusCode::OK, axum::Json(faults.describe())).into_response(),
        None => (StatusCode::OK, axum::Json(json!({"enabled": false, "hint": "start the runner with --faults"})))
            .into_response(),
    }
}

/// `PUT /_local/faults` with `{"kill": 0.05, "drop": 0.05, "delay": 200}`; `{}` turns them off.
async fn change_faults(body: Bytes) -> Response {
    let Some(faults) = local_runner::faults::active() else {
        return gateway::json_message(
            StatusCode::CONFLICT,
            "fault injection needs the proxies: start the runner with --faults (e.g. --faults off)",
        );
    };
    let spec = serde_json::from_slice::<local_runner::faults::Spec>(&body)
        .map_err(|e| e.to_string())
        .and_then(local_runner::faults::Spec::validate);
    match spec {
        Ok(spec) => {
            faults.set(spec);
            tracing::info!(?spec, "faults changed");
            (StatusCode::OK, axum::Json(faults.describe())).into_response()
        }
        Err(why) => gateway::json_message(StatusCode::BAD_REQUEST, &format!("not a fault spec: {why}")),
    }
}

async fn handle_api(
    State(app): State<Arc<App>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    if let Some(site) = &app.site
        && site.owns(request.uri().path())
    {
        return site.serve(request.method(), request.uri().path()).await;
    }
    gateway::serve(&app.routes, source, request).await
}

async fn invoke(args: InvokeArgs) -> Result<std::process::ExitCode> {
    local_runner::output::logs_to_stderr();
    let event = std::fs::read(&args.event).with_context(|| format!("reading {}", args.event.display()))?;
    serde_json::from_slice::<Value>(&event).with_context(|| format!("{} is not JSON", args.event.display()))?;
    let (stack, _sdk, _local_aws) = prepare(&args.stack, "http://127.0.0.1:3000").await?;
    let def = stack
        .functions
        .iter()
        .find(|f| f.logical_id == args.function)
        .ok_or_else(|| anyhow!("no function {} in {}", args.function, args.stack.template.display()))?;
    let pool = FunctionPool::new(stack.function_config(def)?);
    let result = pool.invoke(Bytes::from(event)).await;
    pool.stop_all();
    match result {
        Ok(body) => {
            println!("{}", String::from_utf8_lossy(&body));
            Ok(std::process::ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("{err}");
            Ok(std::process::ExitCode::FAILURE)
        }
    }
}
