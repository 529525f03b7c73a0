//! Child processes never outlive the runner, even when it is killed hard.

/// Asks Linux to kill the child when the runner dies (PR_SET_PDEATHSIG), so no
/// function or moto process is left behind after a crash or `kill -9`.
pub fn die_with_parent(command: &mut tokio::process::Command) {
    // SAFETY: prctl is async-signal-safe and touches only the child's own state.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
