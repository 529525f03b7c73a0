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
