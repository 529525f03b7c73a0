//! A circuit breaker around the payment provider, shared by every instance of the
//! consumer through one item of the payments table (`CIRCUIT#<provider>`).
//!
//! - **Closed**: calls go through. `threshold` provider failures (timeouts, 5xx)
//!   within `window` open the circuit.
//! - **Open** for `cooldown`: nobody calls the provider; messages are put back on
//!   the queue with a delay (not failed, so their receive count is not used up).
//! - **Half-open** after the cool-down: one instance claims the probe (a
//!   conditional write); its success closes the circuit, its failure opens it again.
//!
//! The rules are plain functions of the state and the time; the store applies them
//! with a version condition, so concurrent instances never lose a failure or both
//! probe.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use shared::dynamo::{self, Failure, Item, number};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub threshold: u32,
    pub window_seconds: i64,
    pub cooldown_seconds: i64,
    /// How long a claimed probe keeps others out (a dead prober does not block forever).
    pub probe_seconds: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct State {
    pub failures: u32,
    pub window_started_at: i64,
    /// 0 when closed.
    pub open_until: i64,
    pub probe_until: i64,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Closed: call.
    Call,
    /// Half-open and nobody probing: claim the probe, then call.
    Probe,
    /// Open (or another instance is probing): try again after this many seconds.
    Wait(u32),
}

pub fn gate(state: &State, now: i64) -> Gate {
    if state.open_until == 0 {
        Gate::Call
    } else if now < state.open_until {
        Gate::Wait((state.open_until - now).max(1) as u32)
    } else if now < state.probe_until {
        Gate::Wait((state.probe_until - now).max(1) as u32)
    } else {
        Gate::Probe
    }
}

/// The state after a provider failure at `now`.
pub fn after_failure(state: &State, policy: &Policy, now: i64) -> State {
    if state.open_until != 0 {
        // A failed probe (or a late failure while open): open again, for a full cool-down.
        return State { open_until: now + policy.cooldown_seconds, probe_until: 0, ..*state };
    }
    let in_window = now - state.window_started_at < policy.window_seconds;
    let (failures, window_started_at) =
        if in_window { (state.failures + 1, state.window_started_at) } else { (1, now) };
    let open_until = if failures >= policy.threshold { now + policy.cooldown_seconds } else { 0 };
    State { failures, window_started_at, open_until, probe_until: 0, version: state.version }
}

/// The state after the provider answered (success, or a decline: it is up).
pub fn after_success(state: &State) -> State {
    State { version: state.version, ..State::default() }
}

pub struct CircuitStore {
    client: Client,
    table: String,
    name: String,
    pub policy: Policy,
}

impl CircuitStore {
    pub fn new(client: Client, table: impl Into<String>, provider: &str, policy: Policy) -> Self {
        Self { client, table: table.into(), name: provider.to_owned(), policy }
    }

    fn key(&self) -> Item {
        dynamo::key(format!("CIRCUIT#{}", self.name), "CIRCUIT")
    }

    pub async fn read(&self) -> Result<State, Failure> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(self.key()))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let Some(item) = out.item else { return Ok(State::default()) };
        let n =
            |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        Ok(State {
            failures: n("failures") as u32,
            window_started_at: n("windowStartedAt"),
            open_until: n("openUntil"),
            probe_until: n("probeUntil"),
            version: n("version") as u64,
        })
    }

    /// Writes `next` if the item is still at `expected`'s version; `false` if another
    /// instance changed it first.
    async fn write(&self, expected: &State, next: &State) -> Result<bool, Failure> {
        let mut item = self.key();
        for (name, value) in [
            ("failures", i64::from(next.failures)),
            ("windowStartedAt", next.window_started_at),
            ("openUntil", next.open_until),
            ("probeUntil", next.probe_until),
            ("version", expected.version as i64 + 1),
        ] {
            item.insert(name.to_owned(), number(value));
        }
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR version = :v")
            .expression_attribute_values(":v", AttributeValue::N(expected.version.to_string()))
            .send()
            .await
            .map_err(dynamo::sdk_failure);
        dynamo::condition_held(result)
    }

    /// Whether this instance may call the provider now.
    pub async fn enter(&self, now: i64) -> Result<Gate, Failure> {
        for _ in 0..3 {
            let state = self.read().await?;
            match gate(&state, now) {
                Gate::Probe => {
                    let claimed = State { probe_until: now + self.policy.probe_seconds, ..state };
                    if self.write(&state, &claimed).await? {
                        tracing::info!(provider = %self.name, "circuit half-open: probing the provider");
                        return Ok(Gate::Probe);
                    }
                }
                other => return Ok(other),
            }
        }
        Ok(Gate::Wait(1))
    }

    pub async fn failed(&self, now: i64) -> Result<(), Failure> {
        for _ in 0..5 {
            let state = self.read().await?;
            let next = after_failure(&state, &self.policy, now);
            if self.write(&state, &next).await? {
                if next.open_until != 0 && state.open_until == 0 {
                    tracing::warn!(provider = %self.name, failures = next.failures, "circuit opened");
                    shared::metrics::count("payments", shared::metrics::Metric::CircuitOpened, 1);
                }
                return Ok(());
            }
        }
        Ok(())
    }

    /// Records that the provider answered; writes only when the circuit was not clean.
    pub async fn succeeded(&self) -> Result<(), Failure> {
        let state = self.read().await?;
        if state.failures == 0 && state.open_until == 0 {
            return Ok(());
        }
        if self.write(&state, &after_success(&state)).await? && state.open_until != 0 {
            tracing::info!(provider = %self.name, "circuit closed: the provider answers again");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy { threshold: 3, window_seconds: 60, cooldown_seconds: 10, probe_seconds: 15 };

    #[test]
    fn failures_within_the_window_open_the_circuit() {
        let mut s = State::default();
        assert_eq!(gate(&s, 100), Gate::Call);
        s = after_failure(&s, &POLICY, 100);
        s = after_failure(&s, &POLICY, 110);
        assert_eq!(gate(&s, 111), Gate::Call, "two failures: still closed");
        s = after_failure(&s, &POLICY, 120);
        assert_eq!(s.open_until, 130);
        assert_eq!(gate(&s, 121), Gate::Wait(9));
    }

    #[test]
    fn failures_spread_over_time_do_not_open_it() {
        let mut s = State::default();
        for t in [0, 70, 140, 210] {
            s = after_failure(&s, &POLICY, t);
        }
        assert_eq!((s.failures, s.open_until), (1, 0));
    }

    #[test]
    fn after_the_cooldown_one_probe_decides() {
        let open = State { failures: 3, window_started_at: 0, open_until: 30, probe_until: 0, version: 4 };
        assert_eq!(gate(&open, 30), Gate::Probe);
        let probing = State { probe_until: 45, ..open };
        assert_eq!(gate(&probing, 31), Gate::Wait(14), "others wait while one probes");
        assert_eq!(gate(&probing, 45), Gate::Probe, "a dead prober does not block forever");
        let reopened = after_failure(&probing, &POLICY, 32);
        assert_eq!((reopened.open_until, reopened.probe_until), (42, 0));
        let closed = after_success(&probing);
        assert_eq!(gate(&closed, 32), Gate::Call);
        assert_eq!(closed.failures, 0);
    }
}
