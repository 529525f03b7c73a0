//! The names line up, so a newcomer finds code from the template and back:
//! function `SetRoleFunction` → binary `users-set-role` → `functions/users/src/bin/set_role.rs`
//! → handler `functions/users/src/handlers/set_role.rs` (`handle`). A crate with one
//! function (health) keeps it in `src/handler.rs`. And the roles each handler
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
    allowed_roles: Option<Vec<String>>,
}

fn functions() -> Vec<Function> {
    let template = Template::load(&platform_tests::workspace_root().join("template.yaml")).unwrap();
    template
        .resources
        .iter()
        .filter(|r| r.kind == "AWS::Serverless::Function")
        .map(|resource| Function {
            logical_id: resource.logical_id.clone(),
            binary: resource.function(&mut Vec::new()).unwrap().binary,
            allowed_roles: resource
                .metadata
                .get("AllowedRoles")
                .and_then(Value::as_array)
                .map(|roles| roles.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
        })
        .collect()
}

/// (crate, handler module) of a function, from its logical id and binary.
fn location(function: &Function) -> (String, String) {
    let stem = function.logical_id.strip_suffix("Function").expect("logical ids end in Function");
    let handler = snake_case(stem);
    let krate = function.binary.split('-').next().unwrap().to_owned();
    (krate, handler)
}

#[test]
fn function_binary_and_handler_names_line_up() {
    let root = platform_tests::workspace_root();
    let mut problems = Vec::new();
    for function in functions() {
        let (krate, handler) = location(&function);
        let single = function.binary == krate;
        let expected_binary = if single { krate.clone() } else { format!("{krate}-{}", handler.replace('_', "-")) };
        if function.binary != expected_binary {
            problems.push(format!("{}: binary {} should be {expected_binary}", function.logical_id, function.binary));
            continue;
        }
        let crate_dir = root.join("functions").join(&krate);
        let bin = crate_dir.join(format!("src/bin/{handler}.rs"));
        let (module, call) = if single {
            (crate_dir.join("src/handler.rs"), "handler::".to_owned())
        } else {
            (crate_dir.join(format!("src/handlers/{handler}.rs")), format!("handlers::{handler}::handle"))
        };
        match std::fs::read_to_string(&bin) {
            Ok(source) if source.contains(&call) => {}
            Ok(_) => problems.push(format!("{}: {} does not call {call}", function.logical_id, bin.display())),
            Err(_) => problems.push(format!("{}: no {}", function.logical_id, bin.display())),
        }
        if !module.is_file() {
            problems.push(format!("{}: no handler module {}", function.logical_id, module.display()));
        }
        let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap_or_default();
        if !single && !manifest.contains(&format!("name = \"{}\"", function.binary)) {
            problems.push(format!("{}: {krate}/Cargo.toml declares no bin {}", function.logical_id, function.binary));
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
