//! POST /events/{id}/check-ins/batch: scans an offline scanner made, uploaded when
//! it is back online. `{"scans": [{"code", "scannedAt", "scanId", "gate"?, "device"?}]}`
//! → an answer per scan: admitted, duplicate (with the first admission) or refused
//! (with why). Uploading the same batch again answers the same and changes
//! nothing: a ticket admitted by scan `a1` answers `admitted` to `a1` for ever.

use super::{Access, Door, TicketFace, bare_code, event_id, passed};
use crate::domain::admission::{Admission, Direction, Refusal, Scan};
use crate::store::DoorStore;
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde_json::Value;
use shared::body::json_object_up_to;
use shared::{ApiError, Clock, FieldError, caller, json_response};
use std::collections::BTreeMap;

pub const MAX_SCANS: usize = 500;
const MAX_BODY_BYTES: usize = 512 * 1024;
/// Scans of different tickets carried out at once.
const CONCURRENCY: usize = 8;
/// A scanner's clock may run a little ahead; a scan from further in the future is refused.
const CLOCK_SKEW_MINUTES: i64 = 10;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    pub scan_id: String,
    pub result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<TicketFace>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admission: Option<Admission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ScanResult {
    fn refused(scan_id: &str, refusal: &Refusal) -> Self {
        let (result, admission) = match refusal {
            Refusal::AlreadyAdmitted(first) => ("duplicate", Some(first.clone())),
            _ => ("refused", None),
        };
        Self {
            scan_id: scan_id.to_owned(),
            result,
            ticket: None,
            admission,
            code: Some(refusal.code()),
            message: Some(refusal.message()),
        }
    }
}

/// One uploaded scan as sent, or why it cannot be read.
fn parse_scan(
    value: &Value,
    index: usize,
    now: DateTime<Utc>,
) -> Result<(String, String, DateTime<Utc>, Option<String>, Option<String>), FieldError> {
    let field = |name: &str| format!("scans[{index}].{name}");
    let Value::Object(map) = value else { return Err(FieldError::new(format!("scans[{index}]"), "must be an object")) };
    if let Some(unknown) = map.keys().find(|k| !["code", "scannedAt", "scanId", "gate", "device"].contains(&k.as_str()))
    {
        return Err(FieldError::new(field(unknown), "is not a known field"));
    }
    let text = |name: &str, required: bool| -> Result<Option<String>, FieldError> {
        match map.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                let s = s.trim();
                let limit = if name == "code" { 1024 } else { super::check_in::MAX_LABEL_CHARS };
                if s.chars().count() > limit || s.chars().any(char::is_control) {
                    return Err(FieldError::new(field(name), format!("must be at most {limit} printable characters")));
                }
                Ok(Some(s.to_owned()))
            }
            None | Some(Value::Null) if !required => Ok(None),
            None | Some(Value::Null) => Err(FieldError::new(field(name), "is required")),
            Some(Value::String(_)) => Err(FieldError::new(field(name), "must not be blank")),
            Some(_) => Err(FieldError::new(field(name), "must be a string")),
        }
    };
    let scan_id = text("scanId", true)?.expect("required");
    let code = text("code", true)?.expect("required");
    let scanned_at = text("scannedAt", true)?.expect("required");
    let scanned_at = DateTime::parse_from_rfc3339(&scanned_at)
        .map_err(|_| FieldError::new(field("scannedAt"), "must be an RFC 3339 time"))?
        .with_timezone(&Utc);
    if scanned_at > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(FieldError::new(field("scannedAt"), "is in the future: check the scanner's clock"));
    }
    Ok((scan_id, code, scanned_at, text("gate", false)?, text("device", false)?))
}

pub async fn handle<S: DoorStore>(
    door: &Door<S>,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let mut body = json_object_up_to(request, MAX_BODY_BYTES)?;
    let scans = match body.remove("scans") {
        Some(Value::Array(scans)) if (1..=MAX_SCANS).contains(&scans.len()) => scans,
        Some(Value::Array(_)) => {
            return Err(ApiError::validation(vec![FieldError::new(
                "scans",
                format!("must hold 1 to {MAX_SCANS} scans"),
            )]));
        }
        _ => return Err(ApiError::validation(vec![FieldError::new("scans", "is required: a list of scans")])),
    };
    if let Some(unknown) = body.keys().next() {
        return Err(ApiError::validation(vec![FieldError::new(unknown.clone(), "is not a known field")]));
    }
    let now = clock.now();
    let mut parsed = Vec::with_capacity(scans.len());
    let mut errors = Vec::new();
    for (i, value) in scans.iter().enumerate() {
        match parse_scan(value, i, now) {
            Ok(scan) => parsed.push(scan),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut ids: Vec<&String> = parsed.iter().map(|p| &p.0).collect();
    ids.sort();
    ids.dedup();
    if ids.len() != parsed.len() {
        return Err(ApiError::validation(vec![FieldError::new("scans", "each scanId must be unique in a batch")]));
    }
    door.authorize(&caller, &event_id, Access::Door).await?;
    let rules = door.store.rules(&event_id).await?;

    // Scans of one ticket run in the order they were made, so the earliest admits
    // it and a replay decides the same; different tickets run side by side.
    let mut results: BTreeMap<usize, ScanResult> = BTreeMap::new();
    let mut by_code: BTreeMap<String, Vec<(usize, Scan)>> = BTreeMap::new();
    for (i, (scan_id, code, at, gate, device)) in parsed.into_iter().enumerate() {
        match bare_code(&door.keys, &code, &event_id) {
            Err(refusal) => {
                results.insert(i, ScanResult::refused(&scan_id, &refusal));
            }
            Ok(code) => {
                let scan = Scan {
                    code: code.clone(),
                    event_id: event_id.clone(),
                    gate,
                    device,
                    scan_id: Some(scan_id),
                    at,
                    direction: Direction::In,
                };
                by_code.entry(code).or_default().push((i, scan));
            }
        }
    }
    let rules = &rules;
    let answered: Vec<Result<Vec<(usize, ScanResult)>, ApiError>> = futures::stream::iter(by_code.into_values())
        .map(|mut scans| async move {
            scans.sort_by_key(|(i, scan)| (scan.at, *i));
            let mut answers = Vec::with_capacity(scans.len());
            for (i, scan) in scans {
                let outcome = door.scan(&scan, rules).await?;
                let scan_id = scan.scan_id.clone().unwrap_or_default();
                let answer = match passed(&outcome, &scan) {
                    Ok(passed) => ScanResult {
                        scan_id,
                        result: "admitted",
                        ticket: Some(passed.ticket),
                        admission: Some(passed.admission),
                        code: None,
                        message: None,
                    },
                    Err(refusal) => ScanResult::refused(&scan_id, &refusal),
                };
                answers.push((i, answer));
            }
            Ok(answers)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for answers in answered {
        results.extend(answers?);
    }
    let admitted = results.values().filter(|r| r.result == "admitted").count();
    tracing::info!(%event_id, scans = results.len(), admitted, "offline scans uploaded");
    let results: Vec<ScanResult> = results.into_values().collect();
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "results": results })))
}
