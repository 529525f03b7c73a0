//! The notification queue's consumer: one email per (reservation, kind), and for
//! reminders per (reservation, start), however often the message arrives. A record keyed by both is claimed before sending and
//! completed after, so a duplicate finds it and sends nothing; a send that fails
//! gives the claim back for the retry. A message that cannot be rendered goes to
//! the DLQ without holding up its batch.

use crate::render::{Email, Renderer};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shared::Clock;
use shared::dynamo::Failure;
use shared::idempotency::{Claim, IdempotencyStore};
use shared::messages::{NotificationMessage, decode};
use shared::metrics::Metric;
use shared::sqs::{MessageFailure, correlation_id, process_batch};
use std::future::Future;
use users::contact::Contact;

pub trait Contacts: Send + Sync {
    fn contact(&self, user_id: &str) -> impl Future<Output = Result<Option<Contact>, Failure>> + Send;
}

pub trait Mailer: Send + Sync {
    /// Sends the email; `Err` when SES did not take it.
    fn send(&self, to: &str, email: &Email) -> impl Future<Output = Result<(), String>> + Send;
}

pub struct Consumer<'a, C, M, K> {
    pub sent: &'a IdempotencyStore,
    pub contacts: &'a C,
    pub mailer: &'a M,
    pub renderer: &'a Renderer,
    pub clock: &'a K,
}

pub async fn handle<C: Contacts, M: Mailer, K: Clock>(
    consumer: &Consumer<'_, C, M, K>,
    event: SqsEvent,
) -> SqsBatchResponse {
    process_batch(event, |message| consumer.process(message)).await
}

fn storage(failure: Failure) -> MessageFailure {
    MessageFailure::Retry(format!("storage: {failure}"))
}

impl<C: Contacts, M: Mailer, K: Clock> Consumer<'_, C, M, K> {
    async fn process(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let correlation = correlation_id(&message).unwrap_or_default().to_owned();
        let NotificationMessage::Send(request) =
            decode(message.body.as_deref().unwrap_or_default()).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        let key = request.dedupe_key();
        match self.sent.begin(&key, &key, self.clock.now().timestamp()).await.map_err(storage)? {
            Claim::Replay(_) => {
                tracing::info!(%key, %correlation, "already sent; duplicate ignored");
                return Ok(());
            }
            Claim::InFlight => return Err(MessageFailure::Retry(format!("{key} is being sent by another worker"))),
            Claim::Mismatch => return Err(MessageFailure::Poison(format!("{key}: record does not match"))),
            Claim::Proceed => {}
        }
        let outcome = self.deliver(&request).await;
        match &outcome {
            Ok(what) => {
                // The email is out: failing now would send it again once the claim lapses.
                if let Err(err) = self.sent.complete(&key, what).await {
                    tracing::error!(%key, %err, "sent, but the record was not completed");
                }
            }
            Err(_) => self.sent.release(&key).await.map_err(storage)?,
        }
        if let Ok(what) = &outcome {
            tracing::info!(%key, %correlation, outcome = %what, "notification done");
            if what == "sent" {
                shared::metrics::count("notifications", Metric::EmailsSent, 1);
            }
        }
        outcome.map(drop)
    }

    /// `Ok` with what happened ("sent", or why nothing was sent).
    async fn deliver(&self, request: &shared::messages::NotificationRequest) -> Result<String, MessageFailure> {
        let Some(contact) = self.contacts.contact(&request.user_id).await.map_err(storage)? else {
            return Ok("skipped: the account is erased".into());
        };
        let email = self.renderer.render(request, &contact.name).map_err(|e| MessageFailure::Poison(e.to_string()))?;
        self.mailer.send(&contact.email, &email).await.map_err(MessageFailure::Retry)?;
        Ok("sent".into())
    }
}
