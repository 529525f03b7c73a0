//! The sweeper (every minute, EventBridge Scheduler): releases pending holds whose
//! time ran out. Each release is the reservation's change to `expired` and the seat
//! return in one transaction conditioned on `pending_payment`, so two overlapping
//! sweeps, or a sweep racing a payment, release a hold at most once. It finds holds
//! through an index of pending holds by expiry, never a scan.

use crate::domain::reservation::Status;
use crate::store::{ReservationStore, StoreError};
use serde::Serialize;
use shared::Clock;
use shared::messages::{NotificationKind, PaymentMessage, RefundReason, RefundRequest, encode};
use shared::sqs::Queue;

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

pub async fn handle<S: ReservationStore, Q: Queue>(
    store: &S,
    payments: &Q,
    notifications: &Q,
    clock: &impl Clock,
) -> Result<SweepReport, StoreError> {
    let now = clock.now();
    let mut report = SweepReport::default();
    for reservation in store.expired_holds(now, BATCH).await? {
        if !reservation.hold_expired(now) {
            report.skipped += 1;
            continue;
        }
        match store.release(&reservation, Status::Expired, false, now).await {
            Ok(()) => {
                report.released += 1;
                // If a charge went through anyway (its message stuck in retries or in the
                // DLQ), payments give the money back; with nothing taken this is a no-op.
                let refund = PaymentMessage::Refund(RefundRequest {
                    reservation_id: reservation.id.clone(),
                    reason: RefundReason::LatePayment,
                });
                if let Err(err) = payments.send(encode(&refund), &reservation.correlation_id).await {
                    tracing::error!(reservation_id = %reservation.id, %err, "late-payment check not queued");
                }
                let expired =
                    crate::domain::reservation::Reservation { status: Status::Expired, ..reservation.clone() };
                let message = encode(&expired.notification(NotificationKind::HoldExpired));
                if let Err(err) = notifications.send(message, &reservation.correlation_id).await {
                    tracing::error!(reservation_id = %reservation.id, %err, "hold-expired notice not queued");
                }
            }
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
