//! What the runner prints: each function's own log lines and the platform lines
//! Lambda adds (START / END / REPORT), prefixed with the function's logical id,
//! on stdout; the runner's own diagnostics go to stderr through `tracing`.

use std::io::Write;

/// A line the function process wrote (its structured logs).
pub fn function(function: &str, line: &str) {
    write_line(function, line);
}

/// A line the Lambda platform would add to the function's log stream.
pub fn platform(function: &str, line: &str) {
    write_line(function, line);
}

fn write_line(function: &str, line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "[{function}] {line}");
    let _ = out.flush();
}
