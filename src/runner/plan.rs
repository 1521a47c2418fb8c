//! Planning: the one pipeline from suite files to what the runner executes.
//! [`prepare`] loads (files, directories, or the bundled suites), lints,
//! expands IdP actions and selects cases by tag and `--filter`; [`plan`]
//! does the same for suites already loaded (library callers). `run`,
//! `validate` and `list` all go through it, so a broken suite gets the same
//! located message (`file:line:column: field: message`) and exit code from
//! each. The result is a [`Plan`]: suites of [`PlannedCase`]s whose steps are
//! concrete [`RequestStep`]s, so an unexpanded `action:` cannot reach the
//! runner. Suites left without cases are dropped.

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::idp::ExpandError;
use crate::idp::profile::ProfileSpec;
use crate::runner::options::RunOptions;
use crate::suite::model::{
    ActionFamily, ActionName, ActionStep, Case, MAX_PARALLEL, Profile, RequestStep, Requirement,
    Severity, Step, Suite, VarSpec,
};
use crate::suite::{LoadError, Place};

/// What [`prepare`] and [`plan`] do besides expanding.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Lint the suites, with these variable names defined outside them
    /// (`--var`, `--secret`); `None` skips the lint (`list`, library runs).
    pub lint: Option<Vec<String>>,
    /// IdP profile overriding each suite's `idp:` (`--idp`).
    pub idp: Option<String>,
    /// Keep only cases with one of these tags (suite or case tags); empty keeps all.
    pub tags: Vec<String>,
    /// Keep only cases whose `<suite file> › <case name>` contains this
    /// (case-insensitive).
    pub filter: Option<String>,
    /// A user's profile file (`--idp-file`): every IdP-neutral suite runs
    /// under it instead of a bundled profile.
    pub profile_file: Option<Arc<ProfileSpec>>,
}

/// `--idp all`: every IdP-neutral suite once per profile.
pub const ALL_PROFILES: &str = "all";

impl PlanOptions {
    /// The planning a run with `opts` implies (no lint: the CLI lints in
    /// [`prepare`] before the run).
    pub fn of_run(opts: &RunOptions) -> Self {
        Self {
            lint: None,
            idp: opts.idp.clone(),
            tags: opts.tags.clone(),
            filter: opts.filter.clone(),
            profile_file: None,
        }
    }
}

/// The suites a run executes: selected cases of concrete request steps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The suites, in load order; none is empty.
    pub suites: Vec<PlannedSuite>,
}

impl Plan {
    /// The number of cases planned.
    pub fn cases(&self) -> usize {
        self.suites.iter().map(|s| s.cases.len()).sum()
    }
}

/// One suite of a [`Plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedSuite {
    /// The suite's path relative to its root, or the file given.
    pub source: String,
    /// The suite's title (`suite:`).
    pub title: String,
    /// The suite's tags.
    pub tags: Vec<String>,
    /// The IdP profile its actions were expanded for (`--idp`, else the
    /// suite's `idp:`, else `okta`).
    pub profile: String,
    /// Suite variables, rendered afresh at the start of every case.
    pub vars: IndexMap<String, VarSpec>,
    /// The selected cases, in order.
    pub cases: Vec<PlannedCase>,
}

/// One case of a [`Plan`]: only concrete requests.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedCase {
    /// Case name.
    pub name: String,
    /// Which IdP behaviour breaks when it fails.
    pub why: String,
    /// Its severity (the case's own, else the suite's).
    pub severity: Severity,
    /// The case's own tags (the suite's are in [`PlannedSuite::tags`]).
    pub tags: Vec<String>,
    /// Preconditions.
    pub requires: Vec<Requirement>,
    /// The steps, run in order.
    pub steps: Vec<PlannedStep>,
    /// The steps run after the case whatever its outcome.
    pub cleanup: Vec<PlannedStep>,
}

/// One step of a [`PlannedCase`]: a request, or a `parallel:` group.
#[derive(Debug, Clone, PartialEq)]
pub enum PlannedStep {
    /// One request.
    Request(Box<RequestStep>),
    /// Requests sent at once (1 to [`MAX_PARALLEL`]; no `when` reads a
    /// sibling's capture; no two capture the same name), reported in this
    /// order.
    Parallel(Vec<RequestStep>),
}

impl PlannedStep {
    /// The step's requests, in order.
    pub fn requests(&self) -> &[RequestStep] {
        match self {
            Self::Request(r) => std::slice::from_ref(&**r),
            Self::Parallel(group) => group,
        }
    }
}

/// Loads `paths` (the bundled suites when empty), then [`plan`]s them.
/// Returns every suite error: load errors alone when a file does not load,
/// else lint and expansion errors together, so one pass shows them all.
pub fn prepare(paths: &[PathBuf], opts: &PlanOptions) -> Result<Plan, Vec<LoadError>> {
    let suites = if paths.is_empty() {
        crate::suite::bundled().map_err(|e| vec![e])?
    } else {
        let (suites, errors) = crate::suite::load_paths_all(paths);
        if !errors.is_empty() {
            return Err(errors);
        }
        suites
    };
    plan(&suites, opts)
}

/// Lints `suites` (when `opts.lint` asks), expands their IdP actions and
/// keeps the selected cases. An expansion error is located in the suite
/// like a lint error.
pub fn plan(suites: &[Suite], opts: &PlanOptions) -> Result<Plan, Vec<LoadError>> {
    if let Some(name) = &opts.idp
        && name != ALL_PROFILES
        && Profile::from_name(name).is_none()
    {
        return Err(vec![LoadError::lint(
            "--idp",
            "idp",
            ExpandError::UnknownFlavour(name.clone()).detail(),
        )]);
    }
    let mut errors = match &opts.lint {
        Some(extra_vars) => crate::suite::validate_with_vars(suites, extra_vars),
        None => Vec::new(),
    };
    let mut planned = Vec::with_capacity(suites.len());
    for suite in suites {
        for variant in variants(suite, opts) {
            match planned_suite(suite, &variant, opts) {
                Ok(Some(p)) => planned.push(p),
                Ok(None) => {}
                Err(e) if errors.contains(&e) => {}
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(Plan { suites: planned })
    } else {
        Err(errors)
    }
}

/// One way a suite runs: the profile its actions expand for, and the
/// source and profile name the reports show.
struct Variant<'a> {
    /// `--idp` (or one profile of `--idp all`); `None`: the suite's own.
    idp: Option<&'a str>,
    /// The user's profile file, when given.
    custom: Option<&'a ProfileSpec>,
    /// The source shown in reports (`lifecycle.yaml [onelogin]` under `all`).
    source: String,
    /// The profile name of the scorecard column.
    profile: String,
}

/// How `suite` runs: once, or (`--idp all`, an IdP-neutral suite) once per
/// profile, its source tagged `[profile]`.
fn variants<'a>(suite: &Suite, opts: &'a PlanOptions) -> Vec<Variant<'a>> {
    let own = || suite.idp.unwrap_or(Profile::Okta).name().to_owned();
    if let Some(spec) = opts.profile_file.as_deref() {
        let profile = if is_neutral(suite) {
            spec.name.clone()
        } else {
            own()
        };
        return vec![Variant {
            idp: None,
            custom: Some(spec),
            source: suite.source.clone(),
            profile,
        }];
    }
    match opts.idp.as_deref() {
        Some(ALL_PROFILES) if is_neutral(suite) => Profile::NAMES
            .iter()
            .map(|p| Variant {
                idp: Some(p),
                custom: None,
                source: format!("{} [{p}]", suite.source),
                profile: (*p).to_owned(),
            })
            .collect(),
        Some(ALL_PROFILES) | None => vec![Variant {
            idp: None,
            custom: None,
            source: suite.source.clone(),
            profile: own(),
        }],
        Some(idp) => vec![Variant {
            idp: Some(idp),
            custom: None,
            source: suite.source.clone(),
            profile: idp.to_owned(),
        }],
    }
}

/// A suite whose actions are all `idp.*` (at least one) and that names no
/// profile of its own: it tells no single IdP's story, so `--idp all` and
/// `--idp-file` run it under every profile or the user's.
pub fn is_neutral(suite: &Suite) -> bool {
    if suite.idp.is_some() {
        return false;
    }
    let mut any = false;
    for case in &suite.cases {
        for (_, a) in actions(&case.steps).chain(actions(&case.cleanup)) {
            if a.action.family != ActionFamily::Idp {
                return false;
            }
            any = true;
        }
    }
    any
}

/// Every action of `steps` (those inside `parallel:` too), with its field
/// path below the list (`[2]`, `[3].parallel[0]`).
fn actions(steps: &[Step]) -> impl Iterator<Item = (String, &ActionStep)> {
    steps.iter().enumerate().flat_map(|(i, step)| {
        let found: Vec<(String, &ActionStep)> = match step {
            Step::Request(_) => Vec::new(),
            Step::Action(a) => vec![(format!("[{i}]"), &**a)],
            Step::Parallel(p) => p
                .parallel
                .iter()
                .enumerate()
                .filter_map(|(k, s)| match s {
                    Step::Action(a) => Some((format!("[{i}].parallel[{k}]"), &**a)),
                    _ => None,
                })
                .collect(),
        };
        found
    })
}

/// `suite` expanded for `variant` and selected; `None` when no case is selected.
fn planned_suite(
    suite: &Suite,
    variant: &Variant<'_>,
    opts: &PlanOptions,
) -> Result<Option<PlannedSuite>, LoadError> {
    let expanded = crate::idp::expand_suite_with(suite, variant.idp, variant.custom)
        .map_err(|e| located(suite, &e))?;
    let mut cases = Vec::with_capacity(expanded.cases.len());
    for (index, case) in expanded.cases.into_iter().enumerate() {
        if !selected(suite, &case, opts) {
            continue;
        }
        let steps = concrete(suite, index, "steps", case.steps)?;
        let cleanup = concrete(suite, index, "cleanup", case.cleanup)?;
        cases.push(PlannedCase {
            severity: case.severity.unwrap_or(suite.severity),
            name: case.name,
            why: case.why,
            tags: case.tags,
            requires: case.requires,
            steps,
            cleanup,
        });
    }
    if cases.is_empty() {
        return Ok(None);
    }
    Ok(Some(PlannedSuite {
        source: variant.source.clone(),
        title: suite.suite.clone(),
        tags: suite.tags.clone(),
        profile: variant.profile.clone(),
        vars: suite.vars.clone(),
        cases,
    }))
}

/// The planned steps of an expanded list (`steps` or `cleanup` of case
/// `case`); an action left unexpanded, or a `parallel:` group whose
/// expansion is too large or holds dependent requests, is a located suite
/// error.
fn concrete(
    suite: &Suite,
    case: usize,
    list: &str,
    steps: Vec<Step>,
) -> Result<Vec<PlannedStep>, LoadError> {
    let unexpanded = |a: &ActionStep, i: usize| {
        let text = a.action.to_string();
        LoadError::at(
            suite,
            Place::InCase { case, text: &text },
            format!("cases[{case}].{list}[{i}].action"),
            format!("action `{}` was not expanded into requests", a.action),
        )
    };
    let mut groups = 0;
    let mut planned = Vec::with_capacity(steps.len());
    for (i, step) in steps.into_iter().enumerate() {
        match step {
            Step::Request(r) => planned.push(PlannedStep::Request(r)),
            Step::Action(a) => return Err(unexpanded(&a, i)),
            Step::Parallel(p) => {
                let group = p
                    .parallel
                    .into_iter()
                    .map(|s| match s {
                        Step::Request(r) => Ok(*r),
                        Step::Action(a) => Err(unexpanded(&a, i)),
                        Step::Parallel(_) => Err(LoadError::at(
                            suite,
                            Place::InCase {
                                case,
                                text: "parallel",
                            },
                            format!("cases[{case}].{list}[{i}].parallel"),
                            "a `parallel:` step cannot hold another `parallel:`",
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(problem) = group_problem(&group) {
                    // The n-th group of the expanded list is the n-th one written.
                    let written = suite.cases.get(case).map_or(&[][..], |c| {
                        if list == "steps" {
                            &c.steps
                        } else {
                            &c.cleanup
                        }
                    });
                    let at = written
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| matches!(s, Step::Parallel(_)))
                        .nth(groups)
                        .map_or(i, |(j, _)| j);
                    return Err(LoadError::at(
                        suite,
                        Place::InCase {
                            case,
                            text: "parallel",
                        },
                        format!("cases[{case}].{list}[{at}].parallel"),
                        problem,
                    ));
                }
                groups += 1;
                planned.push(PlannedStep::Parallel(group));
            }
        }
    }
    Ok(planned)
}

/// Why the expanded requests of one `parallel:` group cannot be sent at
/// once, if they cannot.
fn group_problem(group: &[RequestStep]) -> Option<String> {
    if group.len() > MAX_PARALLEL {
        return Some(format!(
            "`parallel:` expands into {} requests; at most {MAX_PARALLEL} are sent at once",
            group.len()
        ));
    }
    let mut captured: Vec<&str> = Vec::new();
    for step in group {
        for name in step.capture.keys() {
            if captured.contains(&name.as_str()) {
                return Some(format!(
                    "two requests of this `parallel:` group capture `{name}` (an action \
                     in it may expand into several requests that capture the same name)"
                ));
            }
            captured.push(name);
        }
    }
    group.iter().find_map(|s| {
        let when = s.when.as_ref()?;
        captured.contains(&when.var.as_str()).then(|| {
            format!(
                "a request of this `parallel:` group is sent only when `{}` holds, which \
                 another request of the group captures: an action that looks up before it \
                 writes cannot run inside `parallel:`",
                when.var
            )
        })
    })
}

/// An expansion error placed at the step (or top-level key) it is about.
fn located(suite: &Suite, e: &ExpandError) -> LoadError {
    let (case_name, action, key) = match e {
        ExpandError::UnknownAction { case, action, .. } => (case, action.as_str(), "action"),
        ExpandError::BadArgument { case, action, .. } => (case, action.as_str(), "with"),
        // Handled by expansion (the case is skipped); placed at `idp` if it ever escapes.
        ExpandError::UnknownFlavour(_)
        | ExpandError::BadProfile(_)
        | ExpandError::NotSent { .. } => {
            return LoadError::at(suite, Place::Key("idp"), "idp", e.detail());
        }
        ExpandError::BadMapping { .. } => {
            return LoadError::at(
                suite,
                Place::Key("okta_profile"),
                "okta_profile",
                e.detail(),
            );
        }
    };
    // `UnknownAction` names the action without its family (`push_nwe_user`).
    let is_it = |written: &ActionName| written.verb == action || written.to_string() == action;
    let found = suite
        .cases
        .iter()
        .enumerate()
        .filter(|(_, c)| &c.name == case_name)
        .find_map(|(ci, c)| {
            let in_list = |list: &'static str, steps: &[Step]| {
                actions(steps)
                    .find(|(_, a)| is_it(&a.action))
                    .map(|(at, a)| (ci, list, at, a.action.to_string()))
            };
            in_list("steps", &c.steps).or_else(|| in_list("cleanup", &c.cleanup))
        });
    match found {
        Some((case, list, step, written)) => LoadError::at(
            suite,
            Place::InCase {
                case,
                text: &written,
            },
            format!("cases[{case}].{list}{step}.{key}"),
            e.detail(),
        ),
        None => LoadError::lint(&suite.source, format!("case `{case_name}`"), e.detail()),
    }
}

/// Whether `case` of `suite` passes the tag and name filters.
fn selected(suite: &Suite, case: &Case, opts: &PlanOptions) -> bool {
    let tags = suite
        .tags
        .iter()
        .chain(case.tags.iter())
        .map(String::as_str);
    selected_by(
        &suite.source,
        &case.name,
        tags,
        &opts.tags,
        opts.filter.as_deref(),
    )
}

/// Whether a case passes the tag and name filters: `source` and `name` as
/// `--filter` sees them, and its tags. Also used for the cases the runner
/// generates (no suite file).
pub(crate) fn selected_by<'t>(
    source: &str,
    name: &str,
    tags: impl IntoIterator<Item = &'t str>,
    wanted_tags: &[String],
    filter: Option<&str>,
) -> bool {
    let tags: Vec<&str> = tags.into_iter().collect();
    let tag_ok = wanted_tags.is_empty() || wanted_tags.iter().any(|t| tags.contains(&t.as_str()));
    let filter_ok = filter.is_none_or(|f| {
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

    fn names(plan: &Plan) -> Vec<&str> {
        plan.suites
            .iter()
            .flat_map(|s| s.cases.iter().map(|c| c.name.as_str()))
            .collect()
    }

    #[test]
    fn tags_match_suite_or_case_tags() {
        let s = suite();
        let opts = PlanOptions {
            tags: vec!["okta".into()],
            ..PlanOptions::default()
        };
        let planned = plan(std::slice::from_ref(&s), &opts).expect("plan");
        assert_eq!(names(&planned), ["create user"]);
        let opts = PlanOptions {
            tags: vec!["users".into()],
            ..PlanOptions::default()
        };
        let planned = plan(std::slice::from_ref(&s), &opts).expect("plan");
        assert_eq!(names(&planned), ["create user", "delete user"]);
        let opts = PlanOptions {
            tags: vec!["nothing".into()],
            ..PlanOptions::default()
        };
        assert!(plan(&[s], &opts).expect("plan").suites.is_empty());
    }

    #[test]
    fn filter_is_a_case_insensitive_substring_of_suite_and_case() {
        let mut s = suite();
        s.source = "core/users.yaml".into();
        let opts = PlanOptions {
            filter: Some("USERS.yaml › delete".into()),
            ..PlanOptions::default()
        };
        let planned = plan(&[s], &opts).expect("plan");
        assert_eq!(names(&planned), ["delete user"]);
    }

    #[test]
    fn an_unknown_action_is_a_suite_error_at_its_line() {
        let yaml = "suite: s\ncases:\n  - name: a\n    why: w\n    steps:\n      - request: { method: GET, path: /Users }\n      - action: okta.push_nwe_user\n        with: { userName: x }\n";
        let s = crate::suite::load_str("x.yaml", yaml).expect("loads");
        let errors = plan(&[s], &PlanOptions::default()).expect_err("does not expand");
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "x.yaml:7:17: cases[0].steps[1].action: okta has no action `push_nwe_user`, \
                 did you mean `push_new_user`?"
            ]
        );
    }

    #[test]
    fn a_planned_case_holds_the_requests_its_action_expands_into() {
        let yaml = "suite: s\ncases:\n  - name: a\n    why: w\n    steps:\n      - action: okta.push_new_user\n        with: { userName: x@example.com }\n";
        let s = crate::suite::load_str("x.yaml", yaml).expect("loads");
        let planned = plan(&[s], &PlanOptions::default()).expect("expands");
        let steps = &planned.suites[0].cases[0].steps;
        assert!(steps.len() > 1, "{steps:?}");
        let requests = || steps.iter().flat_map(PlannedStep::requests);
        assert!(requests().all(|s| s.origin.is_some()), "{steps:?}");
        assert_eq!(planned.suites[0].profile, "okta");
    }

    fn group_yaml(inner: &str) -> String {
        format!(
            "suite: s\ncases:\n  - name: a\n    why: w\n    steps:\n      \
             - request: {{ method: GET, path: /Users }}\n      - parallel:\n{inner}"
        )
    }

    #[test]
    fn a_parallel_group_of_one_patch_per_member_is_one_planned_group_in_order() {
        let yaml = group_yaml(
            "          - action: sailpoint.add_member\n            \
             with: { id: g, members: [u1, u2, u3] }\n          \
             - request: { method: GET, path: /Groups/g }\n",
        );
        let s = crate::suite::load_str("x.yaml", &yaml).expect("loads");
        let planned = plan(&[s], &PlanOptions::default()).expect("expands");
        let steps = &planned.suites[0].cases[0].steps;
        assert_eq!(steps.len(), 2, "{steps:?}");
        let PlannedStep::Parallel(group) = &steps[1] else {
            panic!("not a group: {steps:?}");
        };
        let lines: Vec<String> = group
            .iter()
            .map(|r| format!("{} {}", r.request.method, r.request.path))
            .collect();
        assert_eq!(
            lines,
            [
                "PATCH /Groups/g",
                "PATCH /Groups/g",
                "PATCH /Groups/g",
                "GET /Groups/g"
            ]
        );
        let bodies: Vec<String> = group[..3]
            .iter()
            .map(|r| r.request.body.clone().unwrap_or_default().to_string())
            .collect();
        for (body, id) in bodies.iter().zip(["u1", "u2", "u3"]) {
            assert!(body.contains(&format!(r#"[{{"value":"{id}"}}]"#)), "{body}");
        }
    }

    #[test]
    fn an_unknown_action_inside_a_group_is_located_at_its_line() {
        let yaml =
            group_yaml("          - action: sailpoint.add_membr\n            with: { id: g }\n");
        let s = crate::suite::load_str("x.yaml", &yaml).expect("loads");
        let errors = plan(&[s], &PlanOptions::default()).expect_err("does not expand");
        let text = errors[0].to_string();
        assert!(
            text.starts_with("x.yaml:8:21: cases[0].steps[1].parallel[0].action: "),
            "{text}"
        );
    }

    #[test]
    fn an_action_that_looks_up_before_it_writes_cannot_run_in_parallel() {
        let yaml = group_yaml(
            "          - action: okta.push_new_user\n            with: { userName: x@example.com }\n",
        );
        let s = crate::suite::load_str("x.yaml", &yaml).expect("loads");
        let errors = plan(&[s], &PlanOptions::default()).expect_err("refused");
        let text = errors[0].to_string();
        assert!(
            text.starts_with("x.yaml:7:9: cases[0].steps[1].parallel: "),
            "{text}"
        );
    }
}
