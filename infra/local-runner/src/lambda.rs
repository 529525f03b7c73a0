//! The Lambda service, locally: each function runs as real processes (its
//! instances) that pull work through the Lambda Runtime API (2018-06-01), which
//! this module serves, one listener per instance.
//!
//! Like Lambda, an instance handles one invocation at a time; overlapping
//! invocations start more instances up to the function's limit; an instance that
//! crashes or times out is discarded and the next invocation starts a new one.

use crate::output;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

/// Lambda gives a runtime this long to reach its first `next` call.
const INIT_LIMIT: Duration = Duration::from_secs(10);

/// How one function is run.
#[derive(Debug, Clone)]
pub struct FunctionConfig {
    pub logical_id: String,
    pub name: String,
    pub arn: String,
    pub binary: PathBuf,
    pub environment: Vec<(String, String)>,
    pub memory_mb: u64,
    pub timeout: Duration,
    pub max_instances: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeError {
    /// The handler returned an error through the Runtime API.
    Function { error_type: String, message: String },
    /// The process exited, failed to start, or reported an init error.
    Crashed(String),
    /// No response before the function's timeout.
    Timeout(Duration),
}

impl std::fmt::Display for InvokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Function { error_type, message } => write!(f, "function error {error_type}: {message}"),
            Self::Crashed(why) => write!(f, "instance crashed: {why}"),
            Self::Timeout(limit) => write!(f, "task timed out after {:.2} seconds", limit.as_secs_f64()),
        }
    }
}

enum Outcome {
    Response(Bytes),
    Error { error_type: String, message: String },
    Crashed(String),
}

struct Job {
    request_id: String,
    payload: Bytes,
    /// Told when the instance takes the job: the function's timeout starts then.
    picked: oneshot::Sender<()>,
    reply: oneshot::Sender<Outcome>,
}

struct Running {
    request_id: String,
    started: Instant,
    reply: oneshot::Sender<Outcome>,
}

struct Instance {
    config: Arc<FunctionConfig>,
    pid: u32,
    /// Names the instance in its AWS calls' user agent (`AWS_SDK_UA_APP_ID`).
    app_id: String,
    spawned: Instant,
    jobs: mpsc::UnboundedSender<Job>,
    inbox: tokio::sync::Mutex<mpsc::UnboundedReceiver<Job>>,
    current: Mutex<Option<Running>>,
    /// Process start until the first `next` call; reported with the first invocation.
    init_duration: Mutex<Option<Duration>>,
    init_reported: AtomicBool,
    init_error: Mutex<Option<String>>,
    dead: watch::Sender<bool>,
    kill: Mutex<Option<oneshot::Sender<()>>>,
}

impl Instance {
    fn is_dead(&self) -> bool {
        *self.dead.borrow()
    }

    /// Resolves once the process has exited.
    async fn died(&self) {
        let mut dead = self.dead.subscribe();
        let _ = dead.wait_for(|d| *d).await.map(|_| ());
    }

    fn kill(&self) {
        if let Some(kill) = self.kill.lock().expect("lock").take() {
            let _ = kill.send(());
        }
    }

    fn max_memory_mb(&self) -> u64 {
        // VmHWM is the process's peak resident set size, what Lambda reports as Max Memory Used.
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|status| {
                status.lines().find_map(|line| {
                    line.strip_prefix("VmHWM:")
                        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                })
            })
            .map(|kb| kb.div_ceil(1024))
            .unwrap_or(0)
    }
}

/// A pool whose binary does not exist, for tests of what sits around invocation.
#[cfg(test)]
pub fn unstarted_pool(logical_id: &str) -> Arc<FunctionPool> {
    FunctionPool::new(FunctionConfig {
        logical_id: logical_id.into(),
        name: logical_id.into(),
        arn: String::new(),
        binary: "/nonexistent".into(),
        environment: vec![],
        memory_mb: 128,
        timeout: Duration::from_secs(1),
        max_instances: 1,
    })
}

/// The instances of one function.
pub struct FunctionPool {
    pub config: Arc<FunctionConfig>,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Arc<Instance>>>,
    started: AtomicU64,
    /// How long invocations have been taking (microseconds, a moving average):
    /// where an injected kill lands.
    typical_micros: AtomicU64,
}

impl FunctionPool {
    pub fn new(config: FunctionConfig) -> Arc<Self> {
        let permits = Arc::new(Semaphore::new(config.max_instances.max(1)));
        Arc::new(Self {
            config: Arc::new(config),
            permits,
            idle: Mutex::new(Vec::new()),
            started: AtomicU64::new(0),
            typical_micros: AtomicU64::new(20_000),
        })
    }

    /// Invokes the function once, synchronously (RequestResponse), and returns its result payload.
    pub async fn invoke(&self, payload: Bytes) -> Result<Bytes, InvokeError> {
        // Waiting for a free slot is what a caller sees as throttling latency locally.
        let _permit = self.permits.clone().acquire_owned().await.expect("semaphore is never closed");
        let reused = loop {
            let candidate = self.idle.lock().expect("lock").pop();
            match candidate {
                Some(instance) if instance.is_dead() => continue,
                other => break other,
            }
        };
        let instance = match reused {
            Some(instance) => instance,
            None => self.spawn().await.map_err(InvokeError::Crashed)?,
        };
        let request_id = uuid::Uuid::new_v4().to_string();
        let (reply_tx, mut reply_rx) = oneshot::channel();
        let (picked_tx, picked_rx) = oneshot::channel();
        let job = Job { request_id: request_id.clone(), payload, picked: picked_tx, reply: reply_tx };
        if instance.jobs.send(job).is_err() {
            return Err(InvokeError::Crashed("instance stopped before the invocation".into()));
        }
        // A cold instance first has to initialise (Lambda allows 10 s); the function's
        // own timeout counts from the moment the instance takes the invocation.
        let picked = tokio::select! {
            picked = picked_rx => picked.is_ok(),
            _ = instance.died() => false,
            _ = tokio::time::sleep(INIT_LIMIT) => {
                instance.kill();
                return Err(InvokeError::Crashed(format!("the runtime did not ask for work within {} s", INIT_LIMIT.as_secs())));
            }
        };
        if !picked {
            // The exit watcher answers with the reason (init error, exit status).
            let why = match tokio::time::timeout(Duration::from_millis(500), reply_rx).await {
                Ok(Ok(Outcome::Crashed(why))) => why,
                _ => "instance exited before taking the invocation".to_owned(),
            };
            return Err(InvokeError::Crashed(why));
        }
        let limit = self.config.timeout;
        let typical = Duration::from_micros(self.typical_micros.load(Ordering::Relaxed));
        let kill_after = crate::faults::active().and_then(|faults| faults.plan_kill(typical));
        let kill = async move {
            match kill_after {
                Some(after) => tokio::time::sleep(after).await,
                None => std::future::pending().await,
            }
        };
        let started = Instant::now();
        let outcome = tokio::select! {
            outcome = &mut reply_rx => {
                if kill_after.is_some() {
                    // It finished before its planned kill: it dies before its answer leaves.
                    return Err(self.killed_by_fault(&instance, &request_id));
                }
                outcome.ok()
            }
            _ = kill => return Err(self.killed_by_fault(&instance, &request_id)),
            _ = instance.died() => {
                // The exit watcher answers the running job; give it a moment to do so.
                tokio::time::timeout(Duration::from_millis(500), reply_rx).await.ok().and_then(Result::ok)
            }
            _ = tokio::time::sleep(limit) => {
                output::platform(&self.config.logical_id, &format!("{request_id} Task timed out after {:.2} seconds", self.config.timeout.as_secs_f64()));
                instance.kill();
                if let Some(faults) = crate::faults::active() {
                    faults.instance_died(&instance.app_id);
                }
                return Err(InvokeError::Timeout(self.config.timeout));
            }
        };
        let took = started.elapsed().as_micros().min(u64::MAX as u128) as u64;
        let before = self.typical_micros.load(Ordering::Relaxed);
        self.typical_micros.store((before * 7 + took) / 8, Ordering::Relaxed);
        match outcome {
            Some(Outcome::Response(body)) => {
                self.idle.lock().expect("lock").push(instance);
                Ok(body)
            }
            Some(Outcome::Error { error_type, message }) => {
                self.idle.lock().expect("lock").push(instance);
                Err(InvokeError::Function { error_type, message })
            }
            Some(Outcome::Crashed(why)) => Err(InvokeError::Crashed(why)),
            None => Err(InvokeError::Crashed("instance exited without answering".into())),
        }
    }

    /// An injected kill (`--faults`): the instance dies mid-invocation.
    fn killed_by_fault(&self, instance: &Instance, request_id: &str) -> InvokeError {
        instance.kill();
        if let Some(faults) = crate::faults::active() {
            faults.killed(&self.config.logical_id, &instance.app_id);
        }
        output::platform(&self.config.logical_id, &format!("{request_id} instance killed by fault injection"));
        InvokeError::Crashed("killed by fault injection".into())
    }

    /// Kills every idle instance (shutdown, or to force cold starts) and says how many.
    pub fn stop_all(&self) -> usize {
        let idle: Vec<_> = self.idle.lock().expect("lock").drain(..).collect();
        let alive = idle.iter().filter(|instance| !instance.is_dead()).count();
        for instance in idle {
            instance.kill();
        }
        alive
    }

    async fn spawn(&self) -> Result<Arc<Instance>, String> {
        let config = self.config.clone();
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| format!("runtime API listener: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let number = self.started.fetch_add(1, Ordering::Relaxed) + 1;
        let app_id = format!("{}.{number}", config.logical_id);

        let mut command = tokio::process::Command::new(&config.binary);
        command
            .env_clear()
            .envs(config.environment.iter().map(|(k, v)| (k, v)))
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .env("AWS_LAMBDA_LOG_STREAM_NAME", format!("local/[$LATEST]{number:08}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        for passthrough in ["RUST_BACKTRACE", "RUST_LOG"] {
            if let Ok(value) = std::env::var(passthrough) {
                command.env(passthrough, value);
            }
        }
        if crate::faults::active().is_some() {
            // Fault injection tells which instance made a call by this.
            command.env("AWS_SDK_UA_APP_ID", &app_id);
        }
        crate::process::die_with_parent(&mut command);
        let spawned = Instant::now();
        let mut child = command.spawn().map_err(|e| format!("cannot start {}: {e}", config.binary.display()))?;
        let pid = child.id().unwrap_or_default();
        for stream in [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
            child.stderr.take().map(|s| Box::new(s) as _),
        ]
        .into_iter()
        .flatten()
        {
            let function = config.logical_id.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    output::function(&function, &line);
                }
            });
        }

        let (jobs, inbox) = mpsc::unbounded_channel();
        let (kill_tx, kill_rx) = oneshot::channel();
        let instance = Arc::new(Instance {
            config: config.clone(),
            pid,
            app_id,
            spawned,
            jobs,
            inbox: tokio::sync::Mutex::new(inbox),
            current: Mutex::new(None),
            init_duration: Mutex::new(None),
            init_reported: AtomicBool::new(false),
            init_error: Mutex::new(None),
            dead: watch::Sender::new(false),
            kill: Mutex::new(Some(kill_tx)),
        });

        let server = tokio::spawn(axum::serve(listener, runtime_api(instance.clone())).into_future());
        let watched = instance.clone();
        tokio::spawn(async move {
            let status = tokio::select! {
                status = child.wait() => status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string()),
                _ = kill_rx => {
                    let _ = child.kill().await;
                    "killed by the runner".to_owned()
                }
            };
            server.abort();
            watched.dead.send_replace(true);
            let why = match watched.init_error.lock().expect("lock").take() {
                Some(init_error) => format!("init error: {init_error}"),
                None => format!("process exited ({status})"),
            };
            output::platform(&watched.config.logical_id, &format!("instance {pid} stopped: {why}"));
            if let Some(running) = watched.current.lock().expect("lock").take() {
                let _ = running.reply.send(Outcome::Crashed(why.clone()));
            }
            let mut inbox = watched.inbox.lock().await;
            while let Ok(job) = inbox.try_recv() {
                let _ = job.reply.send(Outcome::Crashed(why.clone()));
            }
        });
        Ok(instance)
    }
}

fn runtime_api(instance: Arc<Instance>) -> Router {
    Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .route("/2018-06-01/runtime/invocation/{request_id}/response", post(invocation_response))
        .route("/2018-06-01/runtime/invocation/{request_id}/error", post(invocation_error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(instance)
}

fn epoch_ms(at: SystemTime) -> u128 {
    at.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()
}

fn trace_id() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("Root=1-{now:08x}-{};Parent={};Sampled=0", &random[..24], &random[16..32])
}

async fn next_invocation(State(instance): State<Arc<Instance>>) -> Response {
    {
        let mut init = instance.init_duration.lock().expect("lock");
        if init.is_none() {
            *init = Some(instance.spawned.elapsed());
        }
    }
    let mut inbox = instance.inbox.lock().await;
    let job = tokio::select! {
        job = inbox.recv() => job,
        _ = instance.died() => None,
    };
    drop(inbox);
    let Some(job) = job else {
        return (StatusCode::GONE, "instance is shutting down").into_response();
    };
    let config = &instance.config;
    let deadline = epoch_ms(SystemTime::now() + config.timeout);
    output::platform(&config.logical_id, &format!("START RequestId: {} Version: $LATEST", job.request_id));
    *instance.current.lock().expect("lock") =
        Some(Running { request_id: job.request_id.clone(), started: Instant::now(), reply: job.reply });
    let _ = job.picked.send(());
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", job.request_id);
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set("lambda-runtime-invoked-function-arn", config.arn.clone());
    set("lambda-runtime-trace-id", trace_id());
    set("content-type", "application/json".into());
    (StatusCode::OK, headers, job.payload).into_response()
}

/// Takes the running invocation if `request_id` is the one this instance runs.
fn finish(instance: &Instance, request_id: &str) -> Option<Running> {
    let mut current = instance.current.lock().expect("lock");
    if current.as_ref().is_some_and(|r| r.request_id == request_id) { current.take() } else { None }
}

fn report(instance: &Instance, running: &Running) {
    let duration = running.started.elapsed();
    let config = &instance.config;
    let mut line = format!(
        "REPORT RequestId: {}\tDuration: {:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
        running.request_id,
        duration.as_secs_f64() * 1000.0,
        (duration.as_micros().div_ceil(1000)).max(1),
        config.memory_mb,
        instance.max_memory_mb(),
    );
    if !instance.init_reported.swap(true, Ordering::Relaxed) {
        if let Some(init) = *instance.init_duration.lock().expect("lock") {
            line.push_str(&format!("\tInit Duration: {:.2} ms", init.as_secs_f64() * 1000.0));
        }
    }
    output::platform(&config.logical_id, &format!("END RequestId: {}", running.request_id));
    output::platform(&config.logical_id, &line);
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, [("content-type", "application/json")], r#"{"status":"OK"}"#).into_response()
}

fn unknown_request(request_id: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [("content-type", "application/json")],
        format!(r#"{{"errorMessage":"no invocation {request_id} is running here","errorType":"InvalidRequestID"}}"#),
    )
        .into_response()
}

async fn invocation_response(
    State(instance): State<Arc<Instance>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(running) = finish(&instance, &request_id) else { return unknown_request(&request_id) };
    report(&instance, &running);
    let _ = running.reply.send(Outcome::Response(body));
    accepted()
}

async fn invocation_error(
    State(instance): State<Arc<Instance>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(running) = finish(&instance, &request_id) else { return unknown_request(&request_id) };
    report(&instance, &running);
    let (error_type, message) = parse_error(&headers, &body);
    output::platform(&instance.config.logical_id, &format!("{request_id} ERROR {error_type}: {message}"));
    let _ = running.reply.send(Outcome::Error { error_type, message });
    accepted()
}

async fn init_error(State(instance): State<Arc<Instance>>, headers: HeaderMap, body: Bytes) -> Response {
    let (error_type, message) = parse_error(&headers, &body);
    *instance.init_error.lock().expect("lock") = Some(format!("{error_type}: {message}"));
    // Lambda discards an instance whose init failed.
    instance.kill();
    accepted()
}

fn parse_error(headers: &HeaderMap, body: &[u8]) -> (String, String) {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let error_type = json
        .get("errorType")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .or_else(|| headers.get("lambda-runtime-function-error-type").and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_else(|| "Unhandled".to_owned());
    let message = json
        .get("errorMessage")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    (error_type, message)
}
