//! Configuration comes from environment variables that template.yaml sets
//! (`!Ref` / `!GetAtt` resolved by CloudFormation, or by the local runner).

/// A variable the function cannot start without is missing or empty.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("environment variable {name} is not set (it comes from template.yaml)")]
pub struct ConfigError {
    pub name: String,
}

/// Reads a variable that must be present and non-empty.
pub fn env_required(name: &str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(ConfigError { name: name.to_owned() }),
    }
}

/// Reads a comma-separated list, dropping blanks: `"a, b,,c"` → `["a", "b", "c"]`.
pub fn env_list(name: &str) -> Result<Vec<String>, ConfigError> {
    Ok(split_list(&env_required(name)?))
}

/// The function's `Handler` from template.yaml, which Lambda passes as `_HANDLER`:
/// it names the entry point a domain's binary runs.
pub fn handler_name() -> Result<String, ConfigError> {
    env_required("_HANDLER")
}

/// The error a binary gives when its `Handler` names no entry point of its own.
pub fn unknown_handler(name: &str) -> Box<dyn std::error::Error + Send + Sync> {
    format!("this binary has no entry point named {name:?} (the function's Handler in template.yaml)").into()
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_drop_blanks_and_whitespace() {
        assert_eq!(split_list(" a, b,,c ,"), vec!["a", "b", "c"]);
        assert!(split_list(" , ").is_empty());
    }

    #[test]
    fn missing_variable_names_itself() {
        let err = env_required("SHARED_TEST_SURELY_UNSET_VARIABLE").unwrap_err();
        assert_eq!(err.name, "SHARED_TEST_SURELY_UNSET_VARIABLE");
        assert!(err.to_string().contains("template.yaml"));
    }
}
