//! The sweeper (every minute, EventBridge Scheduler): releases pending holds whose
//! time ran out. Each release is the reservation's change to `expired` and the seat
//! return in one transaction conditioned on `pending_payment`, so two overlapping
//! sweeps, or a sweep racing a payment, release a hold at most once. It finds holds
//! through an index of pending holds by expiry, never a scan. The late-payment
//! check and the holder's notice follow from the committed release (the table's
//! stream, `forward_reservation_changes`).

use crate::domain::reservation::Ending;
use crate::store::{ReservationStore, StoreError};
use serde::Serialize;
use shared::Clock;

/// Holds released per run at most; the next run takes the rest.
pub const BATCH: u32 = 200;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    pub released: u32,
    /// Released or paid by someone else meanwhile.
    pub skipped: u32,
    pub failed: u32,
}

pub async fn handle<S: ReservationStore>(store: &S, clock: &impl Clock) -> Result<SweepReport, StoreError> {
    let now = clock.now();
    let mut report = SweepReport::default();
    for reservation in store.expired_holds(now, BATCH).await? {
        if !reservation.hold_expired(now) {
            report.skipped += 1;
            continue;
        }
        // Each release records its own instant: a sweep of many holds takes a while.
        match store.release(&reservation, Ending::expired(), clock.now()).await {
            Ok(()) => report.released += 1,
            Err(StoreError::Changed) => report.skipped += 1,
            Err(err) => {
                tracing::error!(reservation_id = %reservation.id, %err, "hold release failed; next run retries");
                report.failed += 1;
            }
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
