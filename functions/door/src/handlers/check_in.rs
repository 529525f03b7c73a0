//! POST /events/{id}/check-ins: a scan at a gate, now. `{"code", "gate"?, "device"?,
//! "scanId"?, "direction"?: "in" | "out"}` → 200 admitted, or why not.

use super::{Access, Door, bare_code, event_id, passed, refusal_response};
use crate::domain::admission::{Direction, Scan};
use crate::store::DoorStore;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::body::{Fields, json_object};
use shared::{ApiError, Clock, caller, json_response};

/// Labels (gate, device, scan id) are short: a gate's name, a phone's, a UUID.
pub const MAX_LABEL_CHARS: usize = 100;

pub async fn handle<S: DoorStore>(
    door: &Door<S>,
    clock: &impl Clock,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let caller = caller(request)?;
    let event_id = event_id(request)?;
    let mut fields = Fields::new(json_object(request)?);
    let code = fields.required_str("code");
    let gate = label(&mut fields, "gate");
    let device = label(&mut fields, "device");
    let scan_id = label(&mut fields, "scanId");
    let direction = match fields.optional_str("direction").as_deref() {
        None | Some("in") => Some(Direction::In),
        Some("out") => Some(Direction::Out),
        Some(_) => {
            fields.error("direction", "must be \"in\" or \"out\"");
            None
        }
    };
    let (code, direction) = fields.finish_with(|| Some((code?, direction?)))?;
    door.authorize(&caller, &event_id, Access::Door).await?;
    let code = match bare_code(&door.keys, &code, &event_id) {
        Ok(code) => code,
        Err(refusal) => return Ok(refusal_response(&refusal)),
    };
    let scan = Scan { code, event_id: event_id.clone(), gate, device, scan_id, at: clock.now(), direction };
    let rules = door.store.rules(&event_id).await?;
    let outcome = door.scan(&scan, &rules).await?;
    match passed(&outcome, &scan) {
        Ok(answer) => {
            tracing::info!(%event_id, result = answer.result, gate = ?scan.gate, "scan passed");
            Ok(json_response(StatusCode::OK, &answer))
        }
        Err(refusal) => {
            tracing::info!(%event_id, code = refusal.code(), gate = ?scan.gate, "scan refused");
            Ok(refusal_response(&refusal))
        }
    }
}

/// An optional short label; blank counts as absent.
pub fn label(fields: &mut Fields, name: &str) -> Option<String> {
    let value = fields.optional_str(name)?;
    let value = value.trim();
    if value.chars().count() > MAX_LABEL_CHARS || value.chars().any(char::is_control) {
        fields.error(name, format!("must be at most {MAX_LABEL_CHARS} printable characters"));
        return None;
    }
    (!value.is_empty()).then(|| value.to_owned())
}
