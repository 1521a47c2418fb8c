//! One request step: `when`, then named stages, each returning failures or
//! an error: build the request (templates) → send (paging, retry) → check
//! (assertions, declared-schema audit, schema) → capture → snapshot.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::assert::{Failure, FailureKind, ResponseView};
use crate::runner::audit::Audit;
use crate::runner::capture::capture_all;
use crate::runner::case::CaseState;
use crate::runner::client::{Incoming, millis};
use crate::runner::plan::PlannedStep;
use crate::runner::request::{Rendered, render_expect, render_request, value_text};
use crate::runner::result::{Exchange, SnapshotCheck, SnapshotStatus, StepOutcome, StepResult};
use crate::runner::run::RunCtx;
use crate::runner::{RunError, RunErrorKind};
use crate::snapshot::{self, CheckOutcome, NormalizeInput, SnapshotHeader};
use crate::suite::model::{Expect, Paginate, QueryEncoding, RequestStep, When};
use crate::text::{Mark, clip};

/// Runs one planned step of a case: its request, or (`parallel:`) its
/// requests at once. `index` is the number of the last step run before it;
/// it is advanced by the number of requests. The results are in the step's
/// order (YAML order), whatever order the answers came in.
pub(crate) async fn run_planned(
    ctx: &RunCtx,
    audit: &Audit,
    state: &mut CaseState,
    step: &PlannedStep,
    index: &mut usize,
) -> Vec<StepResult> {
    let group = match step {
        PlannedStep::Request(request) => {
            *index += 1;
            return vec![run_step(ctx, audit, state, request, *index).await];
        }
        PlannedStep::Parallel(group) => group,
    };
    let first = *index + 1;
    *index += group.len();
    // Each request renders and captures in its own copy of the scope as it
    // was before the group; the plan caps the group at `MAX_PARALLEL`, and
    // each request keeps the client's timeouts.
    let runs = group.iter().enumerate().map(|(k, request)| {
        let mut own = state.clone();
        async move {
            let result = run_step(ctx, audit, &mut own, request, first + k).await;
            (result, own)
        }
    });
    let done = futures_util::future::join_all(runs).await;
    let mut results = Vec::with_capacity(done.len());
    // Captures are merged in YAML order (the plan refuses two of one name).
    for ((result, own), request) in done.into_iter().zip(group) {
        for name in request.capture.keys() {
            if let Some(value) = own.scope.get(name) {
                state.set(name, value.clone(), own.scope.is_secret(name));
            }
        }
        results.push(result);
    }
    results
}

/// Runs one request step of a case.
pub(crate) async fn run_step(
    ctx: &RunCtx,
    audit: &Audit,
    state: &mut CaseState,
    step: &RequestStep,
    index: usize,
) -> StepResult {
    let started = Instant::now();
    let spec = &step.request;
    let template_line = format!("{} {}", spec.method, spec.path);
    let mut result = StepResult {
        index,
        name: step.name.clone().unwrap_or_else(|| template_line.clone()),
        request_line: template_line.clone(),
        origin: step.origin.clone(),
        outcome: StepOutcome::Passed,
        failures: Vec::new(),
        exchanges: Vec::new(),
        snapshot: None,
        duration_ms: 0,
    };
    if let Some(when) = &step.when
        && !when_holds(when, state)
    {
        result.outcome = StepOutcome::Skipped(format!("condition on `{}` is false", when.var));
        return result;
    }
    match execute(ctx, audit, state, step, &template_line, &mut result).await {
        Ok(failures) if failures.is_empty() => result.outcome = StepOutcome::Passed,
        Ok(failures) => {
            result.failures = bounded(failures);
            result.outcome = StepOutcome::Failed;
        }
        Err(e) => result.outcome = StepOutcome::Errored(e),
    }
    result.duration_ms = millis(started.elapsed());
    result
}

/// A step as named stages, each returning failures or an error: build the
/// request → send → check → capture → snapshot. With `retry`, send and
/// check repeat until the checks pass or the attempts run out; captures and
/// the snapshot read the last answer.
async fn execute(
    ctx: &RunCtx,
    audit: &Audit,
    state: &mut CaseState,
    step: &RequestStep,
    template_line: &str,
    result: &mut StepResult,
) -> Result<Vec<Failure>, RunError> {
    let (rendered, expect) = build_request(ctx, state, step)?;
    result.request_line = format!("{} {}", rendered.outgoing.method, rendered.path);
    let attempts = step.retry.map_or(1, |r| r.times.saturating_add(1));
    let interval = Duration::from_millis(step.retry.map_or(0, |r| r.interval_ms));
    let mut attempt = 1;
    loop {
        let response = send(ctx, step, &rendered, attempt, &mut result.exchanges).await?;
        let json_body = serde_json::from_str::<Value>(&response.body).ok();
        let view = ResponseView {
            status: response.status,
            headers: &response.headers,
            text: &response.body,
            json: json_body.as_ref(),
        };
        let mut failures = check(ctx, audit, state, &expect, &rendered, &view).await;
        if failures.is_empty() || attempt >= attempts {
            failures.extend(capture_all(&step.capture, &view, state)?);
            if failures.is_empty()
                && let Some(name) = &expect.snapshot
            {
                result.snapshot = Some(check_snapshot(ctx, state, name, template_line, &response));
            }
            return Ok(failures);
        }
        attempt += 1;
        tokio::time::sleep(interval).await;
    }
}

/// Stage 1: the request and the expectations with their templates filled.
fn build_request(
    ctx: &RunCtx,
    state: &CaseState,
    step: &RequestStep,
) -> Result<(Rendered, Expect), RunError> {
    let rendered = render_request(
        &step.request,
        &state.scope,
        &ctx.opts,
        step.origin.as_deref(),
    )?;
    let expect = render_expect(&step.expect, &state.scope)?;
    Ok((rendered, expect))
}

/// Stage 2: one request (attempt `attempt`), or every page of a paginated list.
async fn send(
    ctx: &RunCtx,
    step: &RequestStep,
    rendered: &Rendered,
    attempt: u32,
    exchanges: &mut Vec<Exchange>,
) -> Result<Incoming, RunError> {
    match &step.request.paginate {
        Some(p) => paginate(ctx, rendered, p, step.request.encoding, exchanges).await,
        None => {
            let note = (attempt > 1).then(|| format!("retry {}", attempt - 1));
            ctx.client
                .send(&rendered.outgoing, note.as_deref(), exchanges)
                .await
        }
    }
}

/// Stage 3: the response against the expectations, the declared-schema
/// audit of a successful JSON answer, and `expect.schema`.
async fn check(
    ctx: &RunCtx,
    audit: &Audit,
    state: &CaseState,
    expect: &Expect,
    rendered: &Rendered,
    view: &ResponseView<'_>,
) -> Vec<Failure> {
    let mut failures = crate::assert::check(expect, view);
    if let Some(body) = view.json
        && (200..300).contains(&view.status)
    {
        let request = format!("{} {}", rendered.outgoing.method, rendered.outgoing.url);
        audit
            .observe(ctx, &state.suite, &state.case, &request, body)
            .await;
    }
    match (expect.schema, view.json) {
        (Some(name), Some(body)) => {
            if name == crate::suite::model::SchemaName::Declared {
                failures.extend(ctx.declared_check(body).await);
            }
            failures.extend(super::audit::schema_failures(
                crate::schema_check::validate(name, body),
            ));
        }
        (Some(name), None) => failures.push(Failure {
            kind: FailureKind::Schema,
            subject: format!("{name:?}"),
            message: "the body is not JSON, so it cannot match the schema".to_owned(),
            expected: Some(format!("a {name:?} JSON document")),
            actual: Some(clip(view.text, MAX_BODY_EXCERPT, Mark::Ellipsis)),
            diff: None,
        }),
        (None, _) => {}
    }
    failures
}

fn when_holds(when: &When, state: &CaseState) -> bool {
    let actual = state.scope.get(&when.var).cloned().unwrap_or(Value::Null);
    let same =
        |expected: &Value| *expected == actual || value_text(expected) == value_text(&actual);
    when.eq.as_ref().is_none_or(same) && when.ne.as_ref().is_none_or(|v| !same(v))
}

/// Pages through a list; see the module docs of `runner` for the synthetic body.
async fn paginate(
    ctx: &RunCtx,
    rendered: &Rendered,
    p: &Paginate,
    encoding: QueryEncoding,
    log: &mut Vec<Exchange>,
) -> Result<Incoming, RunError> {
    let count = p.count.max(1);
    let mut resources = Vec::new();
    let mut total: Option<u64> = None;
    let mut pages = 0u64;
    let mut start = 1u64;
    let mut last: Option<Incoming> = None;
    // The pages together are one body for the checks: held to the cap too.
    let mut bytes = 0usize;
    let mut cost = 0usize;
    while pages < p.max_pages.max(1) {
        if total.is_some_and(|t| start > t) {
            break;
        }
        let mut pairs: Vec<(String, String)> = rendered
            .query
            .iter()
            .filter(|(k, _)| k != "startIndex" && k != "count")
            .cloned()
            .collect();
        pairs.push(("startIndex".to_owned(), start.to_string()));
        pairs.push(("count".to_owned(), count.to_string()));
        let mut out = rendered.outgoing.clone();
        let base = out.url.split('?').next().unwrap_or_default().to_owned();
        out.url = crate::runner::query::join_url(
            &base,
            "",
            &crate::runner::query::build(&pairs, encoding),
        );
        pages += 1;
        let resp = ctx
            .client
            .send(&out, Some(&format!("page {pages}")), log)
            .await?;
        if resp.status != 200 {
            return Ok(resp);
        }
        bytes = bytes.saturating_add(resp.body.len());
        cost = cost.saturating_add(crate::runner::client::check_cost(&resp.body));
        if bytes > ctx.opts.max_body {
            return Err(RunError::new(
                RunErrorKind::TooLarge,
                format!(
                    "the {pages} pages of {} {base} add up to more than the {} cap (--max-body)",
                    out.method,
                    crate::runner::options::format_size(ctx.opts.max_body)
                ),
            ));
        }
        if cost > crate::runner::client::cost_limit(ctx.opts.max_body) {
            return Err(RunError::new(
                RunErrorKind::TooLarge,
                crate::runner::client::too_costly(
                    &format!("the {pages} pages of {} {base}", out.method),
                    bytes,
                    cost,
                    ctx.opts.max_body,
                ),
            ));
        }
        let body: Value = serde_json::from_str(&resp.body).unwrap_or(Value::Null);
        total = body.get("totalResults").and_then(Value::as_u64).or(total);
        let page = body
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let empty = page.is_empty();
        // Advance by what the page held: RFC 7644 §3.4.2.4 lets a server
        // return fewer than `count`. (Okta itself adds `count` whatever the
        // page held, okta-wire.md §2.2, so a server capping pages below
        // Okta's 100 loses users at Okta's import; the harness reads every
        // page as a conformant client would.)
        start += page.len() as u64;
        resources.extend(page);
        last = Some(resp);
        if empty {
            break;
        }
    }
    let Some(last) = last else {
        return Err(RunError::new(
            RunErrorKind::Step,
            "paginate: no page was fetched",
        ));
    };
    let synthetic = json!({
        "totalResults": total.unwrap_or(resources.len() as u64),
        "pages": pages,
        "Resources": resources,
    });
    Ok(Incoming {
        status: last.status,
        headers: last.headers,
        body: synthetic.to_string(),
    })
}

/// Compares the normalised response with the target's stored snapshot
/// (see [`snapshot::SnapshotStore`]). Never a failure: a mismatch is drift,
/// a missing snapshot is recorded or (with `--snapshots no`) skipped, and a
/// snapshot that cannot be read or written is skipped with the reason.
fn check_snapshot(
    ctx: &RunCtx,
    state: &CaseState,
    name: &str,
    template_line: &str,
    response: &Incoming,
) -> SnapshotCheck {
    let store = snapshot::SnapshotStore::for_run(
        &ctx.opts.target,
        ctx.opts.reference_server,
        ctx.opts.snapshot_dir.as_deref(),
        std::path::Path::new(""),
    );
    let secrets = state.secrets(ctx);
    // The target's base URL varies by run (the embedded server's port) and
    // appears in `$ref` and `meta.location`: snapshot it as `[target]`.
    let mut vars = state.vars.clone();
    vars.push((
        "target".to_owned(),
        ctx.opts.target.trim_end_matches('/').to_owned(),
    ));
    let value = snapshot::normalize(&NormalizeInput {
        status: response.status,
        headers: &response.headers,
        body: &response.body,
        vars: &vars,
        secrets: &secrets,
    });
    let header = SnapshotHeader {
        suite: state.suite.clone(),
        case: state.case.clone(),
        request: template_line.to_owned(),
    };
    let checked = match store.check(header, name, &value, ctx.snapshot_mode) {
        Ok(c) => c,
        Err(e) => {
            let path = snapshot::snapshot_path(&store.dir, &state.suite, &state.case, name);
            return SnapshotCheck {
                name: name.to_owned(),
                path: path.display().to_string(),
                outcome: SnapshotStatus::Skipped {
                    reason: format!("the snapshot could not be read or written: {e}"),
                },
            };
        }
    };
    let outcome = match checked.outcome {
        CheckOutcome::Matched => SnapshotStatus::Matched,
        CheckOutcome::Written(_) => SnapshotStatus::Recorded,
        CheckOutcome::Updated(_) => SnapshotStatus::Updated,
        CheckOutcome::Missing(_) => SnapshotStatus::Skipped {
            reason: "none stored for this target yet, and `--snapshots no` records none".to_owned(),
        },
        CheckOutcome::Mismatch { diff, pending } => SnapshotStatus::Drift {
            diff,
            pending: pending.map(|p| p.display().to_string()),
        },
    };
    SnapshotCheck {
        name: name.to_owned(),
        path: checked.location,
        outcome,
    }
}

/// At most this many failures are kept per step (a list of thousands of
/// resources failing one rule would otherwise fill the report).
const MAX_STEP_FAILURES: usize = 25;

/// Longest excerpt of a non-JSON body kept in a schema failure.
const MAX_BODY_EXCERPT: usize = 200;

/// `failures` cut to [`MAX_STEP_FAILURES`], the cut said in one more failure.
fn bounded(mut failures: Vec<Failure>) -> Vec<Failure> {
    if failures.len() <= MAX_STEP_FAILURES {
        return failures;
    }
    let more = failures.len() - MAX_STEP_FAILURES;
    failures.truncate(MAX_STEP_FAILURES);
    let kind = failures.last().map_or(FailureKind::Body, |f| f.kind);
    failures.push(Failure {
        kind,
        subject: "more failures".to_owned(),
        message: format!("and {more} more failures of this step, not kept"),
        expected: None,
        actual: None,
        diff: None,
    });
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_keeps_at_most_25_failures_and_counts_the_rest() {
        let f = |i: usize| Failure {
            kind: FailureKind::Schema,
            subject: format!("s{i}"),
            message: "m".into(),
            expected: None,
            actual: None,
            diff: None,
        };
        assert_eq!(bounded((0..3).map(f).collect()).len(), 3);
        let cut = bounded((0..1000).map(f).collect());
        assert_eq!(cut.len(), MAX_STEP_FAILURES + 1);
        assert_eq!(
            cut.last().map(|f| f.message.as_str()),
            Some("and 975 more failures of this step, not kept")
        );
    }
}
