//! Resolves CloudFormation intrinsic functions to local values, the way
//! CloudFormation would resolve them at deploy time.

use anyhow::{Result, anyhow, bail};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What `Ref` and `Fn::GetAtt` give for one resource.
#[derive(Debug, Clone, Default)]
pub struct Physical {
    pub reference: String,
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Resolver {
    pub region: String,
    pub account: String,
    pub stack_name: String,
    pub parameters: BTreeMap<String, Value>,
    pub resources: BTreeMap<String, Physical>,
    pub conditions: Map<String, Value>,
    pub mappings: Map<String, Value>,
}

/// Marker for `AWS::NoValue`: the property is dropped.
fn is_no_value(v: &Value) -> bool {
    v.get("Ref").and_then(Value::as_str) == Some("AWS::NoValue")
}

impl Resolver {
    /// Resolves every intrinsic inside `value`.
    pub fn resolve(&self, value: &Value) -> Result<Value> {
        match value {
            Value::Array(items) => Ok(Value::Array(
                items.iter().filter(|v| !is_no_value(v)).map(|v| self.resolve(v)).collect::<Result<_>>()?,
            )),
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one entry");
                match key.as_str() {
                    "Ref" => {
                        self.reference(arg.as_str().ok_or_else(|| anyhow!("Ref takes a name"))?).map(Value::String)
                    }
                    "Fn::GetAtt" => self.get_att(arg).map(Value::String),
                    "Fn::Sub" => self.sub(arg).map(Value::String),
                    "Fn::Join" => self.join(arg),
                    "Fn::Select" => self.select(arg),
                    "Fn::Split" => self.split(arg),
                    "Fn::If" => self.if_(arg),
                    "Fn::FindInMap" => self.find_in_map(arg),
                    other if other.starts_with("Fn::") => bail!("{other} is not supported by the local runner"),
                    _ => self.resolve_map(map),
                }
            }
            Value::Object(map) => self.resolve_map(map),
            other => Ok(other.clone()),
        }
    }

    /// Resolves to a string, the form environment variables and names need.
    pub fn resolve_string(&self, value: &Value) -> Result<String> {
        match self.resolve(value)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => bail!("expected a string, got {other}"),
        }
    }

    fn resolve_map(&self, map: &Map<String, Value>) -> Result<Value> {
        let mut out = Map::new();
        for (k, v) in map {
            if !is_no_value(v) {
                out.insert(k.clone(), self.resolve(v)?);
            }
        }
        Ok(Value::Object(out))
    }

    fn reference(&self, name: &str) -> Result<String> {
        match name {
            "AWS::Region" => return Ok(self.region.clone()),
            "AWS::AccountId" => return Ok(self.account.clone()),
            "AWS::StackName" => return Ok(self.stack_name.clone()),
            "AWS::StackId" => {
                return Ok(format!(
                    "arn:aws:cloudformation:{}:{}:stack/{}/local",
                    self.region, self.account, self.stack_name
                ));
            }
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            _ => {}
        }
        if let Some(value) = self.parameters.get(name) {
            return match value {
                Value::String(s) => Ok(s.clone()),
                Value::Array(items) => {
                    Ok(items.iter().map(|v| v.as_str().unwrap_or_default()).collect::<Vec<_>>().join(","))
                }
                other => Ok(other.to_string()),
            };
        }
        self.resources
            .get(name)
            .map(|p| p.reference.clone())
            .ok_or_else(|| anyhow!("Ref to {name}, which is neither a parameter nor an emulated resource"))
    }

    fn attribute(&self, resource: &str, attribute: &str) -> Result<String> {
        let physical = self
            .resources
            .get(resource)
            .ok_or_else(|| anyhow!("GetAtt on {resource}, which is not an emulated resource"))?;
        physical
            .attributes
            .get(attribute)
            .cloned()
            .ok_or_else(|| anyhow!("GetAtt {resource}.{attribute}: the runner knows no such attribute"))
    }

    fn get_att(&self, arg: &Value) -> Result<String> {
        let parts: Vec<String> = match arg {
            Value::Array(items) => items.iter().map(|v| self.resolve_string(v)).collect::<Result<_>>()?,
            Value::String(s) => s.splitn(2, '.').map(str::to_owned).collect(),
            _ => bail!("Fn::GetAtt takes [resource, attribute]"),
        };
        match parts.as_slice() {
            [resource, attribute] => self.attribute(resource, attribute),
            _ => bail!("Fn::GetAtt takes [resource, attribute]"),
        }
    }

    fn sub(&self, arg: &Value) -> Result<String> {
        let (template, vars) = match arg {
            Value::String(s) => (s.as_str(), Map::new()),
            Value::Array(items) if items.len() == 2 => (
                items[0].as_str().ok_or_else(|| anyhow!("Fn::Sub takes a string"))?,
                items[1].as_object().cloned().unwrap_or_default(),
            ),
            _ => bail!("Fn::Sub takes a string or [string, variables]"),
        };
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| anyhow!("Fn::Sub: unclosed ${{ in {template:?}"))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(value) = vars.get(name) {
                out.push_str(&self.resolve_string(value)?);
            } else if let Some((resource, attribute)) = name.split_once('.') {
                out.push_str(&self.attribute(resource, attribute)?);
            } else {
                out.push_str(&self.reference(name)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn join(&self, arg: &Value) -> Result<Value> {
        let items =
            arg.as_array().filter(|a| a.len() == 2).ok_or_else(|| anyhow!("Fn::Join takes [delimiter, list]"))?;
        let delimiter = items[0].as_str().unwrap_or_default();
        let list = self.resolve(&items[1])?;
        let parts = list.as_array().ok_or_else(|| anyhow!("Fn::Join needs a list"))?;
        let strings: Vec<String> = parts.iter().map(|v| self.resolve_string(v)).collect::<Result<_>>()?;
        Ok(Value::String(strings.join(delimiter)))
    }

    fn select(&self, arg: &Value) -> Result<Value> {
        let items = arg.as_array().filter(|a| a.len() == 2).ok_or_else(|| anyhow!("Fn::Select takes [index, list]"))?;
        let index: usize = self.resolve_string(&items[0])?.parse()?;
        let list = self.resolve(&items[1])?;
        list.as_array()
            .and_then(|l| l.get(index))
            .cloned()
            .ok_or_else(|| anyhow!("Fn::Select: index {index} out of range"))
    }

    fn split(&self, arg: &Value) -> Result<Value> {
        let items =
            arg.as_array().filter(|a| a.len() == 2).ok_or_else(|| anyhow!("Fn::Split takes [delimiter, string]"))?;
        let delimiter = items[0].as_str().unwrap_or_default();
        let source = self.resolve_string(&items[1])?;
        Ok(Value::Array(source.split(delimiter).map(|s| Value::String(s.to_owned())).collect()))
    }

    fn if_(&self, arg: &Value) -> Result<Value> {
        let items =
            arg.as_array().filter(|a| a.len() == 3).ok_or_else(|| anyhow!("Fn::If takes [condition, then, else]"))?;
        let condition = items[0].as_str().ok_or_else(|| anyhow!("Fn::If names a condition"))?;
        let branch = if self.condition(condition)? { &items[1] } else { &items[2] };
        self.resolve(branch)
    }

    pub fn condition(&self, name: &str) -> Result<bool> {
        let definition = self.conditions.get(name).ok_or_else(|| anyhow!("unknown condition {name}"))?;
        self.evaluate(definition)
    }

    fn evaluate(&self, expr: &Value) -> Result<bool> {
        let map = expr.as_object().filter(|m| m.len() == 1).ok_or_else(|| anyhow!("a condition is one function"))?;
        let (key, arg) = map.iter().next().expect("one entry");
        let list = || arg.as_array().ok_or_else(|| anyhow!("{key} takes a list"));
        match key.as_str() {
            "Fn::Equals" => {
                let l = list()?;
                if l.len() != 2 {
                    bail!("Fn::Equals takes two values");
                }
                Ok(self.resolve(&l[0])? == self.resolve(&l[1])?)
            }
            "Fn::Not" => Ok(!self.evaluate(list()?.first().ok_or_else(|| anyhow!("Fn::Not takes one condition"))?)?),
            "Fn::And" => list()?.iter().try_fold(true, |acc, c| Ok(acc && self.evaluate(c)?)),
            "Fn::Or" => list()?.iter().try_fold(false, |acc, c| Ok(acc || self.evaluate(c)?)),
            "Condition" => self.condition(arg.as_str().ok_or_else(|| anyhow!("Condition takes a name"))?),
            other => bail!("{other} is not a condition function"),
        }
    }

    fn find_in_map(&self, arg: &Value) -> Result<Value> {
        let items = arg.as_array().filter(|a| a.len() == 3).ok_or_else(|| anyhow!("Fn::FindInMap takes three keys"))?;
        let keys: Vec<String> = items.iter().map(|v| self.resolve_string(v)).collect::<Result<_>>()?;
        self.mappings
            .get(&keys[0])
            .and_then(|m| m.get(&keys[1]))
            .and_then(|m| m.get(&keys[2]))
            .cloned()
            .ok_or_else(|| anyhow!("Fn::FindInMap: no {}/{}/{}", keys[0], keys[1], keys[2]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolver() -> Resolver {
        let mut resources = BTreeMap::new();
        resources.insert(
            "Queue".to_owned(),
            Physical {
                reference: "http://moto/123456789012/local-Queue".into(),
                attributes: [("Arn".to_owned(), "arn:aws:sqs:us-east-1:123456789012:local-Queue".to_owned())].into(),
            },
        );
        Resolver {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            stack_name: "local".into(),
            parameters: [("Stage".to_owned(), json!("dev"))].into(),
            resources,
            conditions: json!({"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}).as_object().unwrap().clone(),
            mappings: json!({"Sizes": {"dev": {"Memory": 128}}}).as_object().unwrap().clone(),
        }
    }

    #[test]
    fn ref_and_getatt() {
        let r = resolver();
        assert_eq!(r.resolve(&json!({"Ref": "Queue"})).unwrap(), json!("http://moto/123456789012/local-Queue"));
        assert_eq!(r.resolve(&json!({"Ref": "Stage"})).unwrap(), json!("dev"));
        assert_eq!(
            r.resolve(&json!({"Fn::GetAtt": ["Queue", "Arn"]})).unwrap(),
            json!("arn:aws:sqs:us-east-1:123456789012:local-Queue")
        );
        assert!(r.resolve(&json!({"Ref": "Nothing"})).is_err());
    }

    #[test]
    fn sub_join_select_split() {
        let r = resolver();
        assert_eq!(
            r.resolve(&json!({"Fn::Sub": "${AWS::StackName}-${Stage}-${Queue.Arn}-${!Literal}"})).unwrap(),
            json!("local-dev-arn:aws:sqs:us-east-1:123456789012:local-Queue-${Literal}")
        );
        assert_eq!(r.resolve(&json!({"Fn::Sub": ["${X}/y", {"X": {"Ref": "Stage"}}]})).unwrap(), json!("dev/y"));
        assert_eq!(r.resolve(&json!({"Fn::Join": [",", ["a", {"Ref": "Stage"}]]})).unwrap(), json!("a,dev"));
        assert_eq!(r.resolve(&json!({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]})).unwrap(), json!("b"));
    }

    #[test]
    fn conditions_and_mappings() {
        let r = resolver();
        assert_eq!(r.resolve(&json!({"Fn::If": ["IsProd", 1, 2]})).unwrap(), json!(2));
        assert_eq!(r.resolve(&json!({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]})).unwrap(), json!(128));
        assert_eq!(
            r.resolve(&json!({"A": {"Ref": "AWS::NoValue"}, "B": 1})).unwrap(),
            json!({"B": 1}),
            "AWS::NoValue drops the property"
        );
    }

    #[test]
    fn unsupported_functions_are_errors_not_panics() {
        assert!(resolver().resolve(&json!({"Fn::ImportValue": "x"})).is_err());
    }
}
