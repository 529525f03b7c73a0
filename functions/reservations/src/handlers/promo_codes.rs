//! What the promo-code routes share (each route is its own module):
//!
//! - POST /events/{id}/promo-codes (its organizer): `{code, percentOff |
//!   amountOffMinor, maxUses?, tierIds?, validFrom?, validUntil?}` → 201;
//! - GET /events/{id}/promo-codes (its organizer): every code with its uses;
//! - GET /events/{id}/promo-codes/{code} (a signed-in buyer): what the code does
//!   now and the tiers it applies to, hidden ones included (how a presale is found).
//!
//! Codes live in this domain's table because their uses are counted in the hold's
//! transaction; the event (its organizer, its tiers) is read through the events
//! domain's contracts.

use crate::domain::promo::{Discount, PromoCode};
use chrono::{DateTime, Utc};
use events::door::DoorEvent;
use lambda_http::{Request, RequestExt};
use serde::Serialize;
use shared::ApiError;
use shared::auth::{Caller, Permission};

/// What the codes' routes read of the events domain.
pub struct EventReads {
    pub client: aws_sdk_dynamodb::Client,
    pub events_table: String,
    /// Where the team contract is read (`USERS_TABLE`), if this function may.
    pub users_table: Option<String>,
}

impl EventReads {
    pub async fn event(&self, request: &Request) -> Result<DoorEvent, ApiError> {
        let not_found = || ApiError::not_found("no such event");
        let event_id = request
            .path_parameters()
            .first("id")
            .filter(|id| shared::dynamo::plausible_id(id))
            .map(str::to_owned)
            .ok_or_else(not_found)?;
        events::door::door_event(&self.client, &self.events_table, &event_id).await?.ok_or_else(not_found)
    }

    /// The event, if the caller may do `what` with it: its organizer, an admin, or
    /// a member of the organizer's team whose part allows it.
    pub async fn organized(&self, caller: &Caller, request: &Request, what: Permission) -> Result<DoorEvent, ApiError> {
        let event = self.event(request).await?;
        let mut caller = caller.clone();
        caller
            .confirm_team(&event.organizer_id, |user| async move {
                match &self.users_table {
                    Some(users_table) => users::team::current(&self.client, users_table, &user).await,
                    None => Ok(None),
                }
            })
            .await?;
        if caller.may(what, &event.organizer_id) {
            return Ok(event);
        }
        if caller.belongs_to(&event.organizer_id) {
            return Err(ApiError::forbidden("your part in the organizer's team does not allow this"));
        }
        if event.published || event.cancelled {
            Err(ApiError::forbidden("only the event's organizer can do this"))
        } else {
            // A draft is nobody else's business: not even that it exists.
            Err(ApiError::not_found("no such event"))
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromoCodeView {
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_off_minor: Option<i64>,
    /// An access code only (it unlocks hidden tiers, no discount).
    pub access_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_uses: Option<u32>,
    /// Tickets held or sold with it.
    pub uses: u32,
    /// Empty: every tier that is not hidden.
    pub tier_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&PromoCode> for PromoCodeView {
    fn from(p: &PromoCode) -> Self {
        let (percent_off, amount_off_minor) = match p.discount {
            Discount::None => (None, None),
            Discount::PercentOff(n) => (Some(n), None),
            Discount::AmountOffMinor(n) => (None, Some(n)),
        };
        Self {
            code: p.code.clone(),
            percent_off,
            amount_off_minor,
            access_only: p.discount == Discount::None,
            max_uses: p.max_uses,
            uses: p.uses,
            tier_ids: p.tier_ids.clone(),
            valid_from: p.valid_from,
            valid_until: p.valid_until,
            created_at: p.created_at,
        }
    }
}
