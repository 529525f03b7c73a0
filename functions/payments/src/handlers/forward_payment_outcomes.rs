//! The payments table's stream consumer: a payment that settled (succeeded,
//! failed, refunded) is published on the payment-outcomes queue, where the
//! reservations domain confirms, releases or tells the holder. It runs from the
//! committed change, so the payment consumer dying right after recording an
//! outcome loses nothing; publishing twice is harmless (reservations apply each
//! outcome once).

use crate::domain::{Outcome, Status, outcome};
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use serde::Deserialize;
use shared::messages::{PaymentAwaitingBuyer, PaymentOutcome, PaymentSettled, PaymentTrouble, encode};
use shared::sqs::{MessageFailure, Queue};
use shared::streams::{image, process_batch};

/// A payment item as the stream shows it (circuit items have no `reservationId`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentImage {
    sk: String,
    #[serde(default)]
    reservation_id: String,
    status: Option<Status>,
    #[serde(default)]
    amount_minor: i64,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    correlation_id: Option<String>,
    #[serde(default)]
    sequence: u32,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    refund_failures: u32,
    #[serde(default)]
    dispute_id: Option<String>,
    #[serde(default)]
    dispute_reason: Option<String>,
}

fn payment(item: &serde_dynamo::Item) -> Result<Option<(PaymentImage, Status)>, MessageFailure> {
    Ok(match image::<PaymentImage>(item)? {
        Some(p) if p.sk == "PAYMENT" => p.status.map(|status| (p, status)),
        _ => None,
    })
}

pub async fn handle<Q: Queue>(outcomes: &Q, event: Event) -> DynamoDbEventResponse {
    process_batch(event, |record| forward(outcomes, record)).await
}

async fn forward<Q: Queue>(outcomes: &Q, record: EventRecord) -> Result<(), MessageFailure> {
    let Some((after, status)) = payment(&record.change.new_image)? else { return Ok(()) };
    let before = payment(&record.change.old_image)?;
    let correlation = after.correlation_id.as_deref().unwrap_or(&after.reservation_id);
    if after.dispute_id.is_some() && before.as_ref().is_none_or(|(b, _)| b.dispute_id.is_none()) {
        let disputed = PaymentOutcome::Disputed(PaymentTrouble {
            reservation_id: after.reservation_id.clone(),
            reason: after.dispute_reason.clone(),
            failures: 0,
        });
        outcomes.send(encode(&disputed), correlation).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
        tracing::info!(reservation_id = %after.reservation_id, "payment dispute published");
    }
    let Some(kind) = outcome(before.map(|(_, status)| status), status) else { return Ok(()) };
    let settled = PaymentSettled {
        reservation_id: after.reservation_id.clone(),
        amount_minor: after.amount_minor,
        currency: after.currency.clone(),
    };
    let waiting = || PaymentAwaitingBuyer {
        reservation_id: after.reservation_id.clone(),
        sequence: after.sequence,
        client_secret: after.client_secret.clone(),
        detail: after.detail.clone(),
    };
    let message = match kind {
        Outcome::Succeeded => PaymentOutcome::Succeeded(settled),
        Outcome::Failed => PaymentOutcome::Failed(settled),
        Outcome::Refunded => PaymentOutcome::Refunded(settled),
        Outcome::ActionRequired => PaymentOutcome::ActionRequired(waiting()),
        Outcome::MethodRequired => {
            PaymentOutcome::MethodRequired(PaymentAwaitingBuyer { client_secret: None, ..waiting() })
        }
        Outcome::RefundFailed => PaymentOutcome::RefundFailed(PaymentTrouble {
            reservation_id: after.reservation_id.clone(),
            reason: None,
            failures: after.refund_failures,
        }),
    };
    outcomes.send(encode(&message), correlation).await.map_err(|e| MessageFailure::Retry(e.to_string()))?;
    tracing::info!(reservation_id = %after.reservation_id, ?kind, "payment outcome published");
    Ok(())
}
