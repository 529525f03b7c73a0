//! Starts the real `local-runner` binary (which starts moto) on free ports, once
//! per test binary, and stops it when the test process exits.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Runner {
    pub url: String,
    pub moto: String,
    /// Everything the runner printed so far (stdout and stderr).
    output: std::sync::Arc<Mutex<String>>,
    // Kept open: the runner stops when this pipe closes, i.e. when the tests end.
    _child: Mutex<Child>,
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

fn moto_server() -> PathBuf {
    match std::env::var_os("MOTO_SERVER") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join(".venv/bin/moto_server"),
    }
}

impl Runner {
    pub fn start(template: &Path) -> Runner {
        let moto = moto_server();
        assert!(moto.exists(), "moto_server not found at {} (run `make test`, which installs it)", moto.display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_local-runner"))
            .arg("serve")
            .arg("--template")
            .arg(template)
            .arg("--start-moto")
            .arg(&moto)
            .args(["--moto-port", "0", "--port", "0", "--exit-on-stdin-eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start local-runner");
        let output = std::sync::Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for (stream, tx) in
            [(Box::new(stdout) as Box<dyn std::io::Read + Send>, Some(ready_tx)), (Box::new(stderr) as _, None)]
        {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if std::env::var_os("RUNNER_ECHO").is_some() {
                        eprintln!("runner| {line}");
                    }
                    if let (Some(tx), Some(url)) = (&tx, line.strip_prefix("ready: ")) {
                        let _ = tx.send(url.to_owned());
                    }
                    let mut all = output.lock().unwrap();
                    all.push_str(&line);
                    all.push('\n');
                }
            });
        }
        let url = match ready_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => panic!("runner did not become ready:\n{}", output.lock().unwrap()),
        };
        let moto = output
            .lock()
            .unwrap()
            .lines()
            .find_map(|l| l.split("(moto at ").nth(1).map(|rest| rest.trim_end_matches(')').to_owned()))
            .expect("runner names moto's address");
        Runner { url, moto, output, _child: Mutex::new(child) }
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
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
}

pub fn shared(cell: &'static OnceLock<Runner>, template: &Path) -> &'static Runner {
    cell.get_or_init(|| Runner::start(template))
}

pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new("local", "local", None, None, "tests"))
        .load()
        .await
}
