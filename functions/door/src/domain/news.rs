//! What the door tells organizers' webhooks: a ticket's first admission is
//! `ticket.checked_in` (read from the door table's stream).

use serde::Deserialize;
use shared::messages::WebhookEvent;

/// What the consumer reads of a ticket's image.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmittedTicket {
    pub sk: String,
    #[serde(default)]
    pub event_id: String,
    #[serde(default)]
    pub organizer_id: String,
    #[serde(default)]
    pub reservation_id: String,
    #[serde(default)]
    pub tier_name: String,
    pub seat: Option<String>,
    pub admitted_at: Option<String>,
    pub admitted_gate: Option<String>,
    pub admitted_scan: Option<String>,
    pub pk: String,
}

/// The news of a first admission: `None` for anything else, and for tickets
/// stored before they carried their organizer.
pub fn checked_in_news(before: Option<&AdmittedTicket>, after: &AdmittedTicket) -> Option<WebhookEvent> {
    let first = before.is_some_and(|b| b.admitted_at.is_none());
    let at = after.admitted_at.as_deref()?.parse::<chrono::DateTime<chrono::Utc>>().ok()?;
    if after.sk != "TICKET" || !first || after.organizer_id.is_empty() {
        return None;
    }
    // The ticket's own key (its code) only inside the hash: the code opens the door.
    let id = WebhookEvent::message_id(at, &[&after.pk, "ticket.checked_in"]);
    Some(WebhookEvent {
        id,
        event_type: "ticket.checked_in".into(),
        organizer_id: after.organizer_id.clone(),
        timestamp: shared::clock::stored(at),
        data: serde_json::json!({
            "eventId": after.event_id,
            "reservationId": after.reservation_id,
            "tierName": after.tier_name,
            "seat": after.seat,
            "gate": after.admitted_gate,
            "scanId": after.admitted_scan,
            "admittedAt": shared::clock::stored(at),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(admitted_at: Option<&str>) -> AdmittedTicket {
        AdmittedTicket {
            sk: "TICKET".into(),
            pk: "TICKET#abc".into(),
            event_id: "e1".into(),
            organizer_id: "o1".into(),
            reservation_id: "r1".into(),
            tier_name: "Stands".into(),
            seat: Some("Nord, row C, seat 12".into()),
            admitted_at: admitted_at.map(str::to_owned),
            admitted_gate: Some("North".into()),
            admitted_scan: None,
        }
    }

    #[test]
    fn only_a_first_admission_is_news_and_it_never_carries_the_code() {
        let at = "2030-06-01T19:00:00.000Z";
        let news = checked_in_news(Some(&ticket(None)), &ticket(Some(at))).unwrap();
        assert_eq!(news.event_type, "ticket.checked_in");
        assert_eq!(news.organizer_id, "o1");
        assert_eq!(news.data["reservationId"], "r1");
        assert_eq!(news.data["gate"], "North");
        assert!(!news.data.to_string().contains("abc"), "the code stays out: {}", news.data);
        assert_eq!(news, checked_in_news(Some(&ticket(None)), &ticket(Some(at))).unwrap(), "the same id again");
        assert!(checked_in_news(Some(&ticket(Some(at))), &ticket(Some(at))).is_none(), "a re-entry or exit");
        assert!(checked_in_news(None, &ticket(Some(at))).is_none(), "a transfer's carried-over admission");
        assert!(checked_in_news(Some(&ticket(None)), &ticket(None)).is_none(), "not admitted");
        let anonymous = AdmittedTicket { organizer_id: String::new(), ..ticket(Some(at)) };
        assert!(checked_in_news(Some(&ticket(None)), &anonymous).is_none(), "stored before organizers were");
    }
}
