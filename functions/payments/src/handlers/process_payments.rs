//! The payment queue's consumer: charges held reservations and refunds cancelled
//! ones, each message safe to deliver twice or to retry after a failure half-way.
//! Partial batch failures: a message whose provider call failed comes back after
//! its visibility timeout, and after `maxReceiveCount` receives waits in the DLQ
//! (the sweeper releases its hold when the hold expires).
//!
//! Payments write only the payments table. What a charge or refund came to is
//! recorded there and published from its stream (`forward_payment_outcomes`);
//! the reservations domain confirms, releases and tells the holder from that.
//! The reservation is only read (is the hold still live?), never written.

use crate::circuit::{CircuitStore, Gate};
use crate::domain::{self, Charge, Payment, Refund, Status, Step};
use crate::provider::{PaymentProvider, ProviderError};
use crate::store::PartClaim;
use crate::store::PaymentStore;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use reservations::domain::reservation::{Reservation, Status as Booking};
use reservations::store::ReservationStore;
use reservations::store::dynamodb::DynamoReservationStore;
use shared::Clock;
use shared::messages::{
    ChargeRequest, CheckRequest, PartialRefundRequest, PaymentMessage, RefundReason, RefundRequest, RetryRequest,
    StripeNews, decode, encode,
};
use shared::metrics::Metric;
use shared::sqs::{Backoff, MessageFailure, Queue, correlation_id, process_batch_with};
use std::future::Future;

pub struct Consumer<'a, P, Q, C> {
    /// Read only (the reservations domain's read contract): is the hold still live?
    pub reservations: &'a DynamoReservationStore,
    pub payments: &'a PaymentStore,
    pub provider: &'a P,
    pub circuit: &'a CircuitStore,
    /// This consumer's own queue: messages wait there while the circuit is open.
    pub requeue: &'a Q,
    /// Growing waits between retries of a failed message.
    pub backoff: Option<&'a Backoff>,
    pub clock: &'a C,
    /// How long a payment waiting on its buyer goes before the intent is looked at
    /// again (reconciliation of a lost webhook).
    pub reconcile_after_seconds: u32,
}

/// The cause a reconciliation's look again carries.
pub const RECONCILIATION: &str = "reconciliation";

pub async fn handle<P: PaymentProvider, Q: Queue, C: Clock>(
    consumer: &Consumer<'_, P, Q, C>,
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

impl<P: PaymentProvider, Q: Queue, C: Clock> Consumer<'_, P, Q, C> {
    async fn process(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let correlation = correlation_id(&message).unwrap_or_default().to_owned();
        let body = message.body.as_deref().unwrap_or_default();
        let decoded: PaymentMessage = decode(body).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        let delivery = Delivery { body, correlation: &correlation };
        match decoded {
            PaymentMessage::Charge(request) => self.charge(&request, &delivery).await,
            PaymentMessage::Refund(request) => self.refund(&request, &delivery).await,
            PaymentMessage::PartialRefund(request) => self.partial_refund(&request, &delivery).await,
            PaymentMessage::Retry(request) => self.retry(&request, &delivery).await,
            PaymentMessage::Check(request) => self.check(&request, &delivery).await,
            PaymentMessage::Disputed(news) => self.disputed(&news, &delivery).await,
            PaymentMessage::RefundFailed(news) => self.refund_failed(&news, &delivery).await,
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

    async fn charge(&self, request: &ChargeRequest, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        // The charge starts the reconciliation: while the payment waits on its buyer,
        // a look at the intent every few minutes settles it if a webhook is lost.
        self.settle(&request.reservation_id, delivery, true, "charge").await
    }

    /// A webhook said the intent changed, or it is time to look again (reconciliation).
    async fn check(&self, request: &CheckRequest, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        let id = &request.reservation_id;
        let payment = self.payments.get(id).await.map_err(storage)?;
        let recorded = payment.as_ref().and_then(|p| p.intent_id.as_deref());
        if let Some(named) = request.intent_id.as_deref()
            && recorded != Some(named)
        {
            // An intent created by a worker that lost the race to record its own: it
            // was never confirmed, so nothing about it matters.
            tracing::info!(reservation_id = %id, intent_id = named, cause = %request.cause, "news of an intent that is not the payment's; ignored");
            return Ok(());
        }
        if payment.as_ref().is_some_and(|p| {
            matches!(p.status, Status::Succeeded | Status::Failed | Status::Refunding | Status::Refunded)
        }) {
            // Settled already (Stripe tells of every charge, ours confirmed server-side too).
            return Ok(());
        }
        let reconciling = request.cause == RECONCILIATION;
        if reconciling {
            shared::metrics::count("payments", Metric::PaymentsReconciled, 1);
        }
        self.settle(id, delivery, reconciling, &request.cause).await
    }

    /// The reservation a Stripe event's intent pays for, read back from Stripe (the
    /// event is only news); `None` when the intent is not a reservation's, or when
    /// the provider's circuit is open (the message then waits on the queue).
    async fn reservation_of(&self, intent_id: &str, delivery: &Delivery<'_>) -> Result<Option<String>, MessageFailure> {
        if !self.may_call_provider(delivery).await? {
            return Ok(None);
        }
        let intent = self.provider_call(self.provider.intent(intent_id)).await.map_err(provider)?;
        if intent.reservation_id.is_none() {
            tracing::info!(intent_id, "news of an intent that pays for no reservation; ignored");
        }
        Ok(intent.reservation_id)
    }

    /// The buyer's bank disputes the charge: recorded once; the reservations domain
    /// flags the tickets and tells the organizer from that.
    async fn disputed(&self, news: &StripeNews, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        let Some(id) = self.reservation_of(&news.intent_id, delivery).await? else { return Ok(()) };
        let now = self.clock.now();
        if self.payments.record_dispute(&id, &news.object_id, news.reason.as_deref(), now).await.map_err(storage)? {
            tracing::warn!(reservation_id = %id, dispute_id = %news.object_id, reason = ?news.reason, "charge disputed");
            shared::metrics::count("payments", Metric::PaymentsDisputed, 1);
        }
        Ok(())
    }

    /// A refund failed at the bank: the payment is `succeeded` again (the money came
    /// back to the balance); the reservations domain asks for the refund again and
    /// tells the organizer from that change.
    async fn refund_failed(&self, news: &StripeNews, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        let Some(id) = self.reservation_of(&news.intent_id, delivery).await? else { return Ok(()) };
        let payment = self.payments.get(&id).await.map_err(storage)?;
        match payment.map(|p| p.status) {
            Some(Status::Refunded) => {
                if self.payments.refund_failed(&id, &news.object_id, self.clock.now()).await.map_err(storage)? {
                    tracing::warn!(reservation_id = %id, refund_id = %news.object_id, reason = ?news.reason, "refund failed at the bank");
                    shared::metrics::count("payments", Metric::RefundsFailed, 1);
                }
                Ok(())
            }
            // A refund under way: this failure is of an earlier one, applied once it settles.
            Some(Status::Refunding) => Err(MessageFailure::Retry(format!("refund of {id} under way"))),
            // Applied already (the payment was made `succeeded` again), or not refunded by us.
            _ => Ok(()),
        }
    }

    /// Part of a confirmed booking's payment back (the organizer's). The refund's
    /// record is claimed first (a duplicate delivery waits; a dead worker's claim
    /// lapses and is taken over), the provider is asked whether a taken-over refund
    /// went through after all (its answer may have been lost), then the refund is
    /// made and its record marked done: one refund whatever dies or repeats.
    async fn partial_refund(
        &self,
        request: &PartialRefundRequest,
        delivery: &Delivery<'_>,
    ) -> Result<(), MessageFailure> {
        let id = &request.reservation_id;
        let payment = self.payments.get(id).await.map_err(storage)?;
        let intent_id =
            domain::partial_refund(payment.as_ref(), request.amount_minor).map_err(MessageFailure::Poison)?;
        if !self.may_call_provider(delivery).await? {
            return Ok(());
        }
        let now = self.clock.now();
        let until = now.timestamp() + domain::REFUND_CLAIM_SECONDS;
        let claim = self
            .payments
            .claim_partial_refund(id, &request.refund_id, request.amount_minor, until, now)
            .await
            .map_err(storage)?;
        let made_before = match claim {
            PartClaim::Done => return Ok(()),
            PartClaim::Busy => {
                return Err(MessageFailure::Retry(format!("partial refund {} under way", request.refund_id)));
            }
            PartClaim::New => false,
            PartClaim::TakenOver => self
                .provider_call(self.provider.part_refunded(&intent_id, &request.refund_id))
                .await
                .map_err(provider)?,
        };
        if !made_before {
            let key = format!("partial-refund-{}", request.refund_id);
            self.provider_call(self.provider.refund_part(&key, &intent_id, request.amount_minor, &request.refund_id))
                .await
                .map_err(provider)?;
        }
        self.payments.finish_partial_refund(id, &request.refund_id, self.clock.now()).await.map_err(storage)?;
        tracing::info!(reservation_id = %id, refund_id = %request.refund_id, amount_minor = request.amount_minor, "partial refund made");
        shared::metrics::count("payments", Metric::PaymentsRefunded, 1);
        Ok(())
    }

    /// The buyer gave another card after a failed authentication.
    async fn retry(&self, request: &RetryRequest, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        let id = &request.reservation_id;
        let payment = self.payments.get(id).await.map_err(storage)?;
        if let domain::Retry::Attach(intent_id) = domain::retry(payment.as_ref(), request.attempt) {
            let current = self.reservation(id).await?;
            if current.status != Booking::PendingPayment || current.hold_expired(self.clock.now()) {
                // The hold is gone: the intent is cancelled from the hold's end.
                return Ok(());
            }
            if !self.may_call_provider(delivery).await? {
                return Ok(());
            }
            let intent = self.provider_call(self.provider.intent(intent_id)).await.map_err(provider)?;
            if !domain::takes_another_card(&intent.status) {
                // Paid after all, or cancelled: the intent's state settles the payment.
                return self.settle(id, delivery, false, "card retry").await;
            }
            let attached = self.provider_call(self.provider.attach(intent_id, &request.payment_method)).await;
            let refused = match attached {
                Ok(_) => None,
                Err(ProviderError::Rejected(why)) => Some(why),
                Err(err) => return Err(provider(err)),
            };
            let now = self.clock.now();
            let waiting = payment.as_ref().map_or(Status::RequiresPaymentMethod, |p| p.status);
            if self.payments.begin_retry(id, waiting, request.attempt, now).await.map_err(storage)?
                && let Some(why) = refused
            {
                // Not a card Stripe takes: the buyer is asked for another.
                tracing::info!(reservation_id = %id, %why, "retried card refused");
                self.payments
                    .await_buyer(
                        id,
                        Status::Pending,
                        Status::RequiresPaymentMethod,
                        None,
                        "invalid_payment_method",
                        now,
                    )
                    .await
                    .map_err(storage)?;
                return Ok(());
            }
        }
        // Applied now or before (a redelivery): carry the payment on from where it is.
        self.settle(id, delivery, false, "card retry").await
    }

    /// Moves the reservation's payment on as far as it goes now, from what is
    /// recorded and what the provider says; `keep_checking` schedules the next look
    /// when it ends up waiting on the buyer; `cause` (what asked) goes to the logs.
    async fn settle(
        &self,
        id: &str,
        delivery: &Delivery<'_>,
        keep_checking: bool,
        cause: &str,
    ) -> Result<(), MessageFailure> {
        let correlation = delivery.correlation;
        let reservation = self.reservation(id).await?;
        // Each pass moves the payment one step; a settled payment ends the loop.
        for _ in 0..6 {
            let payment = self.payments.get(id).await.map_err(storage)?;
            let step = domain::next_step(payment.as_ref());
            if reservation.status != Booking::PendingPayment && matches!(step, Step::Start | Step::CreateIntent) {
                // Expired or cancelled before any money moved: nothing to charge. A payment
                // already started is closed as failed (no money moved), never left pending.
                tracing::info!(reservation_id = %id, status = ?reservation.status, "hold gone before the charge; not charging");
                if step == Step::CreateIntent {
                    self.payments
                        .set_status(id, Status::Pending, Status::Failed, self.clock.now())
                        .await
                        .map_err(storage)?;
                }
                return Ok(());
            }
            match step {
                Step::Start => {
                    // A free order (a tier priced 0) is paid as soon as it is recorded:
                    // the provider is never asked (Stripe refuses an amount of 0).
                    let free = reservation.amount_minor == 0;
                    let payment = Payment {
                        reservation_id: id.to_owned(),
                        status: if free { Status::Succeeded } else { Status::Pending },
                        intent_id: None,
                        amount_minor: reservation.amount_minor,
                        currency: reservation.currency.clone(),
                        refund_claimed_until: None,
                        client_secret: None,
                        attempt: 0,
                        refund_failures: 0,
                    };
                    if self.payments.start(&payment, correlation, self.clock.now()).await.map_err(storage)? && free {
                        tracing::info!(reservation_id = %id, %correlation, "free order; nothing to charge");
                        return Ok(());
                    }
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
                            let code = "invalid_payment_method";
                            return self.declined(id, Status::Pending, code, correlation).await.map(drop);
                        }
                        Err(err) => return Err(provider(err)),
                    };
                    // If another worker recorded an intent first, the next pass uses theirs.
                    self.payments.record_intent(id, &intent.id).await.map_err(storage)?;
                }
                Step::Charge(intent_id) => {
                    let payment = payment.expect("a charge step has its payment");
                    if !self.may_call_provider(delivery).await? {
                        return Ok(());
                    }
                    let mut intent = self.provider_call(self.provider.intent(&intent_id)).await.map_err(provider)?;
                    // Just before money moves, the reservation as it is now: still held, and
                    // the hold not yet run out?
                    let current = self.reservation(id).await?;
                    let held = current.status == Booking::PendingPayment && !current.hold_expired(self.clock.now());
                    let mut decision = domain::charge(&intent.status, held);
                    if decision == Charge::Confirm {
                        let key = format!("confirm-{intent_id}-{}", payment.attempt);
                        match self.provider_call(self.provider.confirm(&intent_id, &key)).await {
                            Ok(confirmed) => {
                                intent = confirmed;
                                decision = domain::charge(&intent.status, true);
                            }
                            // The intent moved under us (cancelled at the hold's end, ...): read it again.
                            Err(ProviderError::Rejected(why)) => {
                                tracing::info!(reservation_id = %id, %why, "confirmation refused; reading the intent again");
                                continue;
                            }
                            Err(err) => return Err(provider(err)),
                        }
                    }
                    let now = self.clock.now();
                    match decision {
                        Charge::Succeeded => {
                            if self.succeeded(id, payment.status, correlation, cause).await? {
                                return Ok(());
                            }
                        }
                        Charge::Declined(code) => {
                            if self.declined(id, payment.status, &code, correlation).await? {
                                return Ok(());
                            }
                        }
                        Charge::Abandon => {
                            // Created but never confirmed, and the hold is gone: no money moves.
                            if self
                                .payments
                                .set_status(id, payment.status, Status::Failed, now)
                                .await
                                .map_err(storage)?
                            {
                                return Ok(());
                            }
                        }
                        Charge::Cancel => {
                            // Nobody will pay it now: cancelled at the provider, so a late
                            // authentication cannot take money. The next pass reads the result
                            // (cancelled, or succeeded if the buyer got there first).
                            match self.provider_call(self.provider.cancel(&intent_id)).await {
                                Ok(_) | Err(ProviderError::Rejected(_)) => {
                                    tracing::info!(reservation_id = %id, "hold gone while the buyer was asked; intent cancelled");
                                }
                                Err(err) => return Err(provider(err)),
                            }
                        }
                        Charge::AwaitBuyer(_) | Charge::AwaitCard => {
                            let (to, detail) = match &decision {
                                Charge::AwaitBuyer(next) => (Status::RequiresAction, next.as_str()),
                                _ => (Status::RequiresPaymentMethod, "authentication_failed"),
                            };
                            let secret = intent.client_secret.as_deref().or(payment.client_secret.as_deref());
                            if payment.status != to
                                && !self
                                    .payments
                                    .await_buyer(id, payment.status, to, secret, detail, now)
                                    .await
                                    .map_err(storage)?
                            {
                                continue;
                            }
                            if payment.status != to {
                                tracing::info!(reservation_id = %id, %correlation, status = to.as_str(), "payment waits on the buyer");
                            }
                            if keep_checking {
                                self.look_again_later(id, &intent_id, delivery).await?;
                            }
                            return Ok(());
                        }
                        Charge::Wait(state) => {
                            return Err(MessageFailure::Retry(format!(
                                "intent {intent_id} is {state}; not settled yet"
                            )));
                        }
                        Charge::Confirm => unreachable!("confirmed above"),
                    }
                }
                // Its outcome was published from the commit that settled it.
                Step::Settled(_) => return Ok(()),
            }
        }
        Err(MessageFailure::Retry("the payment kept changing under us".into()))
    }

    /// Reconciliation: the intent is looked at again in a few minutes, in case its
    /// webhook never comes. The message goes before this one is acknowledged, so a
    /// crash in between leaves this one to be delivered again.
    async fn look_again_later(&self, id: &str, intent_id: &str, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        let check = PaymentMessage::Check(CheckRequest {
            reservation_id: id.to_owned(),
            intent_id: Some(intent_id.to_owned()),
            cause: RECONCILIATION.to_owned(),
        });
        self.requeue
            .send_delayed(encode(&check), delivery.correlation, self.reconcile_after_seconds)
            .await
            .map_err(|e| MessageFailure::Retry(e.to_string()))
    }

    /// The money is taken: recorded (from `from`); the reservations domain confirms
    /// the reservation (or has the money given back if the hold is gone) from it.
    /// `false` if the payment had moved meanwhile.
    async fn succeeded(&self, id: &str, from: Status, correlation: &str, cause: &str) -> Result<bool, MessageFailure> {
        let moved = self.payments.set_status(id, from, Status::Succeeded, self.clock.now()).await.map_err(storage)?;
        if moved {
            tracing::info!(reservation_id = %id, %correlation, cause, "payment succeeded");
            shared::metrics::count("payments", Metric::PaymentsSucceeded, 1);
        }
        Ok(moved)
    }

    /// Declined: recorded (from `from`); the reservations domain releases the seats
    /// and tells the buyer. `false` if the payment had moved meanwhile.
    async fn declined(&self, id: &str, from: Status, code: &str, correlation: &str) -> Result<bool, MessageFailure> {
        let moved = self.payments.set_status(id, from, Status::Failed, self.clock.now()).await.map_err(storage)?;
        if moved {
            tracing::info!(reservation_id = %id, %correlation, code, "payment declined");
            shared::metrics::count("payments", Metric::PaymentsFailed, 1);
        }
        Ok(moved)
    }

    async fn refund(&self, request: &RefundRequest, delivery: &Delivery<'_>) -> Result<(), MessageFailure> {
        let correlation = delivery.correlation;
        let id = &request.reservation_id;
        let reservation = self.reservation(id).await?;
        let asked = match request.reason {
            RefundReason::CancelledByAttendee | RefundReason::CancelledByOrganizer | RefundReason::EventCancelled => {
                reservation.status == Booking::Cancelled && reservation.refund_requested
            }
            // Every hold that ends unpaid is checked (and a charge landing after its
            // hold ended is sent back): money taken for it goes back.
            RefundReason::LatePayment => {
                matches!(reservation.status, Booking::Expired | Booking::Cancelled | Booking::PaymentFailed)
            }
        };
        if !asked {
            return Err(MessageFailure::Poison(format!(
                "refund asked for reservation {id}, which is {:?}",
                reservation.status
            )));
        }
        let payment = self.payments.get(id).await.map_err(storage)?;
        if request.reason == RefundReason::LatePayment
            && let Some(waiting) = payment.as_ref().filter(|p| p.intent_id.is_some() && p.status.awaits_buyer())
        {
            // The hold ended while its buyer was asked to authenticate: the intent is
            // cancelled (or, if the buyer paid first, the money is recorded and sent back).
            tracing::info!(reservation_id = %id, status = waiting.status.as_str(), "hold ended while the buyer was asked");
            return self.settle(id, delivery, false, "hold ended").await;
        }
        if request.reason == RefundReason::LatePayment
            && payment.as_ref().is_none_or(|p| matches!(p.status, Status::Pending | Status::Failed))
        {
            // Nothing was taken (a charge that lands later is sent back from its outcome).
            return Ok(());
        }
        let key = payment.as_ref().map(domain::refund_key).unwrap_or_default();
        let plan = domain::refund(payment.as_ref(), self.clock.now().timestamp());
        match plan {
            Refund::Claim(intent_id) | Refund::TakeOver(intent_id) => {
                // After a claim whose worker died, or a refund that failed at the bank, ask
                // Stripe first: the refund may have gone through after all (a lost answer,
                // or a failure reported for a refund that was superseded).
                let failed_before = payment.as_ref().is_some_and(|p| p.refund_failures > 0);
                let taking_over = matches!(plan, Refund::TakeOver(_)) || failed_before;
                // The circuit first: a request deferred while it is open holds no claim.
                if !self.may_call_provider(delivery).await? {
                    return Ok(());
                }
                let now = self.clock.now();
                let until = now.timestamp() + domain::REFUND_CLAIM_SECONDS;
                if !self.payments.claim_refund(id, until, now).await.map_err(storage)? {
                    // Claimed a moment ago by another request: look again (it may have died).
                    return Err(MessageFailure::Retry(format!("refund of {id} claimed meanwhile")));
                }
                // If the provider fails, the claim stays until it lapses; this request,
                // redelivered after the visibility timeout, takes it over, and first asks
                // whether the refund went through after all (its answer may have been lost).
                // After the organizer's partial refunds, the rest goes back as a refund of
                // its own (the provider's default would be the whole charge at some providers).
                let rest_id = format!("rest-{id}");
                let done = match (taking_over, request.amount_minor) {
                    (false, _) => false,
                    (true, None) => self.provider_call(self.provider.refunded(intent_id)).await.map_err(provider)?,
                    (true, Some(_)) => {
                        self.provider_call(self.provider.part_refunded(intent_id, &rest_id)).await.map_err(provider)?
                    }
                };
                match (done, request.amount_minor) {
                    (true, _) | (false, Some(0)) => {}
                    (false, None) => {
                        self.provider_call(self.provider.refund(&key, intent_id)).await.map_err(provider)?;
                    }
                    (false, Some(rest)) => {
                        self.provider_call(self.provider.refund_part(&key, intent_id, rest, &rest_id))
                            .await
                            .map_err(provider)?;
                    }
                }
                self.payments
                    .set_status(id, Status::Refunding, Status::Refunded, self.clock.now())
                    .await
                    .map_err(storage)?;
                tracing::info!(reservation_id = %id, %correlation, "cancelled reservation refunded");
                shared::metrics::count("payments", Metric::PaymentsRefunded, 1);
            }
            // Its claimer pays it out; look again once the claim lapses, in case it died
            // (this copy may be the claimer's own request, redelivered).
            Refund::InProgress { lapses_at } => {
                let wait = (lapses_at - self.clock.now().timestamp() + 1).clamp(1, 900) as u32;
                self.requeue
                    .send_delayed(delivery.body.to_owned(), delivery.correlation, wait)
                    .await
                    .map_err(|e| MessageFailure::Retry(e.to_string()))?;
                tracing::info!(reservation_id = %id, %correlation, wait, "refund claimed by another request; looking again when the claim lapses");
                return Ok(());
            }
            Refund::Free => {
                self.payments
                    .set_status(id, Status::Succeeded, Status::Refunded, self.clock.now())
                    .await
                    .map_err(storage)?;
                tracing::info!(reservation_id = %id, %correlation, "free order cancelled; nothing to refund");
            }
            Refund::AlreadyRefunded => {}
            Refund::NothingCharged => {
                return Err(MessageFailure::Poison(format!("refund of {id}: nothing was charged")));
            }
        }
        Ok(())
    }
}
