//! The names line up, so a newcomer finds code from the template and back:
//! function `SetRoleFunction` → `Handler: set_role` → binary `users` (one per domain crate)
//! → its `src/main.rs` dispatches `"set_role"` to `functions/users/src/entrypoints/set_role.rs`
//! → handler `functions/users/src/handlers/set_role.rs` (`handle`). A crate with one
//! function (health) keeps its handler in `src/handler.rs`. And the roles each handler
//! admits are the ones template.yaml's `Metadata.AllowedRoles` declares (the auth
//! matrix test attacks the routes with exactly those).

use local_runner::template::Template;
use serde_json::Value;
use shared::Role;

fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

struct Function {
    logical_id: String,
    binary: String,
    handler: String,
    allowed_roles: Option<Vec<String>>,
}

fn functions() -> Vec<Function> {
    let template = Template::load(&platform_tests::workspace_root().join("template.yaml")).unwrap();
    template
        .resources
        .iter()
        .filter(|r| r.kind == "AWS::Serverless::Function")
        .map(|resource| {
            let def = resource.function(&mut Vec::new()).unwrap();
            (resource, def)
        })
        .map(|(resource, def)| Function {
            logical_id: resource.logical_id.clone(),
            binary: def.binary,
            handler: def.handler,
            allowed_roles: resource
                .metadata
                .get("AllowedRoles")
                .and_then(Value::as_array)
                .map(|roles| roles.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
        })
        .collect()
}

/// (crate, handler module) of a function: its binary is its crate, its `Handler` the module.
fn location(function: &Function) -> (String, String) {
    (function.binary.clone(), function.handler.clone())
}

#[test]
fn function_binary_and_handler_names_line_up() {
    let root = platform_tests::workspace_root();
    let mut problems = Vec::new();
    for function in functions() {
        let (krate, handler) = location(&function);
        let stem = function.logical_id.strip_suffix("Function").expect("logical ids end in Function");
        if handler != snake_case(stem) {
            problems.push(format!("{}: Handler {handler} should be {}", function.logical_id, snake_case(stem)));
            continue;
        }
        let crate_dir = root.join("functions").join(&krate);
        let main = std::fs::read_to_string(crate_dir.join("src/main.rs")).unwrap_or_default();
        if !main.contains(&format!("\"{handler}\" => entrypoints::{handler}::run()")) {
            problems.push(format!("{}: {krate}/src/main.rs does not dispatch {handler:?}", function.logical_id));
        }
        let entrypoint = crate_dir.join(format!("src/entrypoints/{handler}.rs"));
        let single = crate_dir.join("src/handler.rs").is_file();
        let (module, call) = if single {
            (crate_dir.join("src/handler.rs"), "handler::".to_owned())
        } else {
            (crate_dir.join(format!("src/handlers/{handler}.rs")), format!("handlers::{handler}::handle"))
        };
        match std::fs::read_to_string(&entrypoint) {
            Ok(source) if source.contains(&call) => {}
            Ok(_) => problems.push(format!("{}: {} does not call {call}", function.logical_id, entrypoint.display())),
            Err(_) => problems.push(format!("{}: no {}", function.logical_id, entrypoint.display())),
        }
        if !module.is_file() {
            problems.push(format!("{}: no handler module {}", function.logical_id, module.display()));
        }
    }
    assert!(problems.is_empty(), "names drifted:\n  {}", problems.join("\n  "));
}

#[test]
fn handlers_admit_the_roles_the_template_declares() {
    let mut checked = 0;
    for function in functions() {
        let (krate, handler) = location(&function);
        let in_code: Option<&[Role]> = match krate.as_str() {
            "events" => events::handlers::allowed_roles(&handler),
            "users" => users::handlers::allowed_roles(&handler),
            "reservations" => reservations::handlers::allowed_roles(&handler),
            _ => None,
        };
        let in_code: Option<Vec<String>> = in_code.map(|roles| roles.iter().map(|r| r.as_str().to_owned()).collect());
        assert_eq!(
            in_code, function.allowed_roles,
            "{}: the handler admits {in_code:?}, template.yaml's Metadata.AllowedRoles says {:?}",
            function.logical_id, function.allowed_roles
        );
        checked += usize::from(in_code.is_some());
    }
    assert!(checked >= 8, "the role-restricted functions were all compared ({checked})");
}

/// A database per service: the table each domain owns (and alone writes).
const OWNERS: &[(&str, &str)] = &[
    ("UsersTable", "users"),
    ("EventsTable", "events"),
    ("ReservationsTable", "reservations"),
    ("PaymentsTable", "payments"),
    ("NotificationsTable", "notifications"),
    ("WaitingRoomTable", "waiting_room"),
];

/// The one documented exception, the seat-inventory contract
/// (`functions/events/src/inventory.rs`): a hold takes seats and records the
/// reservation atomically, so the reservations domain updates tier counters in the
/// events table, within these actions only.
const SEAT_INVENTORY: (&str, &str, &[&str]) = ("reservations", "EventsTable", &["dynamodb:UpdateItem"]);

/// IAM actions that change a table.
fn writes(action: &str) -> bool {
    matches!(
        action,
        "dynamodb:PutItem"
            | "dynamodb:UpdateItem"
            | "dynamodb:DeleteItem"
            | "dynamodb:BatchWriteItem"
            | "dynamodb:*"
            | "*"
    ) || action.starts_with("dynamodb:Put")
        || action.starts_with("dynamodb:Delete")
}

/// The table a policy resource names: `!GetAtt T.Arn`, `!Sub "${T.Arn}/index/..."`.
fn table_of(resource: &Value) -> Option<String> {
    let logical = if let Some(get_att) = resource.get("Fn::GetAtt").and_then(Value::as_array) {
        get_att.first().and_then(Value::as_str).map(str::to_owned)
    } else if let Some(sub) = resource.get("Fn::Sub").and_then(Value::as_str) {
        sub.strip_prefix("${").and_then(|rest| rest.split(['.', '}']).next()).map(str::to_owned)
    } else {
        None
    }?;
    OWNERS.iter().any(|(table, _)| *table == logical).then_some(logical)
}

fn list(value: Option<&Value>) -> Vec<Value> {
    match value {
        Some(Value::Array(items)) => items.clone(),
        Some(single) => vec![single.clone()],
        None => vec![],
    }
}

#[test]
fn each_domain_writes_only_its_own_table_but_for_the_seat_inventory_contract() {
    let template = Template::load(&platform_tests::workspace_root().join("template.yaml")).unwrap();
    let mut problems = Vec::new();
    let mut table_grants = 0;
    for resource in template.resources.iter().filter(|r| r.kind == "AWS::Serverless::Function") {
        let domain = resource.function(&mut Vec::new()).unwrap().binary;
        for policy in list(resource.properties.get("Policies")) {
            if policy.get("Statement").is_none() {
                problems.push(format!("{}: a policy template; write its statements out", resource.logical_id));
            }
            for statement in list(policy.get("Statement")) {
                let actions: Vec<String> =
                    list(statement.get("Action")).iter().filter_map(Value::as_str).map(str::to_owned).collect();
                for table in list(statement.get("Resource")).iter().filter_map(table_of) {
                    table_grants += 1;
                    let owner = OWNERS.iter().find(|(t, _)| *t == table).map(|(_, owner)| *owner).unwrap();
                    if owner == domain {
                        continue;
                    }
                    for action in actions.iter().filter(|a| writes(a)) {
                        let (contract_domain, contract_table, contract_actions) = SEAT_INVENTORY;
                        let within_contract = domain == contract_domain
                            && table == contract_table
                            && contract_actions.contains(&action.as_str());
                        if !within_contract {
                            problems.push(format!(
                                "{} ({domain}) may {action} on {table}, which the {owner} domain owns",
                                resource.logical_id
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(table_grants > 40, "the policies were read ({table_grants} table grants)");
    assert!(problems.is_empty(), "a domain writes another's table:\n  {}", problems.join("\n  "));
}

#[test]
fn payments_reach_reservations_only_through_the_chain() {
    // The payments crate may read a reservation (is the hold still live?); it has no
    // way to write one: the reservations store's confirm and release are its own.
    let root = platform_tests::workspace_root().join("functions/payments/src");
    let mut sources = Vec::new();
    for dir in ["", "handlers", "entrypoints"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                sources.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    assert!(sources.len() > 5);
    assert!(sources.iter().any(|(_, s)| s.contains("DynamoReservationStore::reader")), "payments read reservations");
    for (path, source) in sources {
        // It builds the reservations store only as a reader (no events table: no seats).
        for call in [
            "DynamoReservationStore::new",
            "reservations.confirm(",
            "reservations.release(",
            "reservations.hold(",
            "import_confirmed",
            "users::",
        ] {
            assert!(!source.contains(call), "{} calls {call}: payments write only their own table", path.display());
        }
    }
}

#[test]
fn every_table_survives_a_mistake_and_every_queue_is_encrypted() {
    // checkov counts point-in-time recovery; deletion protection and queue encryption
    // it does not (its SQS check wants a KMS key), so they are held here.
    let template = Template::load(&platform_tests::workspace_root().join("template.yaml")).unwrap();
    let mut problems = Vec::new();
    let (mut tables, mut queues) = (0, 0);
    for resource in &template.resources {
        let property =
            |path: &[&str]| path.iter().try_fold(&resource.properties, |value, key| value.get(*key)).cloned();
        match resource.kind.as_str() {
            "AWS::DynamoDB::Table" => {
                tables += 1;
                if property(&["DeletionProtectionEnabled"]) != Some(Value::Bool(true)) {
                    problems.push(format!("{}: no deletion protection", resource.logical_id));
                }
                let recovery = ["PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"];
                if property(&recovery) != Some(Value::Bool(true)) {
                    problems.push(format!("{}: no point-in-time recovery", resource.logical_id));
                }
            }
            "AWS::SQS::Queue" => {
                queues += 1;
                if property(&["SqsManagedSseEnabled"]) != Some(Value::Bool(true)) {
                    problems.push(format!("{}: not encrypted at rest (SqsManagedSseEnabled)", resource.logical_id));
                }
            }
            _ => {}
        }
    }
    assert!(tables >= 7 && queues >= 20, "the template was read ({tables} tables, {queues} queues)");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
