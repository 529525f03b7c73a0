//! What a scan at the door decides. The store writes the decision with a condition
//! that only holds in the state it was decided from, so when two gates scan one
//! ticket at the same instant one write wins and the other is decided again from
//! the winner's state: a ticket is admitted once.

use super::rules::DoorRules;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::messages::TicketState;

/// A ticket as the door knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub code: String,
    pub event_id: String,
    pub reservation_id: String,
    pub tier_id: String,
    pub tier_name: String,
    pub seat_id: Option<String>,
    pub seat: Option<String>,
    pub holder: Option<String>,
    pub state: TicketState,
    /// The first admission, kept for ever.
    pub admission: Option<Admission>,
    /// With re-entry: whether the holder is inside now.
    pub inside: bool,
}

/// When, where and by which scan a ticket was first admitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Admission {
    pub admitted_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

/// One scan: at a gate now, or uploaded later from an offline scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The bare code (a signed one is verified and unwrapped before this).
    pub code: String,
    pub event_id: String,
    pub gate: Option<String>,
    pub device: Option<String>,
    pub scan_id: Option<String>,
    /// When the holder was at the gate.
    pub at: DateTime<Utc>,
    pub direction: Direction,
}

/// Why a ticket does not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownTicket,
    WrongEvent,
    Void(TicketState),
    WrongGate {
        gate: String,
    },
    UnknownGate {
        gate: String,
    },
    AlreadyAdmitted(Admission),
    NotInside,
    ReentryNotAllowed,
    /// A signed code whose signature is not ours.
    Forged,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownTicket => "unknown_ticket",
            Refusal::WrongEvent => "wrong_event",
            Refusal::Void(TicketState::Refunded) => "ticket_refunded",
            Refusal::Void(TicketState::Disputed) => "ticket_disputed",
            Refusal::Void(TicketState::Transferred) => "ticket_transferred",
            Refusal::Void(_) => "ticket_cancelled",
            Refusal::WrongGate { .. } => "wrong_gate",
            Refusal::UnknownGate { .. } => "unknown_gate",
            Refusal::AlreadyAdmitted(_) => "already_admitted",
            Refusal::NotInside => "not_inside",
            Refusal::ReentryNotAllowed => "reentry_not_allowed",
            Refusal::Forged => "forged_code",
        }
    }

    /// In words, for the person at the gate.
    pub fn message(&self) -> String {
        match self {
            Refusal::UnknownTicket => "no such ticket".into(),
            Refusal::WrongEvent => "this ticket is for another event".into(),
            Refusal::Void(TicketState::Refunded) => "this ticket was refunded".into(),
            Refusal::Void(TicketState::Disputed) => "this ticket's payment is disputed".into(),
            Refusal::Void(TicketState::Transferred) => {
                "this ticket was transferred: its new holder has a new code".into()
            }
            Refusal::Void(_) => "this ticket was cancelled".into(),
            Refusal::WrongGate { gate } => format!("this ticket's tier is not admitted at {gate}"),
            Refusal::UnknownGate { gate } => format!("this event has no gate named {gate}"),
            Refusal::AlreadyAdmitted(a) => format!(
                "already admitted at {}{}",
                a.admitted_at.format("%Y-%m-%d %H:%M:%S UTC"),
                a.gate.as_deref().map(|g| format!(" at {g}")).unwrap_or_default()
            ),
            Refusal::NotInside => "this ticket is not inside".into(),
            Refusal::ReentryNotAllowed => "this event does not allow leaving and coming back".into(),
            Refusal::Forged => "this code's signature is not ours: a forged ticket".into(),
        }
    }
}

/// What to write for a scan, and what the answer then is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The first entry: record the admission.
    Admit(Admission),
    /// Back in after an exit (re-entry events).
    Readmit,
    /// Out, to come back later (re-entry events).
    Exit,
    /// This very scan admitted it already (a retried request, a batch uploaded twice):
    /// nothing to write, the answer is "admitted" again.
    AdmittedByThisScan,
    Refuse(Refusal),
}

/// The decision for `scan` of `ticket` (`None`: the door does not know the code).
pub fn decide(ticket: Option<&Ticket>, scan: &Scan, rules: &DoorRules) -> Verdict {
    let Some(ticket) = ticket else { return Verdict::Refuse(Refusal::UnknownTicket) };
    if ticket.event_id != scan.event_id {
        return Verdict::Refuse(Refusal::WrongEvent);
    }
    if let (Some(first), Some(scan_id)) = (&ticket.admission, &scan.scan_id)
        && first.scan_id.as_ref() == Some(scan_id)
    {
        return Verdict::AdmittedByThisScan;
    }
    if ticket.state != TicketState::Valid {
        return Verdict::Refuse(Refusal::Void(ticket.state));
    }
    if let Some(gate) = &scan.gate {
        match rules.admits(gate, &ticket.tier_id) {
            Some(true) => {}
            Some(false) => return Verdict::Refuse(Refusal::WrongGate { gate: gate.clone() }),
            None => return Verdict::Refuse(Refusal::UnknownGate { gate: gate.clone() }),
        }
    }
    match (scan.direction, &ticket.admission) {
        (Direction::Out, _) if !rules.reentry => Verdict::Refuse(Refusal::ReentryNotAllowed),
        (Direction::Out, Some(_)) if ticket.inside => Verdict::Exit,
        (Direction::Out, _) => Verdict::Refuse(Refusal::NotInside),
        (Direction::In, None) => Verdict::Admit(Admission {
            admitted_at: scan.at,
            gate: scan.gate.clone(),
            device: scan.device.clone(),
            scan_id: scan.scan_id.clone(),
        }),
        (Direction::In, Some(_)) if rules.reentry && !ticket.inside => Verdict::Readmit,
        (Direction::In, Some(first)) => Verdict::Refuse(Refusal::AlreadyAdmitted(first.clone())),
    }
}

/// The counter shard an admission of `code` counts in: spread so that admissions at
/// 60 gates rarely write the same counter item at the same instant.
pub fn counter_shard(code: &str, shards: u32) -> u32 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(code.as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % shards.max(1)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::rules::Gate;
    use chrono::TimeZone;

    pub fn ticket() -> Ticket {
        Ticket {
            code: "CODE".into(),
            event_id: "ev".into(),
            reservation_id: "r".into(),
            tier_id: "north".into(),
            tier_name: "Tribune Nord".into(),
            seat_id: None,
            seat: None,
            holder: Some("Ada".into()),
            state: TicketState::Valid,
            admission: None,
            inside: false,
        }
    }

    fn scan(direction: Direction, scan_id: &str, gate: Option<&str>) -> Scan {
        Scan {
            code: "CODE".into(),
            event_id: "ev".into(),
            gate: gate.map(Into::into),
            device: Some("phone-1".into()),
            scan_id: Some(scan_id.into()),
            at: Utc.with_ymd_and_hms(2026, 12, 20, 18, 1, 2).unwrap(),
            direction,
        }
    }

    fn admitted(by: &str) -> Ticket {
        let admission = Admission {
            admitted_at: Utc.with_ymd_and_hms(2026, 12, 20, 18, 0, 0).unwrap(),
            gate: Some("Nord".into()),
            device: Some("phone-9".into()),
            scan_id: Some(by.into()),
        };
        Ticket { admission: Some(admission), inside: true, ..ticket() }
    }

    fn gates() -> DoorRules {
        DoorRules {
            gates: vec![
                Gate { name: "Nord".into(), tier_ids: vec!["north".into()] },
                Gate { name: "Main".into(), tier_ids: vec![] },
            ],
            reentry: false,
        }
    }

    #[test]
    fn a_valid_ticket_is_admitted_once_and_the_second_scan_says_when_and_where() {
        let rules = DoorRules::default();
        let Verdict::Admit(admission) = decide(Some(&ticket()), &scan(Direction::In, "s1", Some("Nord")), &rules)
        else {
            panic!("admitted")
        };
        assert_eq!(admission.gate.as_deref(), Some("Nord"));
        assert_eq!(admission.scan_id.as_deref(), Some("s1"));
        let again = decide(Some(&admitted("s1")), &scan(Direction::In, "s2", None), &rules);
        let Verdict::Refuse(refusal @ Refusal::AlreadyAdmitted(_)) = again else { panic!("{again:?}") };
        assert_eq!(refusal.code(), "already_admitted");
        assert!(refusal.message().contains("18:00:00") && refusal.message().contains("Nord"), "{}", refusal.message());
    }

    #[test]
    fn the_same_scan_again_is_admitted_again_not_a_duplicate() {
        let verdict = decide(Some(&admitted("s1")), &scan(Direction::In, "s1", None), &DoorRules::default());
        assert_eq!(verdict, Verdict::AdmittedByThisScan);
    }

    #[test]
    fn unknown_foreign_and_void_tickets_are_refused_each_with_its_code() {
        let rules = DoorRules::default();
        let in_scan = scan(Direction::In, "s1", None);
        assert_eq!(decide(None, &in_scan, &rules), Verdict::Refuse(Refusal::UnknownTicket));
        let foreign = Ticket { event_id: "other".into(), ..ticket() };
        assert_eq!(decide(Some(&foreign), &in_scan, &rules), Verdict::Refuse(Refusal::WrongEvent));
        for (state, code) in [
            (TicketState::Cancelled, "ticket_cancelled"),
            (TicketState::Refunded, "ticket_refunded"),
            (TicketState::Disputed, "ticket_disputed"),
            (TicketState::Transferred, "ticket_transferred"),
        ] {
            let void = Ticket { state, ..ticket() };
            let Verdict::Refuse(refusal) = decide(Some(&void), &in_scan, &rules) else { panic!("refused") };
            assert_eq!(refusal.code(), code);
        }
    }

    #[test]
    fn a_gate_admits_only_its_tiers_and_an_unknown_gate_is_named() {
        let rules = gates();
        let south = Ticket { tier_id: "south".into(), ..ticket() };
        assert!(matches!(decide(Some(&ticket()), &scan(Direction::In, "a", Some("Nord")), &rules), Verdict::Admit(_)));
        assert_eq!(
            decide(Some(&south), &scan(Direction::In, "b", Some("Nord")), &rules),
            Verdict::Refuse(Refusal::WrongGate { gate: "Nord".into() })
        );
        assert!(matches!(decide(Some(&south), &scan(Direction::In, "c", Some("Main")), &rules), Verdict::Admit(_)));
        assert_eq!(
            decide(Some(&south), &scan(Direction::In, "d", Some("Sud")), &rules),
            Verdict::Refuse(Refusal::UnknownGate { gate: "Sud".into() })
        );
    }

    #[test]
    fn with_reentry_a_holder_goes_out_and_back_in_but_never_in_twice() {
        let rules = DoorRules { reentry: true, ..DoorRules::default() };
        let inside = admitted("s1");
        assert_eq!(decide(Some(&inside), &scan(Direction::Out, "s2", None), &rules), Verdict::Exit);
        assert!(matches!(
            decide(Some(&inside), &scan(Direction::In, "s3", None), &rules),
            Verdict::Refuse(Refusal::AlreadyAdmitted(_))
        ));
        let outside = Ticket { inside: false, ..inside };
        assert_eq!(decide(Some(&outside), &scan(Direction::In, "s4", None), &rules), Verdict::Readmit);
        assert_eq!(
            decide(Some(&outside), &scan(Direction::Out, "s5", None), &rules),
            Verdict::Refuse(Refusal::NotInside)
        );
        assert_eq!(
            decide(Some(&ticket()), &scan(Direction::Out, "s6", None), &rules),
            Verdict::Refuse(Refusal::NotInside)
        );
        assert_eq!(
            decide(Some(&admitted("s1")), &scan(Direction::Out, "s7", None), &DoorRules::default()),
            Verdict::Refuse(Refusal::ReentryNotAllowed)
        );
    }

    #[test]
    fn counter_shards_spread_codes() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..200 {
            let shard = counter_shard(&format!("code-{i}"), 16);
            assert!(shard < 16);
            seen.insert(shard);
        }
        assert_eq!(seen.len(), 16);
        assert_eq!(counter_shard("x", 16), counter_shard("x", 16));
    }
}
