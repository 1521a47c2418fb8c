//! One case: requirements, the case scope, the steps in order, cleanup, and
//! redaction of everything recorded. Once the run's breaker has tripped, a
//! case that has not started errors with its reason without sending, and
//! cleanup is not attempted (nothing would answer it).

use std::time::Instant;

use serde_json::Value;

use crate::runner::audit::Audit;
use crate::runner::client::millis;
use crate::runner::plan::{PlannedCase, PlannedSuite};
use crate::runner::redact::Redact;
use crate::runner::request::value_text;
use crate::runner::result::{CaseResult, Outcome, StepOutcome, StepResult};
use crate::runner::run::RunCtx;
use crate::runner::step::run_planned;
use crate::runner::{RunError, RunErrorKind};
use crate::suite::model::{Requirement, VarSpec};
use crate::template::{Redactor, Scope, render_value};

/// The state a case carries from step to step.
#[derive(Debug, Clone)]
pub(crate) struct CaseState {
    /// Suite source path.
    pub suite: String,
    /// Case name.
    pub case: String,
    /// Variables: run vars, suite vars, captures.
    pub scope: Scope,
    /// `(name, text)` of every variable set, for snapshot normalisation.
    pub vars: Vec<(String, String)>,
}

impl CaseState {
    fn empty(suite: &PlannedSuite, case: &PlannedCase, ctx: &RunCtx) -> Self {
        Self {
            suite: suite.source.clone(),
            case: case.name.clone(),
            scope: ctx.scope.clone(),
            vars: Vec::new(),
        }
    }

    /// Sets a variable in the scope and remembers its text.
    pub(crate) fn set(&mut self, name: &str, value: Value, secret: bool) {
        if !secret {
            self.vars.retain(|(n, _)| n != name);
            self.vars.push((name.to_owned(), value_text(&value)));
        }
        self.scope.set(name, value, secret);
    }

    /// Every secret known in this case.
    pub(crate) fn secrets(&self, ctx: &RunCtx) -> Vec<String> {
        let mut s = ctx.opts.secrets();
        s.extend(self.scope.secrets());
        s
    }
}

/// Runs one case and returns its redacted result.
pub(crate) async fn run_case(
    ctx: &RunCtx,
    audit: &Audit,
    suite: &PlannedSuite,
    case: &PlannedCase,
) -> CaseResult {
    let started = Instant::now();
    let mut tags = suite.tags.clone();
    tags.extend(
        case.tags
            .iter()
            .filter(|t| !suite.tags.contains(t))
            .cloned(),
    );
    let mut result = CaseResult {
        suite: suite.source.clone(),
        name: case.name.clone(),
        severity: case.severity,
        why: case.why.clone(),
        tags,
        outcome: Outcome::Passed,
        steps: Vec::new(),
        cleanup: Vec::new(),
        warnings: Vec::new(),
        duration_ms: 0,
    };
    if let Some(reason) = unmet_static_requirement(ctx, case) {
        result.outcome = Outcome::Skipped(reason);
        return result;
    }
    let stopped = |result: &mut CaseResult, e: RunError| {
        result.outcome = Outcome::Errored(RunError::new(e.kind, format!("not run, {e}")));
        redact(result, &CaseState::empty(suite, case, ctx), ctx);
    };
    if let Some(e) = ctx.breaker.tripped() {
        stopped(&mut result, e);
        return result;
    }
    if let Some(reason) = unmet_capability(ctx, case).await {
        match ctx.breaker.tripped() {
            Some(e) => stopped(&mut result, e),
            None => result.outcome = Outcome::Skipped(reason),
        }
        return result;
    }
    let mut state = CaseState {
        suite: suite.source.clone(),
        case: case.name.clone(),
        scope: ctx.scope.clone(),
        vars: ctx.vars.clone(),
    };
    if let Err(e) = init_vars(suite, &mut state) {
        result.outcome = Outcome::Errored(e);
        redact(&mut result, &state, ctx);
        return result;
    }
    let mut index = 0;
    for step in &case.steps {
        // A `parallel:` group gives several results: the first that did not
        // pass (in YAML order) decides the case; all of them are reported.
        for step_result in run_planned(ctx, audit, &mut state, step, &mut index).await {
            if matches!(result.outcome, Outcome::Passed) {
                match &step_result.outcome {
                    StepOutcome::Failed => {
                        result.outcome = Outcome::Failed(step_result.failures.clone());
                    }
                    StepOutcome::Errored(e) => result.outcome = Outcome::Errored(e.clone()),
                    StepOutcome::Passed | StepOutcome::Skipped(_) => {}
                }
            }
            result.steps.push(step_result);
        }
        if !matches!(result.outcome, Outcome::Passed) {
            break;
        }
    }
    for step in &case.cleanup {
        if ctx.breaker.tripped().is_some() {
            result.warnings.push(format!(
                "cleanup not run ({} step{}): the run stopped; resources this case created \
                 may remain on the target",
                case.cleanup.len(),
                if case.cleanup.len() == 1 { "" } else { "s" }
            ));
            break;
        }
        for step_result in run_planned(ctx, audit, &mut state, step, &mut index).await {
            cleanup_warning(&mut result, &step_result);
            result.cleanup.push(step_result);
        }
    }
    result.duration_ms = millis(started.elapsed());
    redact(&mut result, &state, ctx);
    result
}

/// The warning a cleanup step that did not pass leaves on its case.
fn cleanup_warning(result: &mut CaseResult, step_result: &StepResult) {
    match &step_result.outcome {
        StepOutcome::Failed => result.warnings.push(format!(
            "cleanup step {} `{}` failed: {}",
            step_result.index,
            step_result.request_line,
            step_result
                .failures
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
        StepOutcome::Errored(e) => result.warnings.push(format!(
            "cleanup step {} `{}` errored: {e}",
            step_result.index, step_result.request_line
        )),
        StepOutcome::Passed | StepOutcome::Skipped(_) => {}
    }
}

/// Renders the suite's vars afresh for this case.
fn init_vars(suite: &PlannedSuite, state: &mut CaseState) -> Result<(), RunError> {
    for (name, spec) in &suite.vars {
        let (value, secret) = match spec {
            VarSpec::Detailed { value, secret } => (value, *secret),
            VarSpec::Plain(value) => (value, false),
        };
        let rendered = render_value(value, &state.scope).map_err(|e| {
            RunError::new(
                RunErrorKind::Template,
                format!("suite variable `{name}`: {e}"),
            )
        })?;
        state.set(name, rendered, secret);
    }
    Ok(())
}

/// The reason the case must be skipped that needs no request, if any.
fn unmet_static_requirement(ctx: &RunCtx, case: &PlannedCase) -> Option<String> {
    for req in &case.requires {
        match req {
            Requirement::RevokedToken if ctx.opts.revoked_token.is_none() => {
                return Some("no --revoked-token given".to_owned());
            }
            Requirement::ReferenceServer if !ctx.opts.reference_server => {
                return Some(
                    "needs scimulator's reference server (run without --target)".to_owned(),
                );
            }
            Requirement::Var(name)
                if !ctx
                    .opts
                    .vars
                    .iter()
                    .chain(&ctx.opts.secret_vars)
                    .any(|(k, _)| k == name) =>
            {
                let flag = name.replace('_', "-");
                return Some(format!(
                    "no `{name}` given (--{flag}, or --var / --secret {name}=…)"
                ));
            }
            Requirement::NotSent(reason) => return Some(reason.clone()),
            Requirement::RevokedToken
            | Requirement::ReferenceServer
            | Requirement::Capability(_)
            | Requirement::ResourceType(_) => {}
            Requirement::Var(_) => {}
        }
    }
    None
}

/// The reason the case must be skipped for a capability the target does
/// not advertise, if any (reads `/ServiceProviderConfig` and `/ResourceTypes`
/// once per run).
async fn unmet_capability(ctx: &RunCtx, case: &PlannedCase) -> Option<String> {
    for req in &case.requires {
        let met = match req {
            Requirement::Capability(name) => ctx.capability(name).await,
            Requirement::ResourceType(schema) => ctx.resource_type(schema).await,
            _ => Ok(()),
        };
        if let Err(reason) = met {
            return Some(reason);
        }
    }
    None
}

/// Replaces every secret in the recorded result with `***` (a typed walk
/// over every string it holds: see [`Redact`]).
fn redact(result: &mut CaseResult, state: &CaseState, ctx: &RunCtx) {
    result.redact(&Redactor::new(state.secrets(ctx)));
}
