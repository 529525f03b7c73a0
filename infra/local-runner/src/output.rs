//! What the runner prints: each function's own log lines and the platform lines
//! Lambda adds (START / END / REPORT), prefixed with the function's logical id,
//! on stdout; the runner's own diagnostics go to stderr through `tracing`.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static TO_STDERR: AtomicBool = AtomicBool::new(false);

/// Sends function logs to stderr, keeping stdout for a result (as `sam local invoke` does).
pub fn logs_to_stderr() {
    TO_STDERR.store(true, Ordering::Relaxed);
}

/// A line the function process wrote (its structured logs).
pub fn function(function: &str, line: &str) {
    write_line(function, line);
}

/// A line the Lambda platform would add to the function's log stream.
pub fn platform(function: &str, line: &str) {
    write_line(function, line);
}

fn write_line(function: &str, line: &str) {
    if TO_STDERR.load(Ordering::Relaxed) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "[{function}] {line}");
    } else {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "[{function}] {line}");
        let _ = out.flush();
    }
}
