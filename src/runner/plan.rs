//! Planning: IdP expansion right after loading, then selection by tag and
//! `--filter`. Suites left without cases are dropped. The CLI expands the
//! suites itself before a run (so that an expansion error is a suite error,
//! exit 2, as under `validate`); expanding them again here is a no-op, and
//! keeps the runner safe for library callers who pass unexpanded suites.

use crate::runner::options::RunOptions;
use crate::runner::{RunError, RunErrorKind};
use crate::suite::model::{Case, Suite};

/// Expands every suite's IdP actions and keeps the selected cases.
pub fn plan(suites: &[Suite], opts: &RunOptions) -> Result<Vec<Suite>, RunError> {
    let mut out = Vec::new();
    for suite in suites {
        let mut expanded = crate::idp::expand_suite(suite, opts.idp.as_deref())
            .map_err(|e| RunError::new(RunErrorKind::Plan, e.to_string()))?;
        let keep: Vec<Case> = expanded
            .cases
            .iter()
            .filter(|c| selected(&expanded, c, opts))
            .cloned()
            .collect();
        expanded.cases = keep;
        if !expanded.cases.is_empty() {
            out.push(expanded);
        }
    }
    Ok(out)
}

/// Whether `case` passes the tag and name filters.
pub fn selected(suite: &Suite, case: &Case, opts: &RunOptions) -> bool {
    let tags = suite
        .tags
        .iter()
        .chain(case.tags.iter())
        .map(String::as_str);
    selected_by(&suite.source, &case.name, tags, opts)
}

/// [`selected`] for a case the runner generates (no suite file): `source`
/// and `name` as `--filter` sees them, and its tags.
pub(crate) fn selected_by<'t>(
    source: &str,
    name: &str,
    tags: impl IntoIterator<Item = &'t str>,
    opts: &RunOptions,
) -> bool {
    let tags: Vec<&str> = tags.into_iter().collect();
    let tag_ok = opts.tags.is_empty() || opts.tags.iter().any(|t| tags.contains(&t.as_str()));
    let filter_ok = opts.filter.as_deref().is_none_or(|f| {
        let hay = format!("{source} › {name}").to_lowercase();
        hay.contains(&f.to_lowercase())
    });
    tag_ok && filter_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite() -> Suite {
        serde_json::from_value(serde_json::json!({
            "suite": "s",
            "tags": ["users"],
            "cases": [
                {"name": "create user", "why": "w", "tags": ["okta"], "steps": []},
                {"name": "delete user", "why": "w", "steps": []}
            ]
        }))
        .expect("valid suite")
    }

    #[test]
    fn tags_match_suite_or_case_tags() {
        let s = suite();
        let opts = RunOptions {
            tags: vec!["okta".into()],
            ..RunOptions::default()
        };
        assert!(selected(&s, &s.cases[0], &opts));
        assert!(!selected(&s, &s.cases[1], &opts));
        let opts = RunOptions {
            tags: vec!["users".into()],
            ..RunOptions::default()
        };
        assert!(selected(&s, &s.cases[1], &opts));
    }

    #[test]
    fn filter_is_a_case_insensitive_substring_of_suite_and_case() {
        let mut s = suite();
        s.source = "core/users.yaml".into();
        let opts = RunOptions {
            filter: Some("USERS.yaml › delete".into()),
            ..RunOptions::default()
        };
        assert!(!selected(&s, &s.cases[0], &opts));
        assert!(selected(&s, &s.cases[1], &opts));
        let planned = plan(&[s], &opts).expect("plan");
        assert_eq!(planned[0].cases.len(), 1);
    }
}
