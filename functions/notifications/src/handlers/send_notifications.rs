//! The notification queue's consumer: one email per (reservation, kind), and for
//! reminders per (reservation, start), however often the message arrives; a bundle
//! of them is handled as if each had come alone. A record keyed by both is claimed before sending and
//! completed after, so a duplicate finds it and sends nothing; a send that fails
//! gives the claim back for the retry. A message that cannot be rendered goes to
//! the DLQ without holding up its batch. Organizers' webhook notices (an endpoint
//! switched off) go the same way, once per switch-off.

use crate::render::{Email, Renderer};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures::{StreamExt, stream};
use shared::Clock;
use shared::dynamo::Failure;
use shared::idempotency::{Claim, IdempotencyStore};
use shared::messages::{NotificationMessage, NotificationRequest, WebhookDisabledNotice, decode};
use shared::metrics::Metric;
use shared::sqs::{MessageFailure, correlation_id, process_batch};
use std::collections::HashMap;
use std::future::Future;
use users::contact::Contact;

pub trait Contacts: Send + Sync {
    /// The recipients that exist and are not erased, by user id (one read for a bundle).
    fn contacts(&self, user_ids: &[String]) -> impl Future<Output = Result<HashMap<String, Contact>, Failure>> + Send;
}

pub trait Mailer: Send + Sync {
    /// Sends the email, once: no automatic resend, since SES takes no idempotency key.
    fn send(&self, to: &str, email: &Email) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// Why an email send did not end in SES's "accepted".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// SES refused it, or it never reached SES: safe to send again.
    NotSent(String),
    /// It reached SES but the answer was lost: it most likely went out. Sending it
    /// again could email twice, so it is recorded as sent (and counted).
    Unknown(String),
}

enum Delivery {
    Failed(MessageFailure),
    Unknown(String),
}

/// Emails of one bundle sent at once.
const EMAILS_IN_FLIGHT: usize = 10;

/// A message's outcome from its emails': retried if any email may succeed on a
/// retry (those already sent are skipped then), else poison if one never can.
fn worst(outcomes: Vec<Result<(), MessageFailure>>) -> Result<(), MessageFailure> {
    let mut poison = None;
    for outcome in outcomes {
        match outcome {
            Ok(()) => {}
            Err(retry @ MessageFailure::Retry(_)) => return Err(retry),
            Err(failure) => poison = Some(failure),
        }
    }
    poison.map_or(Ok(()), Err)
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

/// One email to send: about a booking, or an organizer's webhook notice.
#[derive(Clone, Copy)]
enum Notice<'r> {
    Booking(&'r NotificationRequest),
    WebhookDisabled(&'r WebhookDisabledNotice),
}

impl Notice<'_> {
    fn dedupe_key(&self) -> String {
        match self {
            Self::Booking(request) => request.dedupe_key(),
            Self::WebhookDisabled(notice) => notice.dedupe_key(),
        }
    }

    fn user_id(&self) -> &str {
        match self {
            Self::Booking(request) => &request.user_id,
            Self::WebhookDisabled(notice) => &notice.organizer_id,
        }
    }
}

impl<C: Contacts, M: Mailer, K: Clock> Consumer<'_, C, M, K> {
    async fn process(&self, message: SqsMessage) -> Result<(), MessageFailure> {
        let correlation = correlation_id(&message).unwrap_or_default().to_owned();
        let decoded = decode::<NotificationMessage>(message.body.as_deref().unwrap_or_default())
            .map_err(|e| MessageFailure::Poison(e.to_string()))?;
        let webhook_notice = match &decoded {
            NotificationMessage::WebhookDisabled(notice) => Some(notice.clone()),
            _ => None,
        };
        let requests = decoded.into_requests();
        let notices: Vec<Notice> = match &webhook_notice {
            Some(notice) => vec![Notice::WebhookDisabled(notice)],
            None => requests.iter().map(Notice::Booking).collect(),
        };
        let user_ids: Vec<String> = notices.iter().map(|n| n.user_id().to_owned()).collect();
        let contacts = self.contacts.contacts(&user_ids).await.map_err(storage)?;
        // A bundle's emails go out side by side; the message is done when each one is.
        let outcomes: Vec<Result<(), MessageFailure>> = stream::iter(notices)
            .map(|notice| self.notify(notice, contacts.get(notice.user_id()), &correlation))
            .buffer_unordered(EMAILS_IN_FLIGHT)
            .collect()
            .await;
        worst(outcomes)
    }

    /// One email, once: claimed under its dedupe key before sending, completed after.
    async fn notify(
        &self,
        notice: Notice<'_>,
        contact: Option<&Contact>,
        correlation: &str,
    ) -> Result<(), MessageFailure> {
        let key = notice.dedupe_key();
        match self.sent.begin(&key, &key, self.clock.now().timestamp()).await.map_err(storage)? {
            Claim::Replay(_) => {
                tracing::info!(%key, %correlation, "already sent; duplicate ignored");
                return Ok(());
            }
            Claim::InFlight => return Err(MessageFailure::Retry(format!("{key} is being sent by another worker"))),
            Claim::Mismatch => return Err(MessageFailure::Poison(format!("{key}: record does not match"))),
            Claim::Proceed => {}
        }
        let outcome = match self.deliver(notice, contact).await {
            Err(Delivery::Unknown(why)) => {
                tracing::error!(%key, %correlation, %why, "SES's answer was lost; the email most likely went out and is not sent again");
                shared::metrics::count("notifications", Metric::EmailsUnconfirmed, 1);
                Ok("sent, unconfirmed".to_owned())
            }
            Err(Delivery::Failed(failure)) => Err(failure),
            Ok(what) => Ok(what),
        };
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
    async fn deliver(&self, notice: Notice<'_>, contact: Option<&Contact>) -> Result<String, Delivery> {
        let Some(contact) = contact else {
            return Ok("skipped: the account is erased".into());
        };
        let language = contact.language.unwrap_or_default();
        let email = match notice {
            Notice::Booking(request) => self.renderer.render(request, &contact.name, language),
            Notice::WebhookDisabled(webhook) => self.renderer.render_webhook_disabled(webhook, &contact.name, language),
        }
        .map_err(|e| Delivery::Failed(MessageFailure::Poison(e.to_string())))?;
        match self.mailer.send(&contact.email, &email).await {
            Ok(()) => Ok("sent".into()),
            Err(SendError::NotSent(why)) => Err(Delivery::Failed(MessageFailure::Retry(why))),
            Err(SendError::Unknown(why)) => Err(Delivery::Unknown(why)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_is_retried_while_any_email_may_still_go_out() {
        let retry = || Err(MessageFailure::Retry("SES throttled".into()));
        let poison = || Err(MessageFailure::Poison("cannot render".into()));
        assert_eq!(worst(vec![Ok(()), Ok(())]), Ok(()));
        assert_eq!(worst(vec![Ok(()), poison(), retry()]), retry(), "the retry finishes the others");
        assert_eq!(worst(vec![poison(), Ok(())]), poison(), "only what can never be sent: to the DLQ");
        assert_eq!(worst(vec![]), Ok(()));
    }
}
