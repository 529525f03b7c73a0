//! An event's door set-up: its gates (each admitting some tiers, or all) and
//! whether holders may leave and come back.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::FieldError;

pub const MAX_GATES: usize = 100;
pub const MAX_GATE_NAME_CHARS: usize = 60;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoorRules {
    #[serde(default)]
    pub gates: Vec<Gate>,
    #[serde(default)]
    pub reentry: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gate {
    pub name: String,
    /// The tiers this gate admits; empty: all of them.
    #[serde(default)]
    pub tier_ids: Vec<String>,
}

impl DoorRules {
    /// Whether `gate` admits `tier_id`; `None` when the event names its gates and
    /// this is not one. Without named gates any gate (a label) admits every tier.
    pub fn admits(&self, gate: &str, tier_id: &str) -> Option<bool> {
        if self.gates.is_empty() {
            return Some(true);
        }
        let gate = self.gates.iter().find(|g| g.name == gate)?;
        Some(gate.tier_ids.is_empty() || gate.tier_ids.iter().any(|t| t == tier_id))
    }

    /// The set-up an organizer sent (`{"gates": [...], "reentry": bool}`), checked
    /// against the event's tiers; every problem at once.
    pub fn parse(gates: Option<&Value>, reentry: Option<&Value>, tier_ids: &[String]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let reentry = match reentry {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                errors.push(FieldError::new("reentry", "must be true or false"));
                false
            }
        };
        let mut parsed = Vec::new();
        match gates {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) if items.len() > MAX_GATES => {
                errors.push(FieldError::new("gates", format!("at most {MAX_GATES} gates")));
            }
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    match gate(item, tier_ids) {
                        Ok(g) if parsed.iter().any(|p: &Gate| p.name == g.name) => {
                            errors.push(FieldError::new(format!("gates[{i}].name"), "is used by another gate"));
                        }
                        Ok(g) => parsed.push(g),
                        Err((field, message)) => errors.push(FieldError::new(format!("gates[{i}]{field}"), message)),
                    }
                }
            }
            Some(_) => errors.push(FieldError::new("gates", "must be a list")),
        }
        if errors.is_empty() { Ok(Self { gates: parsed, reentry }) } else { Err(errors) }
    }
}

fn gate(item: &Value, tier_ids: &[String]) -> Result<Gate, (&'static str, String)> {
    let Value::Object(map) = item else { return Err(("", "must be an object with a name".into())) };
    let name = match map.get("name") {
        Some(Value::String(s)) => s.trim().to_owned(),
        _ => return Err((".name", "is required".into())),
    };
    if name.is_empty() || name.chars().count() > MAX_GATE_NAME_CHARS || name.chars().any(char::is_control) {
        return Err((".name", format!("must be 1 to {MAX_GATE_NAME_CHARS} printable characters")));
    }
    let tiers = match map.get("tierIds") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(ids)) => {
            let mut tiers = Vec::new();
            for id in ids {
                match id.as_str() {
                    Some(id) if tier_ids.iter().any(|t| t == id) => tiers.push(id.to_owned()),
                    Some(id) => return Err((".tierIds", format!("the event has no tier {id}"))),
                    None => return Err((".tierIds", "must be a list of tier ids".into())),
                }
            }
            tiers
        }
        Some(_) => return Err((".tierIds", "must be a list of tier ids".into())),
    };
    if map.keys().any(|k| k != "name" && k != "tierIds") {
        return Err(("", "has unknown fields (name and tierIds only)".into()));
    }
    Ok(Gate { name, tier_ids: tiers })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tiers() -> Vec<String> {
        vec!["north".into(), "south".into()]
    }

    #[test]
    fn gates_name_their_tiers_and_reentry_is_a_switch() {
        let gates = json!([{"name": " Nord ", "tierIds": ["north"]}, {"name": "Main"}]);
        let rules = DoorRules::parse(Some(&gates), Some(&json!(true)), &tiers()).unwrap();
        assert_eq!(rules.gates[0].name, "Nord");
        assert!(rules.reentry);
        assert_eq!(rules.admits("Nord", "north"), Some(true));
        assert_eq!(rules.admits("Nord", "south"), Some(false));
        assert_eq!(rules.admits("Main", "south"), Some(true));
        assert_eq!(rules.admits("Sud", "south"), None);
        assert_eq!(DoorRules::default().admits("anything", "south"), Some(true));
    }

    #[test]
    fn bad_set_ups_name_every_problem() {
        let gates = json!([{"name": ""}, {"name": "A", "tierIds": ["nope"]}, {"name": "B"}, {"name": "B"}, 3, {"name": "C", "x": 1}]);
        let errors = DoorRules::parse(Some(&gates), Some(&json!("yes")), &tiers()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["reentry", "gates[0].name", "gates[1].tierIds", "gates[3].name", "gates[4]", "gates[5]"],
            "{errors:?}"
        );
        let many: Vec<Value> = (0..=MAX_GATES).map(|i| json!({"name": format!("G{i}")})).collect();
        assert!(DoorRules::parse(Some(&Value::Array(many)), None, &tiers()).is_err());
        assert!(DoorRules::parse(Some(&json!("Nord")), None, &tiers()).is_err());
    }
}
