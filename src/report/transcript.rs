//! Plain-text transcripts of a case: failures, then every exchange. Shared by
//! the console (failure details) and JUnit (`<failure>` bodies).

use std::fmt::Write as _;

use crate::runner::Failure;
use crate::runner::Severity;
use crate::runner::{CaseResult, Exchange, StepResult};
use crate::text::{Mark, clip};

/// Longest body shown in a transcript.
const MAX_BODY: usize = 2000;

/// One failure as indented lines.
pub(crate) fn failure_lines(f: &Failure, indent: &str) -> String {
    let mut out = format!("{indent}✗ {}\n", f.headline());
    if let Some(e) = &f.expected {
        let _ = writeln!(out, "{indent}    expected: {}", one_line(e));
    }
    if let Some(a) = &f.actual {
        let _ = writeln!(out, "{indent}    actual:   {}", one_line(a));
    }
    if let Some(d) = &f.diff {
        for line in d.lines() {
            let _ = writeln!(out, "{indent}    {line}");
        }
    }
    out
}

/// The step heading: `step 2: POST /Users (okta: push_new_user)`.
pub(crate) fn step_heading(step: &StepResult) -> String {
    match &step.origin {
        Some(o) => format!("step {}: {} ({o})", step.index, step.request_line),
        None => format!("step {}: {}", step.index, step.request_line),
    }
}

/// One exchange, request and response, headers and bodies.
pub(crate) fn exchange_text(x: &Exchange) -> String {
    let mut out = String::new();
    let note = x
        .note
        .as_deref()
        .map(|n| format!("  [{n}]"))
        .unwrap_or_default();
    let _ = writeln!(out, "> {} {}{note}", x.method, x.url);
    for (k, v) in &x.request_headers {
        let _ = writeln!(out, "> {k}: {v}");
    }
    if let Some(b) = &x.request_body {
        let _ = writeln!(out, ">\n{}", clip(b, MAX_BODY, Mark::Truncated));
    }
    match x.status {
        Some(s) => {
            let _ = writeln!(out, "< {s} ({} ms)", x.duration_ms);
        }
        None => {
            let _ = writeln!(out, "< no response ({} ms)", x.duration_ms);
        }
    }
    for (k, v) in &x.response_headers {
        let _ = writeln!(out, "< {k}: {v}");
    }
    if !x.response_body.is_empty() {
        let _ = writeln!(
            out,
            "<\n{}",
            clip(&x.response_body, MAX_BODY, Mark::Truncated)
        );
    }
    out
}

/// The full transcript of a case.
pub(crate) fn case_transcript(case: &CaseResult) -> String {
    let mut out = format!(
        "why: {}\nseverity: {}\n",
        case.why,
        severity_name(case.severity)
    );
    for step in case.steps.iter().chain(case.cleanup.iter()) {
        let _ = writeln!(
            out,
            "\n{} — {}",
            step_heading(step),
            step_outcome_label(step)
        );
        for f in &step.failures {
            out.push_str(&failure_lines(f, "  "));
        }
        if let crate::runner::StepOutcome::Errored(e) = &step.outcome {
            let _ = writeln!(out, "  error: {e}");
        }
        for x in &step.exchanges {
            out.push_str(&exchange_text(x));
        }
    }
    for w in &case.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// `required`, `recommended` or `advisory`.
pub(crate) fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Required => "required",
        Severity::Recommended => "recommended",
        Severity::Advisory => "advisory",
    }
}

fn step_outcome_label(step: &StepResult) -> String {
    match &step.outcome {
        crate::runner::StepOutcome::Passed => "passed".to_owned(),
        crate::runner::StepOutcome::Failed => "failed".to_owned(),
        crate::runner::StepOutcome::Errored(_) => "errored".to_owned(),
        crate::runner::StepOutcome::Skipped(r) => format!("skipped ({r})"),
    }
}

/// `s` on one line, cut to [`MAX_BODY`] characters.
fn one_line(s: &str) -> String {
    clip(&s.replace('\n', " "), MAX_BODY, Mark::Truncated)
}
