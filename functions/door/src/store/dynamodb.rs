//! The door's table in DynamoDB (layout in `store`).

use super::{Counts, DoorStore, StaffGrant, StoreError, StoreResult, TicketPage};
use crate::domain::admission::{Admission, Ticket, Verdict, counter_shard};
use crate::domain::rules::DoorRules;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use shared::dynamo::{self, Failure, Item, string};
use shared::messages::{TicketState, TicketsChanged};

/// Counter items per event: admissions at every gate spread over them, so two
/// gates rarely write the same one at the same instant.
pub const COUNTER_SHARDS: u32 = 16;
const GSI: &str = "gsi1";

pub struct DynamoDoorStore {
    client: Client,
    table: String,
}

fn ticket_pk(code: &str) -> String {
    format!("TICKET#{code}")
}
fn event_pk(event_id: &str) -> String {
    format!("EVENT#{event_id}")
}
fn list_pk(event_id: &str) -> String {
    format!("EVENT#{event_id}#TICKETS")
}
fn staff_sk(user_id: &str) -> String {
    format!("STAFF#{user_id}")
}
fn grants_pk(user_id: &str) -> String {
    format!("STAFF#{user_id}")
}
fn stored(t: DateTime<Utc>) -> String {
    shared::clock::stored(t)
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}
fn instant(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    text(item, name).and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc))
}

fn ticket_of(item: &Item) -> Result<Ticket, Failure> {
    let need = |name: &str| text(item, name).ok_or_else(|| dynamo::failure(format!("a ticket item without {name}")));
    let code = need("pk")?.trim_start_matches("TICKET#").to_owned();
    let state = TicketState::parse(&need("state")?).ok_or_else(|| dynamo::failure("a ticket in an unknown state"))?;
    let admission = instant(item, "admittedAt").map(|admitted_at| Admission {
        admitted_at,
        gate: text(item, "admittedGate"),
        device: text(item, "admittedDevice"),
        scan_id: text(item, "admittedScan"),
    });
    Ok(Ticket {
        code,
        event_id: need("eventId")?,
        reservation_id: need("reservationId")?,
        tier_id: need("tierId")?,
        tier_name: need("tierName")?,
        seat_id: text(item, "seatId"),
        seat: text(item, "seat"),
        holder: text(item, "holder"),
        state,
        admission,
        inside: item.get("inside").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
    })
}

fn grant_of(item: &Item) -> Result<StaffGrant, Failure> {
    let need = |name: &str| text(item, name).ok_or_else(|| dynamo::failure(format!("a staff item without {name}")));
    Ok(StaffGrant {
        event_id: need("eventId")?,
        user_id: need("userId")?,
        email: need("email")?,
        name: text(item, "name").unwrap_or_default(),
        granted_at: instant(item, "grantedAt").ok_or_else(|| dynamo::failure("a staff item without grantedAt"))?,
        title: text(item, "title").unwrap_or_default(),
        starts_at: instant(item, "startsAt"),
    })
}

impl DynamoDoorStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    fn update(&self, pk: String, sk: String) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        Update::builder().table_name(&self.table).set_key(Some(dynamo::key(pk, sk)))
    }

    /// The counter item's update for a verdict: what it adds to which totals.
    fn count(&self, ticket: &Ticket, verdict: &Verdict) -> Option<Update> {
        let shard = counter_shard(&ticket.code, COUNTER_SHARDS);
        let base = self
            .update(event_pk(&ticket.event_id), format!("COUNT#{shard:02}"))
            .expression_attribute_values(":one", dynamo::number(1));
        let update = match verdict {
            Verdict::Admit(admission) => {
                let mut expression = "ADD admitted :one, inside :one, #tier :one".to_owned();
                let mut update = base.expression_attribute_names("#tier", format!("t:{}", ticket.tier_id));
                if let Some(gate) = &admission.gate {
                    expression.push_str(", #gate :one");
                    update = update.expression_attribute_names("#gate", format!("g:{gate}"));
                }
                update.update_expression(expression)
            }
            Verdict::Readmit => base.update_expression("ADD inside :one, reentries :one"),
            Verdict::Exit => base
                .update_expression("ADD inside :minus, exits :one")
                .expression_attribute_values(":minus", dynamo::number(-1)),
            Verdict::AdmittedByThisScan | Verdict::Refuse(_) => return None,
        };
        update.build().ok()
    }

    /// The ticket's update for a verdict, with the condition that it is as read.
    fn mark(&self, ticket: &Ticket, verdict: &Verdict) -> Option<Update> {
        let base = self
            .update(ticket_pk(&ticket.code), "TICKET".into())
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":valid", string(TicketState::Valid.as_str()))
            .expression_attribute_values(":event", string(&ticket.event_id))
            .expression_attribute_values(":true", AttributeValue::Bool(true));
        let update = match verdict {
            Verdict::Admit(a) => {
                let mut set = vec!["admittedAt = :at".to_owned(), "inside = :true".to_owned()];
                let mut update = base.expression_attribute_values(":at", string(stored(a.admitted_at)));
                for (field, value) in
                    [("admittedGate", &a.gate), ("admittedDevice", &a.device), ("admittedScan", &a.scan_id)]
                {
                    if let Some(value) = value {
                        update = update.expression_attribute_values(format!(":{field}"), string(value));
                        set.push(format!("{field} = :{field}"));
                    }
                }
                update
                    .update_expression(format!("SET {}", set.join(", ")))
                    .condition_expression("eventId = :event AND #state = :valid AND attribute_not_exists(admittedAt)")
            }
            Verdict::Readmit => base
                .update_expression("SET inside = :true")
                .expression_attribute_values(":false", AttributeValue::Bool(false))
                .condition_expression(
                    "eventId = :event AND #state = :valid AND attribute_exists(admittedAt) AND inside = :false",
                ),
            Verdict::Exit => base
                .update_expression("SET inside = :false")
                .expression_attribute_values(":false", AttributeValue::Bool(false))
                .condition_expression("eventId = :event AND #state = :valid AND inside = :true"),
            Verdict::AdmittedByThisScan | Verdict::Refuse(_) => return None,
        };
        update.build().ok()
    }
}

impl DoorStore for DynamoDoorStore {
    async fn ticket(&self, code: &str) -> StoreResult<Option<Ticket>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(ticket_pk(code), "TICKET")))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.item.as_ref().map(ticket_of).transpose()?)
    }

    async fn write_verdict(&self, ticket: &Ticket, verdict: &Verdict) -> StoreResult<()> {
        let (Some(mark), Some(count)) = (self.mark(ticket, verdict), self.count(ticket, verdict)) else {
            return Ok(());
        };
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(mark).build())
            .transact_items(TransactWriteItem::builder().update(count).build())
            .send()
            .await
            .map_err(dynamo::transaction_failure);
        match result {
            Ok(_) => Ok(()),
            Err(failure) if failure.condition_failed_at(0) => Err(StoreError::Stale),
            Err(failure) => Err(failure.into()),
        }
    }

    async fn rules(&self, event_id: &str) -> StoreResult<DoorRules> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(event_pk(event_id), "RULES")))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let Some(json) = out.item.as_ref().and_then(|i| text(i, "rules")) else { return Ok(DoorRules::default()) };
        Ok(serde_json::from_str(&json).map_err(dynamo::failure)?)
    }

    async fn put_rules(&self, event_id: &str, rules: &DoorRules) -> StoreResult<()> {
        let mut item = dynamo::key(event_pk(event_id), "RULES");
        item.insert("rules".into(), string(serde_json::to_string(rules).map_err(dynamo::failure)?));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(())
    }

    async fn counts(&self, event_id: &str) -> StoreResult<Counts> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :count)")
            .expression_attribute_values(":pk", string(event_pk(event_id)))
            .expression_attribute_values(":count", string("COUNT#"))
            .consistent_read(true);
        let mut counts = Counts::default();
        for item in dynamo::query_all(query).await? {
            for (name, value) in &item {
                let Some(n) = value.as_n().ok().and_then(|n| n.parse::<i64>().ok()) else { continue };
                match name.as_str() {
                    "admitted" => counts.admitted += n,
                    "inside" => counts.inside += n,
                    _ => {
                        if let Some(tier) = name.strip_prefix("t:") {
                            *counts.by_tier.entry(tier.to_owned()).or_default() += n;
                        } else if let Some(gate) = name.strip_prefix("g:") {
                            *counts.by_gate.entry(gate.to_owned()).or_default() += n;
                        }
                    }
                }
            }
        }
        Ok(counts)
    }

    async fn apply_change(&self, change: &TicketsChanged, holder: Option<&str>) -> StoreResult<usize> {
        let mut applied = 0;
        for ticket in &change.tickets {
            let mut names = vec!["eventId", "reservationId", "tierId", "tierName", "#state", "seq", "gsi1pk", "gsi1sk"];
            let mut request = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(dynamo::key(ticket_pk(&ticket.code), "TICKET")))
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":eventId", string(&change.event_id))
                .expression_attribute_values(":reservationId", string(&change.reservation_id))
                .expression_attribute_values(":tierId", string(&change.tier_id))
                .expression_attribute_values(":tierName", string(&change.tier_name))
                .expression_attribute_values(":state", string(ticket.state.as_str()))
                .expression_attribute_values(":seq", string(&change.sequence))
                .expression_attribute_values(":gsi1pk", string(list_pk(&change.event_id)))
                .expression_attribute_values(":gsi1sk", string(&ticket.code));
            let organizer = (!change.organizer_id.is_empty()).then(|| change.organizer_id.clone());
            for (name, value) in [
                ("seatId", &ticket.seat_id),
                ("seat", &ticket.seat),
                // Whose webhooks hear of its check-in (ForwardDoorChangesFunction).
                ("organizerId", &organizer),
                // A transferred code keeps the name of the holder who had it.
                ("holder", &holder.filter(|_| ticket.state != TicketState::Transferred).map(str::to_owned)),
            ] {
                if let Some(value) = value {
                    names.push(name);
                    request = request.expression_attribute_values(format!(":{name}"), string(value));
                }
            }
            // A transfer's new code carries over the old one's admission, if a gate
            // let it in before the old code was voided (just above: old codes come first).
            if let Some(old) = &ticket.replaces
                && let Some(admission) = self.ticket(old).await?.and_then(|t| t.admission)
            {
                names.extend(["admittedAt", "inside"]);
                request = request
                    .expression_attribute_values(":admittedAt", string(stored(admission.admitted_at)))
                    .expression_attribute_values(":inside", AttributeValue::Bool(true));
                for (name, value) in [
                    ("admittedGate", &admission.gate),
                    ("admittedDevice", &admission.device),
                    ("admittedScan", &admission.scan_id),
                ] {
                    if let Some(value) = value {
                        names.push(name);
                        request = request.expression_attribute_values(format!(":{name}"), string(value));
                    }
                }
            }
            let set: Vec<String> = names.iter().map(|n| format!("{n} = :{}", n.trim_start_matches('#'))).collect();
            let result = request
                .update_expression(format!("SET {}", set.join(", ")))
                .condition_expression("attribute_not_exists(seq) OR seq < :seq")
                .send()
                .await
                .map_err(dynamo::sdk_failure);
            if dynamo::condition_held(result)? {
                applied += 1;
            }
        }
        Ok(applied)
    }

    async fn tickets_page(&self, event_id: &str, cursor: Option<&str>, limit: u32) -> StoreResult<TicketPage> {
        let partition = list_pk(event_id);
        let start = match cursor {
            Some(c) => Some(dynamo::decode_cursor(c, GSI, &partition, "TICKET#").ok_or(StoreError::BadCursor)?),
            None => None,
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI)
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(":pk", string(partition))
            .limit(limit as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        let tickets = out.items.unwrap_or_default().iter().map(ticket_of).collect::<Result<Vec<_>, _>>()?;
        Ok(TicketPage { tickets, next_cursor: out.last_evaluated_key.as_ref().map(dynamo::encode_cursor) })
    }

    async fn staff_grant(&self, event_id: &str, user_id: &str) -> StoreResult<Option<StaffGrant>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(event_pk(event_id), staff_sk(user_id))))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.item.as_ref().map(grant_of).transpose()?)
    }

    async fn grant(&self, grant: &StaffGrant) -> StoreResult<()> {
        let mut item = dynamo::key(event_pk(&grant.event_id), staff_sk(&grant.user_id));
        for (name, value) in [
            ("eventId", grant.event_id.clone()),
            ("userId", grant.user_id.clone()),
            ("email", grant.email.clone()),
            ("name", grant.name.clone()),
            ("grantedAt", stored(grant.granted_at)),
            ("title", grant.title.clone()),
            ("gsi1pk", grants_pk(&grant.user_id)),
            ("gsi1sk", grant.event_id.clone()),
        ] {
            item.insert(name.into(), string(value));
        }
        if let Some(starts_at) = grant.starts_at {
            item.insert("startsAt".into(), string(stored(starts_at)));
        }
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(())
    }

    async fn revoke(&self, event_id: &str, user_id: &str) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(dynamo::key(event_pk(event_id), staff_sk(user_id))))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(dynamo::sdk_failure)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn staff(&self, event_id: &str) -> StoreResult<Vec<StaffGrant>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :staff)")
            .expression_attribute_values(":pk", string(event_pk(event_id)))
            .expression_attribute_values(":staff", string("STAFF#"));
        Ok(dynamo::query_all(query).await?.iter().map(grant_of).collect::<Result<_, _>>()?)
    }

    async fn grants_of(&self, user_id: &str) -> StoreResult<Vec<StaffGrant>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI)
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(":pk", string(grants_pk(user_id)));
        Ok(dynamo::query_all(query).await?.iter().map(grant_of).collect::<Result<_, _>>()?)
    }
}
