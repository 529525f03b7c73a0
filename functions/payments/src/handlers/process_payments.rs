//! The payment queue's consumer: charges held reservations and refunds cancelled
//! ones, each message safe to deliver twice or to retry after a failure half-way.
//! Partial batch failures: a message whose provider call failed comes back after
//! its visibility timeout, and after `maxReceiveCount` receives waits in the DLQ
//! (the sweeper releases its hold when the hold expires).

use crate::circuit::{CircuitStore, Gate};
use crate::domain::{self, Charge, Payment, Refund, Status, Step};
use crate::provider::{PaymentProvider, ProviderError};
use crate::store::PaymentStore;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use reservations::domain::reservation::{ChargeOutcome, Reservation, Status as Booking, after_charge};
use reservations::domain::tickets;
use reservations::store::dynamodb::DynamoReservationStore;
use reservations::store::{ReservationStore, StoreError};
use shared::Clock;
use shared::dynamo::Failure;
use shared::messages::{ChargeRequest, NotificationKind, PaymentMessage, RefundReason, RefundRequest, decode, encode};
use shared::metrics::Metric;
use shared::sqs::{Backoff, MessageFailure, Queue, correlation_id, process_batch_with};
use std::future::Future;

/// Whom a confirmed ticket is for (the users domain's contact contract).
pub trait HolderNames: Send + Sync {
    fn holder_name(&self, user_id: &str) -> impl Future<Output = Result<String, Failure>> + Send;
}

pub struct Consumer<'a, P, Q, N, C> {
    pub reservations: &'a DynamoReservationStore,
    pub payments: &'a PaymentStore,
    pub provider: &'a P,
    pub circuit: &'a CircuitStore,
    /// This consumer's own queue: messages wait there while the circuit is open.
    pub requeue: &'a Q,
    /// Growing waits between retries of a failed message.
    pub backoff: Option<&'a Backoff>,
    pub notifications: &'a Q,
    pub names: &'a N,
    pub clock: &'a C,
}

pub async fn handle<P: PaymentProvider, Q: Queue, N: HolderNames, C: Clock>(
    consumer: &Consumer<'_, P, Q, N, C>,
    event: SqsEvent,
) -> SqsBatchResponse {
    process_batch_with(event, |message| consumer.process(message), consumer.backoff).await
}

/// The message being worked on, to put it back while the provider is out.
struct Delivery<'m> {
    body: &'m str,
    correlation: &'m str,
}

fn storage(failure: impl std::fmt::Display) -> MessageFailure {
    MessageFailure::Retry(format!("storage: {failure}"))
}

fn provider(err: ProviderError) -> MessageFailure {
    match err {
        ProviderError::Unavailable(why) => MessageFailure::Retry(why),
        ProviderError::Rejected(why) => MessageFailure::Poison(why),
    }
}

impl<P: PaymentProvider, Q: Queue, N: HolderNames, C: Clock> Consumer<'_, P, Q, N, C> {
    async fn process(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let correlation = correlation_id(&message).unwrap_or_default().to_owned();
        let body = message.body.as_deref().unwrap_or_default();
        let decoded: PaymentMessage = decode(body).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        let delivery = Delivery { body, correlation: &correlation };
        match decoded {
            PaymentMessage::Charge(request) => self.charge(&request, &delivery).await,
            PaymentMessage::Refund(request) => self.refund(&request, &delivery).await,
        }
    }

    /// Whether the provider may be called now. While the circuit is open the
    /// message goes back on the queue, delayed until the circuit may close (a new
    /// message: its receive count starts again), and this delivery succeeds.
    async fn may_call_provider(&self, delivery: &Delivery<'_>) -> Result<bool, MessageFailure> {
        match self.circuit.enter(self.clock.now().timestamp()).await.map_err(storage)? {
            Gate::Call | Gate::Probe => Ok(true),
            Gate::Wait(seconds) => {
                self.requeue
                    .send_delayed(delivery.body.to_owned(), delivery.correlation, seconds)
                    .await
                    .map_err(|e| MessageFailure::Retry(e.to_string()))?;
                tracing::info!(seconds, "payment provider circuit open; message deferred");
                Ok(false)
            }
        }
    }

    /// A provider call, with its outcome recorded on the circuit.
    async fn provider_call<T>(&self, call: impl Future<Output = Result<T, ProviderError>>) -> Result<T, ProviderError> {
        let result = call.await;
        let recorded = match &result {
            Err(ProviderError::Unavailable(_)) => self.circuit.failed(self.clock.now().timestamp()).await,
            _ => self.circuit.succeeded().await,
        };
        if let Err(err) = recorded {
            tracing::warn!(%err, "circuit state not recorded");
        }
        result
    }

    async fn reservation(&self, id: &str) -> Result<Reservation, MessageFailure> {
        self.reservations
            .get(id)
            .await
            .map_err(storage)?
            .ok_or_else(|| MessageFailure::Poison(format!("no reservation {id}")))
    }

    async fn notify(
        &self,
        reservation: &Reservation,
        kind: NotificationKind,
        correlation: &str,
    ) -> Result<(), MessageFailure> {
        self.notifications
            .send(encode(&reservation.notification(kind)), correlation)
            .await
            .map_err(|e| MessageFailure::Retry(e.to_string()))
    }

    async fn charge(&self, request: &ChargeRequest, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        let correlation = delivery.correlation;
        let id = &request.reservation_id;
        let reservation = self.reservation(id).await?;
        // Each pass moves the payment one step; a settled payment ends the loop.
        for _ in 0..4 {
            let payment = self.payments.get(id).await.map_err(storage)?;
            let step = domain::next_step(payment.as_ref());
            if reservation.status != Booking::PendingPayment && matches!(step, Step::Start | Step::CreateIntent) {
                // Expired or cancelled before any money moved: nothing to charge.
                tracing::info!(reservation_id = %id, status = ?reservation.status, "hold gone before the charge; not charging");
                return Ok(());
            }
            match step {
                Step::Start => {
                    let pending = Payment {
                        reservation_id: id.clone(),
                        status: Status::Pending,
                        intent_id: None,
                        amount_minor: reservation.amount_minor,
                        currency: reservation.currency.clone(),
                        refund_claimed_until: None,
                    };
                    self.payments.start(&pending, self.clock.now()).await.map_err(storage)?;
                }
                Step::CreateIntent => {
                    if !self.may_call_provider(delivery).await? {
                        return Ok(());
                    }
                    let created = self
                        .provider_call(self.provider.create_intent(
                            id,
                            reservation.amount_minor,
                            &reservation.currency,
                            &reservation.payment_method,
                            id,
                        ))
                        .await;
                    let intent = match created {
                        Ok(intent) => intent,
                        // The provider refuses this payment method for good: a decline,
                        // not a reason to keep the seats until the hold expires.
                        Err(ProviderError::Rejected(why)) => {
                            tracing::info!(reservation_id = %id, %why, "payment method refused");
                            return self.declined(id, "invalid_payment_method", correlation).await;
                        }
                        Err(err) => return Err(provider(err)),
                    };
                    // If another worker recorded an intent first, the next pass uses theirs.
                    self.payments.record_intent(id, &intent.id).await.map_err(storage)?;
                }
                Step::Charge(intent_id) => {
                    if !self.may_call_provider(delivery).await? {
                        return Ok(());
                    }
                    let mut intent = self.provider_call(self.provider.intent(&intent_id)).await.map_err(provider)?;
                    // Just before money moves, the reservation as it is now: still held, and
                    // the hold not yet run out?
                    let current = self.reservation(id).await?;
                    let held = current.status == Booking::PendingPayment && !current.hold_expired(self.clock.now());
                    if domain::charge(&intent.status) == Charge::Confirm && !held {
                        // Created but never confirmed, and the hold is gone: no money moves.
                        self.payments
                            .set_status(id, Status::Pending, Status::Failed, self.clock.now())
                            .await
                            .map_err(storage)?;
                        return Ok(());
                    }
                    if domain::charge(&intent.status) == Charge::Confirm {
                        intent = self.provider_call(self.provider.confirm(&intent_id)).await.map_err(provider)?;
                    }
                    return match domain::charge(&intent.status) {
                        Charge::Succeeded => self.succeeded(id, &intent_id, correlation).await,
                        Charge::Declined(code) => self.declined(id, &code, correlation).await,
                        Charge::Confirm | Charge::Wait(_) => {
                            Err(MessageFailure::Retry(format!("intent {intent_id} is not settled yet")))
                        }
                    };
                }
                Step::Settled(_) => return self.follow_up(id, correlation).await,
            }
        }
        Err(MessageFailure::Retry("the payment kept changing under us".into()))
    }

    /// The money is taken: confirm the reservation with its tickets, or give the
    /// money back if the hold is gone.
    async fn succeeded(&self, id: &str, intent_id: &str, correlation: &str) -> Result<(), MessageFailure> {
        for _ in 0..3 {
            let reservation = self.reservation(id).await?;
            let now = self.clock.now();
            match after_charge(reservation.status) {
                ChargeOutcome::Confirm => {
                    let codes = tickets::new_codes(reservation.quantity);
                    let holder = self.names.holder_name(&reservation.user_id).await.map_err(storage)?;
                    let paid =
                        self.payments.transition(id, Status::Pending, Status::Succeeded, now).map_err(storage)?;
                    match self.reservations.confirm_with(&reservation, &codes, &holder, now, vec![paid]).await {
                        Ok(()) => {
                            tracing::info!(reservation_id = %id, %correlation, "payment succeeded; reservation confirmed");
                            shared::metrics::count("payments", Metric::PaymentsSucceeded, 1);
                            let confirmed = Reservation { status: Booking::Confirmed, tickets: codes, ..reservation };
                            return self.notify(&confirmed, NotificationKind::ReservationConfirmed, correlation).await;
                        }
                        // Expired or cancelled meanwhile: look again.
                        Err(StoreError::Changed) => continue,
                        Err(err) => return Err(storage(err)),
                    }
                }
                ChargeOutcome::AlreadyConfirmed => {
                    self.payments.set_status(id, Status::Pending, Status::Succeeded, now).await.map_err(storage)?;
                    return self.notify(&reservation, NotificationKind::ReservationConfirmed, correlation).await;
                }
                ChargeOutcome::RefundLatePayment => {
                    self.provider_call(self.provider.refund(&format!("refund-{id}"), intent_id))
                        .await
                        .map_err(provider)?;
                    self.payments.set_status(id, Status::Pending, Status::Refunded, now).await.map_err(storage)?;
                    tracing::warn!(reservation_id = %id, %correlation, "payment arrived after the hold ended; refunded");
                    shared::metrics::count("payments", Metric::PaymentsRefunded, 1);
                    return self.notify(&reservation, NotificationKind::LatePaymentRefunded, correlation).await;
                }
            }
        }
        Err(MessageFailure::Retry("the reservation kept changing under us".into()))
    }

    /// Declined: the reservation fails and its seats go back, with the payment's
    /// record, in one transaction.
    async fn declined(&self, id: &str, code: &str, correlation: &str) -> Result<(), MessageFailure> {
        let reservation = self.reservation(id).await?;
        let now = self.clock.now();
        let mut moved = false;
        if reservation.status == Booking::PendingPayment {
            let failed = self.payments.transition(id, Status::Pending, Status::Failed, now).map_err(storage)?;
            match self.reservations.release_with(&reservation, Booking::PaymentFailed, false, now, vec![failed]).await {
                Ok(()) => moved = true,
                Err(StoreError::Changed) => {
                    // Expired or cancelled meanwhile: its seats are back already.
                    self.payments.set_status(id, Status::Pending, Status::Failed, now).await.map_err(storage)?;
                }
                Err(err) => return Err(storage(err)),
            }
        } else {
            self.payments.set_status(id, Status::Pending, Status::Failed, now).await.map_err(storage)?;
        }
        if !moved {
            // Whatever ended the reservation first has told the buyer already.
            return Ok(());
        }
        tracing::info!(reservation_id = %id, %correlation, code, "payment declined; seats released");
        shared::metrics::count("payments", Metric::PaymentsFailed, 1);
        let failed = Reservation { status: Booking::PaymentFailed, ..reservation };
        self.notify(&failed, NotificationKind::PaymentFailed, correlation).await
    }

    /// A settled payment seen again (a duplicate delivery, or a retry after the
    /// notice failed to queue): send the notice again; notifications sends it once.
    async fn follow_up(&self, id: &str, correlation: &str) -> Result<(), MessageFailure> {
        let reservation = self.reservation(id).await?;
        match reservation.status {
            Booking::Confirmed => self.notify(&reservation, NotificationKind::ReservationConfirmed, correlation).await,
            Booking::PaymentFailed => self.notify(&reservation, NotificationKind::PaymentFailed, correlation).await,
            _ => Ok(()),
        }
    }

    async fn refund(&self, request: &RefundRequest, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        let correlation = delivery.correlation;
        let id = &request.reservation_id;
        let reservation = self.reservation(id).await?;
        let asked = match request.reason {
            RefundReason::CancelledByAttendee | RefundReason::EventCancelled => {
                reservation.status == Booking::Cancelled && reservation.refund_requested
            }
            // The sweeper asks for every hold it releases: money taken for a hold that
            // ran out goes back, whatever happened to the charge's own message.
            RefundReason::LatePayment => matches!(reservation.status, Booking::Expired | Booking::Cancelled),
        };
        if !asked {
            return Err(MessageFailure::Poison(format!(
                "refund asked for reservation {id}, which is {:?}",
                reservation.status
            )));
        }
        let payment = self.payments.get(id).await.map_err(storage)?;
        if request.reason == RefundReason::LatePayment && payment.as_ref().is_none_or(|p| p.status != Status::Succeeded)
        {
            // Nothing was taken (or the charge's own message refunds it when it lands).
            return Ok(());
        }
        match domain::refund(payment.as_ref(), self.clock.now().timestamp()) {
            Refund::Claim(intent_id) => {
                // The circuit first: a request deferred while it is open holds no claim.
                if !self.may_call_provider(delivery).await? {
                    return Ok(());
                }
                let now = self.clock.now();
                let until = now.timestamp() + domain::REFUND_CLAIM_SECONDS;
                if !self.payments.claim_refund(id, until, now).await.map_err(storage)? {
                    tracing::info!(reservation_id = %id, %correlation, "refund claimed by another request; left to it");
                    return Ok(());
                }
                // If the provider fails, the claim stays until it lapses; this request,
                // redelivered after the visibility timeout, takes it over.
                self.provider_call(self.provider.refund(&format!("refund-{id}"), intent_id)).await.map_err(provider)?;
                self.payments
                    .set_status(id, Status::Refunding, Status::Refunded, self.clock.now())
                    .await
                    .map_err(storage)?;
                tracing::info!(reservation_id = %id, %correlation, "cancelled reservation refunded");
                shared::metrics::count("payments", Metric::PaymentsRefunded, 1);
            }
            // Its claimer pays it out and tells the buyer.
            Refund::InProgress => return Ok(()),
            Refund::AlreadyRefunded => {}
            Refund::NothingCharged => {
                return Err(MessageFailure::Poison(format!("refund of {id}: nothing was charged")));
            }
        }
        let kind = match request.reason {
            RefundReason::EventCancelled => NotificationKind::EventCancelled,
            RefundReason::CancelledByAttendee => NotificationKind::ReservationCancelled,
            RefundReason::LatePayment => NotificationKind::LatePaymentRefunded,
        };
        self.notify(&reservation, kind, correlation).await
    }
}
