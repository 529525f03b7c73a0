//! The reminder schedule (every 15 minutes by default, EventBridge Scheduler):
//! finds the events whose reminders are due now (the events domain's reminder
//! index, never a scan) and starts, or resumes from its recorded position, one run
//! per due event: a message on the reminder pages queue, whose
//! consumer (`send_reminders`) reminds a page of holders and hands on the rest.
//! Every event gets its own chain of page messages, so one huge event does not
//! hold up the others. A run that has caught up is resumed too: it finds holders
//! who booked since (usually none: one short query). Firing twice, or while a run
//! is under way, is safe: a duplicate run stops at its first page boundary (see
//! `domain::reminders`).

use crate::domain::reminders::{self, ReminderMessage, ReminderPage, Run};
use crate::store::reminders::ReminderStore;
use chrono::{DateTime, Utc};
use events::reminders::Occurrence;
use futures::StreamExt;
use serde::Serialize;
use shared::Clock;
use shared::dynamo::Failure;
use shared::messages::encode;
use shared::sqs::Queue;
use std::future::Future;

/// Events whose reminders are due (the events domain's reminder-schedule contract).
pub trait DueEvents: Send + Sync {
    fn due(&self, now: DateTime<Utc>) -> impl Future<Output = Result<Vec<Occurrence>, Failure>> + Send;
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StartReport {
    /// Events due now.
    pub due: u32,
    /// Runs started or resumed, each on its own chain of page messages.
    pub started: Vec<Started>,
    /// Due runs in progress, left to their chain (or taken by another firing).
    pub running: Vec<Started>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub event_id: String,
    pub starts_at: String,
    /// It had reminded holders before.
    pub resumed: bool,
    /// Every holder confirmed by its last page had been reminded: this run only
    /// looks for holders who booked since.
    pub caught_up: bool,
}

/// Why the run failed; EventBridge Scheduler retries it, then sends it to the DLQ.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] Failure),
    #[error("{0} of the due events' runs could not be queued")]
    NotQueued(usize),
}

pub async fn handle<E: DueEvents, S: ReminderStore, Q: Queue>(
    events: &E,
    store: &S,
    pages: &Q,
    page_timeout: chrono::Duration,
    clock: &impl Clock,
) -> Result<StartReport, StartError> {
    let now = clock.now();
    let due = events.due(now).await?;
    let keys: Vec<(String, String)> = due.iter().map(|o| (o.event_id.clone(), o.start_key())).collect();
    let runs = store.runs(&keys).await?;
    let mut report = StartReport { due: due.len() as u32, ..StartReport::default() };
    // Many events may be due at once: a few at a time, so one slow call does not hold
    // up the rest, and one event's failure does not stop the others.
    let outcomes = futures::stream::iter(keys)
        .map(|(event_id, starts_at)| {
            let seen = runs.get(&(event_id.clone(), starts_at.clone()));
            start_one(store, pages, event_id, starts_at, seen, page_timeout, now)
        })
        .buffer_unordered(STARTS_IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    let mut not_queued = 0;
    for outcome in outcomes {
        match outcome {
            Outcome::Started(run) => report.started.push(run),
            Outcome::Running(run) => report.running.push(run),
            Outcome::NotQueued => not_queued += 1,
        }
    }
    tracing::info!(due = report.due, started = report.started.len(), "reminder runs");
    if not_queued > 0 {
        return Err(StartError::NotQueued(not_queued));
    }
    Ok(report)
}

/// Runs started at once by one firing.
const STARTS_IN_FLIGHT: usize = 16;

enum Outcome {
    Started(Started),
    Running(Started),
    NotQueued,
}

/// Takes one due run on and queues its next page, unless a chain carries it already.
async fn start_one<S: ReminderStore, Q: Queue>(
    store: &S,
    pages: &Q,
    event_id: String,
    starts_at: String,
    seen: Option<&Run>,
    page_timeout: chrono::Duration,
    now: DateTime<Utc>,
) -> Outcome {
    let running = |event_id, starts_at| {
        let resumed = seen.is_some_and(|run| run.position.is_some());
        Outcome::Running(Started { event_id, starts_at, resumed, caught_up: false })
    };
    // One firing takes a run on; a chain in progress is left to its messages.
    if !reminders::should_start(seen, page_timeout, now) {
        return running(event_id, starts_at);
    }
    match store.take_run(&event_id, &starts_at, seen, now).await {
        Ok(true) => {}
        Ok(false) => return running(event_id, starts_at),
        Err(err) => {
            tracing::error!(%event_id, %err, "reminder run not taken on");
            return Outcome::NotQueued;
        }
    }
    let run = seen.cloned().unwrap_or_default();
    let (resumed, caught_up) = (run.position.is_some(), run.caught_up);
    let message = ReminderMessage::Page(ReminderPage {
        event_id: event_id.clone(),
        starts_at: starts_at.clone(),
        cursor: run.position,
    });
    match pages.send(encode(&message), &format!("reminders-{event_id}")).await {
        Ok(()) => Outcome::Started(Started { event_id, starts_at, resumed, caught_up }),
        Err(err) => {
            // The run stays taken but without a message: it counts as stalled after a
            // page's time, and the next firing (or the scheduler's retry) resumes it.
            tracing::error!(%event_id, %err, "reminder run not queued");
            Outcome::NotQueued
        }
    }
}
