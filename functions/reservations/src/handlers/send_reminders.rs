//! The reminder pages queue's consumer: reminds one page of an event's confirmed
//! holders of one start, then hands the rest on (the next page's message). The
//! protocol that makes every holder's reminder go out exactly once, whatever runs
//! overlap or die, is described in `domain::reminders`; this module does its I/O.

use crate::domain::reminders::{self, Due, ReminderMessage, ReminderPage};
use crate::store::dynamodb::HolderPage;
use crate::store::reminders::ReminderStore;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use events::reminders::Occurrence;
use futures::{StreamExt, stream};
use shared::Clock;
use shared::dynamo::Failure;
use shared::messages::{NotificationBundle, NotificationMessage};
use shared::messages::{decode, encode};
use shared::sqs::{MessageFailure, Queue, correlation_id, process_batch};
use std::future::Future;
use tokio::sync::Semaphore;

/// Holders per group: one notification bundle, one queue call.
const GROUP: usize = NotificationBundle::MAX;

/// One event's current start and details (the events domain's reminder-schedule contract).
pub trait Occurrences: Send + Sync {
    fn occurrence(&self, event_id: &str) -> impl Future<Output = Result<Option<Occurrence>, Failure>> + Send;
}

pub struct Consumer<'a, E, S, Q, C> {
    pub events: &'a E,
    pub store: &'a S,
    /// This consumer's own queue, for the next page.
    pub pages: &'a Q,
    pub notifications: &'a Q,
    pub clock: &'a C,
    /// Holders per page (`ReminderPageSize`).
    pub page_size: u32,
    /// Claims a page makes at once (`ReminderClaimsInFlight`): each is a conditional
    /// write, which no batch call can carry, so they go in parallel instead of one
    /// holder after another; the limit spares the table's write capacity.
    pub claims_in_flight: usize,
}

/// What one page did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PageReport {
    pub queued: u32,
    pub already_sent: u32,
    /// Holders another live run had claimed.
    pub busy: u32,
}

/// `deadline`: when Lambda stops this invocation (the context's deadline); claims
/// made by it lapse shortly after.
pub async fn handle<E: Occurrences, S: ReminderStore, Q: Queue, C: Clock>(
    consumer: &Consumer<'_, E, S, Q, C>,
    event: SqsEvent,
    deadline: DateTime<Utc>,
) -> SqsBatchResponse {
    process_batch(event, |message| consumer.process(message, deadline)).await
}

fn retry(err: impl std::fmt::Display) -> MessageFailure {
    MessageFailure::Retry(err.to_string())
}

impl<E: Occurrences, S: ReminderStore, Q: Queue, C: Clock> Consumer<'_, E, S, Q, C> {
    async fn process(&self, message: SqsMessage, deadline: DateTime<Utc>) -> Result<(), MessageFailure> {
        let correlation = correlation_id(&message).unwrap_or_default().to_owned();
        let ReminderMessage::Page(page) =
            decode(message.body.as_deref().unwrap_or_default()).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        self.page(&page, deadline, &correlation).await.map(drop)
    }

    pub async fn page(
        &self,
        page: &ReminderPage,
        deadline: DateTime<Utc>,
        correlation: &str,
    ) -> Result<PageReport, MessageFailure> {
        let now = self.clock.now();
        let event = self.events.occurrence(&page.event_id).await.map_err(retry)?;
        // Moved, cancelled or started meanwhile: this run is over (a moved start is due
        // again under its own key, and the schedule starts that run).
        let Some(event) = event.filter(|e| e.start_key() == page.starts_at && e.is_due(now)) else {
            tracing::info!(event_id = %page.event_id, starts_at = %page.starts_at, "no longer due; run stopped");
            return Ok(PageReport::default());
        };
        let HolderPage { holders, last, more: full } =
            self.store.confirmed_after(&page.event_id, self.page_size, page.cursor.as_deref()).await.map_err(retry)?;
        let ids: Vec<String> = holders.iter().map(|r| r.id.clone()).collect();
        let markers = self.store.markers(&ids, &page.starts_at).await.map_err(retry)?;
        let until = reminders::claim_until(deadline);
        let mut plan = reminders::plan(&holders, &markers, &event, self.clock.now());
        let due = std::mem::take(&mut plan.due);
        // Groups of ten (one queue call each), several at once: a page cut off part-way
        // keeps what its finished groups did.
        let claims = Semaphore::new(self.claims_in_flight.max(1));
        let groups_in_flight = self.claims_in_flight.div_ceil(GROUP).max(1);
        let groups: Vec<GroupReport> = stream::iter(due.chunks(GROUP))
            .map(|group| self.remind_group(group, page, until, &claims, correlation))
            .buffer_unordered(groups_in_flight)
            .collect()
            .await;
        let (mut queued, mut not_queued) = (0, 0);
        for group in groups {
            queued += group.queued;
            not_queued += group.not_queued;
            for _ in 0..group.lost_claims {
                plan.lost_claim(until);
            }
        }
        let report = PageReport { queued, already_sent: plan.already_sent, busy: plan.busy };
        tracing::info!(event_id = %page.event_id, starts_at = %page.starts_at, queued = report.queued,
            already_sent = report.already_sent, busy = report.busy, %correlation, "reminder page");
        if not_queued > 0 {
            // The page comes back; what was queued is marked and skipped then.
            return Err(MessageFailure::Retry(format!("{not_queued} reminders not queued")));
        }
        if let Some(until) = plan.busy_until {
            // Never pass a holder by: look at this page again once those claims have
            // lapsed (their run has finished them by then, or died).
            let wait = (until - self.clock.now()).num_seconds().clamp(1, 900) as u32;
            self.pages
                .send_delayed(encode(&ReminderMessage::Page(page.clone())), correlation, wait)
                .await
                .map_err(retry)?;
            return Ok(report);
        }
        // A page the index cut short (at the page size or at 1 MB) has more after it;
        // otherwise the run has caught up.
        let (to, more) = reminders::next_position(page.cursor.as_deref(), last.as_deref(), full, self.clock.now());
        let advanced = self
            .store
            .advance(&page.event_id, &page.starts_at, page.cursor.as_deref(), to.as_deref(), !more, self.clock.now())
            .await
            .map_err(retry)?;
        if !advanced {
            tracing::info!(event_id = %page.event_id, "another run reminded this page first; this one stops");
            return Ok(report);
        }
        if more {
            let next = ReminderPage { cursor: to, ..page.clone() };
            // If this send fails, the schedule resumes the run from the recorded position.
            self.pages.send(encode(&ReminderMessage::Page(next)), correlation).await.map_err(retry)?;
        } else {
            tracing::info!(event_id = %page.event_id, starts_at = %page.starts_at, "every holder reminded");
        }
        Ok(report)
    }

    /// Claims a group's markers (all at once, within the page's limit of claims in
    /// flight), queues the claimed holders' reminders as one bundle, and marks them
    /// sent in one call. Reminders that could not be queued give their claims back.
    async fn remind_group(
        &self,
        group: &[Due],
        page: &ReminderPage,
        until: DateTime<Utc>,
        claims: &Semaphore,
        correlation: &str,
    ) -> GroupReport {
        let start = page.starts_at.as_str();
        let mut report = GroupReport::default();
        let outcomes = futures::future::join_all(group.iter().map(|due| async move {
            let _permit = claims.acquire().await.expect("the semaphore is never closed");
            self.store.claim(&due.reservation_id, start, until, self.clock.now()).await
        }))
        .await;
        let mut claimed = Vec::with_capacity(group.len());
        for (due, outcome) in group.iter().zip(outcomes) {
            match outcome {
                Ok(true) => claimed.push(due),
                // Another run claimed it between our read and our write.
                Ok(false) => report.lost_claims += 1,
                Err(err) => {
                    tracing::warn!(reservation_id = %due.reservation_id, %err, "reminder not claimed");
                    report.not_queued += 1;
                }
            }
        }
        if claimed.is_empty() {
            return report;
        }
        let bundle = NotificationMessage::Bundle(NotificationBundle {
            notifications: claimed.iter().map(|due| due.request.clone()).collect(),
        });
        let queued: Vec<String> = claimed.iter().map(|due| due.reservation_id.clone()).collect();
        if let Err(err) = self.notifications.send(encode(&bundle), correlation).await {
            tracing::warn!(count = queued.len(), %err, "reminders not queued; claims given back");
            for id in &queued {
                // If this fails too, the claim lapses after the deadline all the same.
                let _ = self.store.unclaim(id, start).await;
            }
            report.not_queued += queued.len() as u32;
            return report;
        }
        report.queued = queued.len() as u32;
        // Said per group as well as per page: a page cut off part-way (its timeout)
        // never reports, but the groups it queued are counted all the same.
        tracing::info!(event_id = %page.event_id, starts_at = start, queued = report.queued, %correlation,
            "reminders queued");
        if let Err(err) = self.store.mark_sent(&queued, start).await {
            // The claims lapse and a later run queues them again; the notification
            // consumer sends one email per (reservation, start) all the same.
            tracing::warn!(count = queued.len(), %err, "reminders queued, markers not updated");
        }
        report
    }
}

/// What one group of a page did.
#[derive(Debug, Default)]
struct GroupReport {
    queued: u32,
    not_queued: u32,
    lost_claims: u32,
}
