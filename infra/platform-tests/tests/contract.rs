//! openapi.yaml is the HTTP API's contract; template.yaml is what is deployed. They
//! cannot drift: every `HttpApi` route of the template is an operation of the
//! document and the other way round, each operation is named, public routes
//! (`Auth: {Authorizer: NONE}`) say `security: []` and the others require
//! `bearerAuth`, and every `$ref` points at something that exists. No server needed.

use local_runner::template::{EventSource, Template};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// (METHOD, path) → (function logical id, public?) for every HttpApi event of the template.
fn template_routes() -> BTreeMap<(String, String), (String, bool)> {
    let template = Template::load(&platform_tests::workspace_root().join("template.yaml")).unwrap();
    let mut routes = BTreeMap::new();
    for resource in template.of_kind("AWS::Serverless::Function") {
        let function = resource.function(&mut Vec::new()).unwrap();
        for event in &function.events {
            let EventSource::HttpApi(route) = event else { continue };
            let (Some(method), Some(path)) = (&route.method, &route.path) else {
                panic!(
                    "{}: an HttpApi event without Method and Path ($default) has no place in the contract",
                    resource.logical_id
                );
            };
            let public = route.authorizer.as_deref() == Some("NONE");
            let previous =
                routes.insert((method.to_ascii_uppercase(), path.clone()), (resource.logical_id.clone(), public));
            assert!(previous.is_none(), "{method} {path} is routed twice in template.yaml");
        }
    }
    routes
}

fn document() -> Value {
    let text = std::fs::read_to_string(platform_tests::workspace_root().join("openapi.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).expect("openapi.yaml is YAML")
}

/// (METHOD, path) → operation object for every operation of the document.
fn operations(doc: &Value) -> BTreeMap<(String, String), Value> {
    let mut operations = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (key, operation) in item.as_object().expect("a path item is a mapping") {
            if METHODS.contains(&key.as_str()) {
                operations.insert((key.to_ascii_uppercase(), path.clone()), operation.clone());
            }
        }
    }
    operations
}

#[test]
fn the_document_is_openapi_3_1_with_the_parts_clients_rely_on() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string(), "info.title and info.version");
    let bearer = &doc["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!((bearer["type"].as_str(), bearer["scheme"].as_str()), (Some("http"), Some("bearer")));
    for schema in ["Error", "FieldError", "Profile", "TokenPair", "PublicEvent", "OrganizerEvent", "Reservation"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "components.schemas.{schema}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for key in item.as_object().unwrap().keys() {
            assert!(
                METHODS.contains(&key.as_str()) || ["parameters", "summary", "description"].contains(&key.as_str()),
                "{path}: unexpected key {key}"
            );
        }
    }
}

#[test]
fn every_route_of_the_template_is_documented_and_nothing_else() {
    let routes: BTreeSet<(String, String)> = template_routes().into_keys().collect();
    let documented: BTreeSet<(String, String)> = operations(&document()).into_keys().collect();
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "routes missing from openapi.yaml: {undocumented:?}; operations template.yaml does not route: {unrouted:?}"
    );
}

#[test]
fn operations_are_named_after_their_function_and_secured_like_their_route() {
    let doc = document();
    let operations = operations(&doc);
    let mut ids = BTreeSet::new();
    let mut problems = Vec::new();
    for ((method, path), (function, public)) in template_routes() {
        let key = (method.clone(), path.clone());
        let Some(operation) = operations.get(&key) else { continue };
        let expected_id = function.strip_suffix("Function").unwrap_or(&function);
        match operation["operationId"].as_str() {
            Some(id) => {
                if !ids.insert(id.to_owned()) {
                    problems.push(format!("{method} {path}: operationId {id} is used twice"));
                }
                if id != expected_id {
                    problems.push(format!("{method} {path}: operationId {id}, expected {expected_id}"));
                }
            }
            None => problems.push(format!("{method} {path}: no operationId")),
        }
        if operation["summary"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{method} {path}: no summary"));
        }
        if operation["tags"].as_array().is_none_or(Vec::is_empty) {
            problems.push(format!("{method} {path}: no tags"));
        }
        let security = operation.get("security").or_else(|| doc.get("security"));
        let is_public = security.and_then(Value::as_array).is_some_and(Vec::is_empty);
        let is_bearer = security.and_then(Value::as_array).is_some_and(|requirements| {
            requirements.len() == 1
                && requirements[0].as_object().is_some_and(|r| r.len() == 1 && r.contains_key("bearerAuth"))
        });
        if public && !is_public {
            problems.push(format!("{method} {path}: public in template.yaml, so `security: []` (got {security:?})"));
        }
        if !public && !is_bearer {
            problems.push(format!(
                "{method} {path}: behind the authorizer, so `security: [bearerAuth: []]` (got {security:?})"
            ));
        }
        let responses = operation["responses"].as_object();
        if responses.is_none_or(|r| !r.keys().any(|status| status.starts_with('2'))) {
            problems.push(format!("{method} {path}: no success response"));
        }
        if !public {
            for status in ["401", "403"] {
                if responses.is_none_or(|r| !r.contains_key(status)) {
                    problems.push(format!("{method} {path}: a protected route answers {status} from the gateway"));
                }
            }
        }
        // Path parameters: each `{name}` of the path is declared, and nothing else is.
        let mut declared = BTreeSet::new();
        let item = &doc["paths"][path.as_str()];
        for parameter in item["parameters"].as_array().into_iter().chain(operation["parameters"].as_array()).flatten() {
            let parameter = resolve(&doc, parameter);
            if parameter["in"] == "path" {
                declared.insert(parameter["name"].as_str().unwrap_or_default().to_owned());
            }
        }
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        if declared != in_path {
            problems.push(format!("{method} {path}: path parameters {declared:?}, the path has {in_path:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A `$ref` target (`#/a/b`), JSON-pointer unescaped; panics when it does not exist.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => pointer(doc, reference).unwrap_or_else(|| panic!("{reference} does not resolve")),
        None => value,
    }
}

fn pointer<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let local = reference.strip_prefix('#')?;
    doc.pointer(local)
}

fn collect_refs(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                if key == "$ref" {
                    if let Value::String(target) = child {
                        found.push((at.to_owned(), target.clone()));
                    }
                } else {
                    collect_refs(child, &here, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_resolves_and_every_component_is_used() {
    let doc = document();
    let mut refs = Vec::new();
    collect_refs(&doc, "#", &mut refs);
    assert!(!refs.is_empty(), "the document shares its schemas through $ref");
    let broken: Vec<String> = refs
        .iter()
        .filter(|(_, target)| pointer(&doc, target).is_none())
        .map(|(at, target)| format!("{at}: {target}"))
        .collect();
    assert!(broken.is_empty(), "$refs that resolve to nothing:\n{}", broken.join("\n"));
    let targets: BTreeSet<&str> = refs.iter().map(|(_, target)| target.as_str()).collect();
    let mut unused = Vec::new();
    for (section, entries) in doc["components"].as_object().unwrap() {
        if section == "securitySchemes" {
            continue;
        }
        for name in entries.as_object().unwrap().keys() {
            let reference = format!("#/components/{section}/{name}");
            if !targets.contains(reference.as_str()) {
                unused.push(reference);
            }
        }
    }
    assert!(unused.is_empty(), "components nothing refers to: {unused:?}");
}

#[test]
fn every_security_requirement_names_a_declared_scheme() {
    let doc = document();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    for ((method, path), operation) in operations(&doc) {
        for requirement in operation["security"].as_array().into_iter().flatten() {
            for name in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains_key(name), "{method} {path}: security scheme {name} is not declared");
            }
        }
    }
}
