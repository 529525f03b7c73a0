//! Confirmed ticket holders of an event, read from the reservations table.
//!
//! Contract with the reservations domain: a confirmed reservation item carries
//! `gsi1pk = EVENT#<eventId>` and `gsi1sk = CONFIRMED#<confirmedAt>#<reservationId>`,
//! with `reservationId`, `tierId`, `tierName`, `quantity`, `holderName`,
//! `confirmedAt` and, on a seated tier, `seats` (`[{id, name}]`);
//! [`listing_attributes`] builds exactly those, and the reservations domain adds
//! them to its item when it confirms.

use super::{StoreError, StoreResult};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use shared::dynamo::{Failure, Item};
use std::future::Future;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub reservation_id: String,
    pub tier_id: String,
    pub tier_name: String,
    pub quantity: u32,
    pub holder_name: String,
    pub confirmed_at: String,
    /// The seats, on a seated tier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<ParticipantSeat>,
}

/// A participant's seat: its id on the map and its name ("Nord, row C, seat 12").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ParticipantSeat {
    pub id: String,
    pub name: String,
}

const CONFIRMED: &str = "CONFIRMED#";

fn partition(event_id: &str) -> String {
    format!("EVENT#{event_id}")
}

/// The attributes that put a confirmed reservation in its event's participant list.
pub fn listing_attributes(event_id: &str, participant: &Participant) -> Result<Item, Failure> {
    let mut item: Item = serde_dynamo::to_item(participant).map_err(shared::dynamo::failure)?;
    item.insert("gsi1pk".into(), AttributeValue::S(partition(event_id)));
    item.insert(
        "gsi1sk".into(),
        AttributeValue::S(format!("{CONFIRMED}{}#{}", participant.confirmed_at, participant.reservation_id)),
    );
    Ok(item)
}

/// The index position just before every confirmation made at or after `confirmed_at`
/// (stored text, `shared::clock::stored`): keys of earlier confirmations sort before it.
pub fn position_before(confirmed_at: &str) -> String {
    format!("{CONFIRMED}{confirmed_at}")
}

pub struct ParticipantPage {
    pub participants: Vec<Participant>,
    pub next_cursor: Option<String>,
}

pub trait ParticipantSource: Send + Sync {
    fn participants(
        &self,
        event_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> impl Future<Output = StoreResult<ParticipantPage>> + Send;
}

pub struct DynamoParticipants {
    client: Client,
    table: String,
}

impl DynamoParticipants {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }
}

impl ParticipantSource for DynamoParticipants {
    async fn participants(&self, event_id: &str, limit: i32, cursor: Option<&str>) -> StoreResult<ParticipantPage> {
        let partition = partition(event_id);
        let start = cursor
            .map(|c| shared::dynamo::decode_cursor(c, "gsi1", &partition, "").ok_or(StoreError::BadCursor))
            .transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :pk AND begins_with(gsi1sk, :confirmed)")
            .expression_attribute_values(":pk", AttributeValue::S(partition))
            .expression_attribute_values(":confirmed", AttributeValue::S(CONFIRMED.into()))
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(shared::dynamo::sdk_failure)?;
        let participants = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).map_err(|e| shared::dynamo::failure(e).into()))
            .collect::<StoreResult<Vec<Participant>>>()?;
        let next_cursor = out.last_evaluated_key.as_ref().map(shared::dynamo::encode_cursor);
        Ok(ParticipantPage { participants, next_cursor })
    }
}

/// RFC 4180 CSV of participants, for organizers' spreadsheets.
pub fn to_csv(participants: &[Participant]) -> String {
    fn field(value: &str) -> String {
        // Quote always; double inner quotes; neutralise formula injection in spreadsheets.
        let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
        format!("\"{}\"", value.replace('"', "\"\""))
    }
    let mut csv = String::from("reservationId,tierId,tierName,quantity,holderName,confirmedAt,seats\r\n");
    for p in participants {
        csv.push_str(
            &[
                field(&p.reservation_id),
                field(&p.tier_id),
                field(&p.tier_name),
                p.quantity.to_string(),
                field(&p.holder_name),
                field(&p.confirmed_at),
                field(&p.seats.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("; ")),
            ]
            .join(","),
        );
        csv.push_str("\r\n");
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let p = Participant {
            reservation_id: "r1".into(),
            tier_id: "t1".into(),
            tier_name: "VIP \"gold\"".into(),
            quantity: 2,
            holder_name: "=HYPERLINK(\"x\")".into(),
            confirmed_at: "2030-01-01T00:00:00Z".into(),
            seats: vec![],
        };
        let seated = Participant {
            seats: vec![
                ParticipantSeat { id: "1-3-11".into(), name: "Nord, row C, seat 11".into() },
                ParticipantSeat { id: "1-3-12".into(), name: "Nord, row C, seat 12".into() },
            ],
            ..p.clone()
        };
        let csv = to_csv(&[p, seated]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "reservationId,tierId,tierName,quantity,holderName,confirmedAt,seats");
        assert_eq!(
            lines[1],
            "\"r1\",\"t1\",\"VIP \"\"gold\"\"\",2,\"'=HYPERLINK(\"\"x\"\")\",\"2030-01-01T00:00:00Z\",\"\""
        );
        assert!(lines[2].ends_with(",\"Nord, row C, seat 11; Nord, row C, seat 12\""), "{}", lines[2]);
        assert_eq!(to_csv(&[]).lines().count(), 1, "an empty listing is just the header");
    }
}
