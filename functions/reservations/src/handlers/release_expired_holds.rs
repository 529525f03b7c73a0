//! The sweeper (every minute, EventBridge Scheduler): releases pending holds whose
//! time ran out. Each release is the reservation's change to `expired` and the seat
//! return in one transaction conditioned on `pending_payment`, so two overlapping
//! sweeps, or a sweep racing a payment, release a hold at most once. It finds holds
//! through an index of pending holds by expiry, never a scan. The late-payment
//! check and the holder's notice follow from the committed release (the table's
//! stream, `forward_reservation_changes`).

use crate::domain::reservation::{Ending, Reservation};
use crate::store::{ReservationStore, StoreError};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::Serialize;
use shared::Clock;
use std::time::Duration;

/// Holds read per page of a run.
pub const BATCH: u32 = 200;
/// Releases under way at once: each is a transaction of its own, and an on-sale's
/// expiries come by the thousand.
pub const RELEASES_AT_ONCE: usize = 16;
/// A run stops taking new pages after this long (the function's timeout is 50 s;
/// the next run, a minute later, takes the rest).
pub const RUN_BUDGET: Duration = Duration::from_secs(30);

#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    pub released: u32,
    /// Released or paid by someone else meanwhile.
    pub skipped: u32,
    pub failed: u32,
}

impl SweepReport {
    fn add(&mut self, other: SweepReport) {
        self.released += other.released;
        self.skipped += other.skipped;
        self.failed += other.failed;
    }
}

/// Whether a run reads another page: the last one was full, it released something
/// (a page of holds that all failed or were taken meanwhile would only come back
/// the same: the index may lag), and the run has time left.
pub fn another_page(read: usize, page: SweepReport, elapsed: Duration) -> bool {
    read >= BATCH as usize && page.released > 0 && elapsed < RUN_BUDGET
}

pub async fn handle<S: ReservationStore>(store: &S, clock: &impl Clock) -> Result<SweepReport, StoreError> {
    let started = clock.now();
    let mut report = SweepReport::default();
    loop {
        let now = clock.now();
        let holds = store.expired_holds(now, BATCH).await?;
        let read = holds.len();
        let page = futures::stream::iter(holds)
            .map(|reservation| release_one(store, clock, reservation, now))
            .buffer_unordered(RELEASES_AT_ONCE)
            .fold(SweepReport::default(), |mut page, one| async move {
                page.add(one);
                page
            })
            .await;
        report.add(page);
        let elapsed = (clock.now() - started).to_std().unwrap_or_default();
        if !another_page(read, page, elapsed) {
            break;
        }
    }
    if report.released > 0 || report.failed > 0 {
        tracing::info!(
            released = report.released,
            skipped = report.skipped,
            failed = report.failed,
            "expired holds swept"
        );
    }
    Ok(report)
}

async fn release_one<S: ReservationStore>(
    store: &S,
    clock: &impl Clock,
    reservation: Reservation,
    now: DateTime<Utc>,
) -> SweepReport {
    if !reservation.hold_expired(now) {
        return SweepReport { skipped: 1, ..SweepReport::default() };
    }
    // Each release records its own instant: a sweep of many holds takes a while.
    match store.release(&reservation, Ending::expired(), clock.now()).await {
        Ok(()) => SweepReport { released: 1, ..SweepReport::default() },
        Err(StoreError::Changed) => SweepReport { skipped: 1, ..SweepReport::default() },
        Err(err) => {
            tracing::error!(reservation_id = %reservation.id, %err, "hold release failed; next run retries");
            SweepReport { failed: 1, ..SweepReport::default() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(released: u32, skipped: u32, failed: u32) -> SweepReport {
        SweepReport { released, skipped, failed }
    }

    #[test]
    fn a_run_reads_on_while_pages_are_full_and_release_something_and_time_is_left() {
        let early = Duration::from_secs(1);
        assert!(another_page(200, page(150, 40, 10), early));
        assert!(!another_page(199, page(199, 0, 0), early), "a short page was the last");
        assert!(!another_page(0, page(0, 0, 0), early));
        assert!(!another_page(200, page(0, 150, 50), early), "the same page would come back");
        assert!(!another_page(200, page(200, 0, 0), RUN_BUDGET), "the next run takes the rest");
    }
}
