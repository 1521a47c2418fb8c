//! How `run` picks IdP profiles: one (`--idp X`, or each suite's own), a
//! user's profile file (`--idp-file`), or every profile (`--idp all`: each
//! IdP-neutral suite, one written with `idp.*` actions only, once per
//! profile, its source tagged `[profile]`; the other suites once). Returns
//! the expanded suites and the profile each suite source ran under, which
//! the reports' scorecard turns into one column per profile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::args::{load, prepare};
use crate::suite::Suite;
use crate::suite::model::{Profile, Step};

/// `--idp all`.
pub(crate) const ALL: &str = "all";

/// Expanded suites and the profile of each suite source.
pub(crate) type Prepared = (Vec<Suite>, BTreeMap<String, String>);

/// Loads, lints and expands the suites of a run under `idp` / `idp_file`.
pub(crate) fn prepare_run(
    paths: &[PathBuf],
    lint: &[String],
    idp: Option<&str>,
    idp_file: Option<&Path>,
) -> Result<Prepared, Vec<String>> {
    if let Some(file) = idp_file {
        let spec = crate::idp::profile::load_file(file).map_err(|e| vec![e.to_string()])?;
        let suites = load_and_lint(paths, lint)?;
        return expand_each(&suites, |s| {
            let neutral = is_neutral(s);
            let expanded = crate::idp::expand_suite_with(s, None, Some(&spec))?;
            let profile = if neutral {
                spec.name.clone()
            } else {
                own_profile(s)
            };
            Ok(vec![(expanded, profile)])
        });
    }
    if idp == Some(ALL) {
        let suites = load_and_lint(paths, lint)?;
        return expand_each(&suites, |s| {
            if !is_neutral(s) {
                return Ok(vec![(crate::idp::expand_suite(s, None)?, own_profile(s))]);
            }
            Profile::NAMES
                .iter()
                .map(|p| {
                    let mut expanded = crate::idp::expand_suite(s, Some(p))?;
                    expanded.source = format!("{} [{p}]", s.source);
                    Ok((expanded, (*p).to_owned()))
                })
                .collect()
        });
    }
    let suites = prepare(paths, Some(lint), idp)?;
    let profiles = suites
        .iter()
        .map(|s| {
            let profile = idp.map_or_else(|| own_profile(s), str::to_owned);
            (s.source.clone(), profile)
        })
        .collect();
    Ok((suites, profiles))
}

fn own_profile(s: &Suite) -> String {
    s.idp.clone().unwrap_or_else(|| "okta".to_owned())
}

/// A suite whose actions are all `idp.*` (at least one) and that names no
/// profile of its own: it tells no single IdP's story.
pub(crate) fn is_neutral(s: &Suite) -> bool {
    if s.idp.is_some() {
        return false;
    }
    let mut any = false;
    for case in &s.cases {
        for step in case.steps.iter().chain(&case.cleanup) {
            if let Step::Action(a) = step {
                if !a.action.starts_with("idp.") {
                    return false;
                }
                any = true;
            }
        }
    }
    any
}

fn load_and_lint(paths: &[PathBuf], lint: &[String]) -> Result<Vec<Suite>, Vec<String>> {
    let suites =
        load(paths).map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let errors: Vec<String> = crate::suite::validate_with_vars(&suites, lint)
        .iter()
        .map(ToString::to_string)
        .collect();
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(errors)
    }
}

fn expand_each(
    suites: &[Suite],
    f: impl Fn(&Suite) -> Result<Vec<(Suite, String)>, crate::idp::ExpandError>,
) -> Result<Prepared, Vec<String>> {
    let mut out = Vec::new();
    let mut profiles = BTreeMap::new();
    let mut errors = Vec::new();
    for s in suites {
        match f(s) {
            Ok(expanded) => {
                for (suite, profile) in expanded {
                    profiles.insert(suite.source.clone(), profile);
                    out.push(suite);
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok((out, profiles))
    } else {
        Err(errors)
    }
}
