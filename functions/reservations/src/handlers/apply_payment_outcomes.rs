//! The payment-outcomes queue's consumer: what became of a payment, applied to
//! its reservation by the domain that owns it.
//!
//! - succeeded: a live hold is confirmed with its tickets, in one transaction that
//!   also checks the event is not cancelled; if it is, the reservation is
//!   cancelled with a refund instead. A hold already gone (expired, cancelled,
//!   failed) has the late money sent back.
//! - failed: a live hold is released (the holder is told from that change); one
//!   whose time had run out by then ends as expired, as the sweeper would end it.
//! - refunded: the holder is told why the money went back.
//! - action required / method required: the pending reservation shows it (the
//!   client secret for Stripe.js, or that another card is wanted).
//!
//! Every step is conditioned on the reservation's state, so a redelivered outcome
//! changes nothing twice; the sends here follow no write of this function (they
//! are retried with the message until they succeed).

use crate::domain::changes::refund_notice;
use crate::domain::reservation::{
    CancelReason, ChargeOutcome, Ending, PaymentProgress, PaymentStep, Reservation, Status, after_charge,
};
use crate::domain::tickets;
use crate::store::dynamodb::DynamoReservationStore;
use crate::store::{ReservationStore, StoreError};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::Clock;
use shared::dynamo::Failure;
use shared::messages::{
    NotificationKind, PaymentAwaitingBuyer, PaymentMessage, PaymentOutcome, PaymentTrouble, RefundReason,
    RefundRequest, decode, encode,
};

/// A refund that failed at the bank is asked again this many times at most (the
/// payments domain counts the failures); then the organizer returns the money.
const REFUND_TRIES: u32 = 3;
use shared::sqs::{MessageFailure, Queue, correlation_id, process_batch};
use std::future::Future;

/// Whom a confirmed ticket is for (the users domain's contact contract).
pub trait HolderNames: Send + Sync {
    fn holder_name(&self, user_id: &str) -> impl Future<Output = Result<String, Failure>> + Send;
}

pub struct Consumer<'a, Q, N, C> {
    pub store: &'a DynamoReservationStore,
    /// For late money: a refund request.
    pub payments: &'a Q,
    pub notifications: &'a Q,
    pub names: &'a N,
    pub clock: &'a C,
}

pub async fn handle<Q: Queue, N: HolderNames, C: Clock>(
    consumer: &Consumer<'_, Q, N, C>,
    event: SqsEvent,
) -> SqsBatchResponse {
    process_batch(event, |message| consumer.process(message)).await
}

fn retry(err: impl std::fmt::Display) -> MessageFailure {
    MessageFailure::Retry(err.to_string())
}

impl<Q: Queue, N: HolderNames, C: Clock> Consumer<'_, Q, N, C> {
    async fn process(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let correlation = correlation_id(&message).unwrap_or_default().to_owned();
        let outcome: PaymentOutcome =
            decode(message.body.as_deref().unwrap_or_default()).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        match outcome {
            PaymentOutcome::Succeeded(paid) => self.paid(&paid.reservation_id, &correlation).await,
            PaymentOutcome::Failed(failed) => self.failed(&failed.reservation_id).await,
            PaymentOutcome::Refunded(refunded) => self.refunded(&refunded.reservation_id, &correlation).await,
            PaymentOutcome::ActionRequired(waiting) => self.awaiting(&waiting, PaymentStep::RequiresAction).await,
            PaymentOutcome::MethodRequired(waiting) => {
                self.awaiting(&waiting, PaymentStep::RequiresPaymentMethod).await
            }
            PaymentOutcome::Disputed(trouble) => self.disputed(&trouble.reservation_id).await,
            PaymentOutcome::RefundFailed(trouble) => self.refund_failed(&trouble, &correlation).await,
        }
    }

    async fn reservation(&self, id: &str) -> Result<Reservation, MessageFailure> {
        self.store.get(id).await.map_err(retry)?.ok_or_else(|| MessageFailure::Poison(format!("no reservation {id}")))
    }

    async fn paid(&self, id: &str, correlation: &str) -> Result<(), MessageFailure> {
        for _ in 0..3 {
            let reservation = self.reservation(id).await?;
            let now = self.clock.now();
            match after_charge(reservation.status) {
                ChargeOutcome::Confirm => {
                    let codes = tickets::new_codes(reservation.quantity);
                    let holder = self.names.holder_name(&reservation.user_id).await.map_err(retry)?;
                    match self.store.confirm(&reservation, &codes, &holder, now).await {
                        Ok(()) => {
                            tracing::info!(reservation_id = %id, %correlation, "paid; reservation confirmed");
                            return Ok(());
                        }
                        Err(StoreError::EventCancelled) => {
                            let ending = Ending::cancelled(CancelReason::Event, true);
                            match self.store.release(&reservation, ending, now).await {
                                Ok(()) => {
                                    tracing::warn!(reservation_id = %id, %correlation, "paid as its event was cancelled; refunding");
                                    return Ok(());
                                }
                                Err(StoreError::Changed) => continue,
                                Err(err) => return Err(retry(err)),
                            }
                        }
                        // Expired or cancelled meanwhile: look again.
                        Err(StoreError::Changed) => continue,
                        Err(err) => return Err(retry(err)),
                    }
                }
                ChargeOutcome::AlreadyConfirmed => return Ok(()),
                // Its cancellation asked for the refund already.
                ChargeOutcome::RefundLatePayment if reservation.refund_requested => return Ok(()),
                ChargeOutcome::RefundLatePayment => {
                    let refund = PaymentMessage::Refund(RefundRequest {
                        reservation_id: id.to_owned(),
                        reason: RefundReason::LatePayment,
                        amount_minor: None,
                    });
                    self.payments.send(encode(&refund), correlation).await.map_err(retry)?;
                    tracing::warn!(reservation_id = %id, %correlation, status = ?reservation.status, "paid after the hold ended; refund asked");
                    return Ok(());
                }
            }
        }
        Err(MessageFailure::Retry(format!("reservation {id} kept changing")))
    }

    async fn failed(&self, id: &str) -> Result<(), MessageFailure> {
        let reservation = self.reservation(id).await?;
        if reservation.status != Status::PendingPayment {
            // Whatever ended it first has told the holder.
            return Ok(());
        }
        let now = self.clock.now();
        match self.store.release(&reservation, Ending::after_failed_payment(&reservation, now), now).await {
            Ok(()) | Err(StoreError::Changed) => Ok(()),
            Err(err) => Err(retry(err)),
        }
    }

    /// The buyer must act: the reservation shows what Stripe.js needs, unless it
    /// ended or shows a later outcome already.
    async fn awaiting(&self, waiting: &PaymentAwaitingBuyer, step: PaymentStep) -> Result<(), MessageFailure> {
        let progress = PaymentProgress {
            status: step,
            sequence: waiting.sequence,
            client_secret: waiting.client_secret.clone(),
            detail: waiting.detail.clone(),
        };
        match self.store.show_payment(&waiting.reservation_id, &progress, self.clock.now()).await {
            Ok(()) => {
                tracing::info!(reservation_id = %waiting.reservation_id, ?step, "payment waits on the buyer");
                Ok(())
            }
            Err(StoreError::Changed) => Ok(()),
            Err(err) => Err(retry(err)),
        }
    }

    /// Its tickets are flagged (the door refuses them); the organizer is told from that change.
    async fn disputed(&self, id: &str) -> Result<(), MessageFailure> {
        match self.store.flag_disputed(id, self.clock.now()).await {
            Ok(()) => {
                tracing::warn!(reservation_id = %id, "charge disputed; tickets flagged");
                Ok(())
            }
            Err(StoreError::Changed) => Ok(()),
            Err(err) => Err(retry(err)),
        }
    }

    /// The money came back from a failed refund: asked again (a few times at most),
    /// and the organizer told (once per reservation).
    async fn refund_failed(&self, trouble: &PaymentTrouble, correlation: &str) -> Result<(), MessageFailure> {
        let reservation = self.reservation(&trouble.reservation_id).await?;
        if trouble.failures <= REFUND_TRIES {
            let refund = PaymentMessage::Refund(RefundRequest {
                reservation_id: reservation.id.clone(),
                reason: reservation.refund_reason(),
                amount_minor: reservation.rest_after_partial_refunds(),
            });
            self.payments.send(encode(&refund), correlation).await.map_err(retry)?;
        } else {
            tracing::error!(reservation_id = %reservation.id, failures = trouble.failures, "refund failed too often; left to the organizer");
        }
        let notice = reservation.organizer_notification(NotificationKind::RefundFailed);
        self.notifications.send(encode(&notice), correlation).await.map_err(retry)
    }

    async fn refunded(&self, id: &str, correlation: &str) -> Result<(), MessageFailure> {
        let reservation = self.reservation(id).await?;
        let notice = reservation.notification(refund_notice(&reservation));
        self.notifications.send(encode(&notice), correlation).await.map_err(retry)
    }
}
