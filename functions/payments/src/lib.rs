//! The payments domain: charges and refunds through the payment provider (Stripe),
//! consumed from `PaymentRequestsQueue`.
//!
//! - `domain`: what to do next, from what is recorded (no AWS types);
//! - `provider`: the `PaymentProvider` trait and its Stripe adapter;
//! - `store`: the payments table;
//! - `circuit`: the provider's circuit breaker, shared through the payments table;
//! - `handlers`: the queue consumer.

pub mod circuit;
pub mod domain;
pub mod handlers;
pub mod provider;
pub mod store;

use handlers::process_payments::HolderNames;
use shared::dynamo::Failure;

/// Ticket holders' names, from the users domain's contact contract.
pub struct UserNames {
    pub client: aws_sdk_dynamodb::Client,
    pub users_table: String,
}

impl HolderNames for UserNames {
    async fn holder_name(&self, user_id: &str) -> Result<String, Failure> {
        Ok(users::contact::contact(&self.client, &self.users_table, user_id).await?.map(|c| c.name).unwrap_or_default())
    }
}
