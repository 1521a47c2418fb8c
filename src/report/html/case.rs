//! One case of the HTML report: status, severity, `why`, failures with
//! highlighted diffs, and every step's exchanges in `<details>` blocks.

use std::fmt::Write as _;

use crate::report::gate::Verdict;
use crate::report::html::escape;
use crate::report::scorecard::{ReportContext, capabilities_of};
use crate::report::transcript::severity_name;
use crate::runner::Failure;
use crate::runner::{CaseResult, Exchange, Outcome, SnapshotStatus, StepOutcome, StepResult};
use crate::text::{Mark, clip};

/// Longest body shown in the page (characters).
const MAX_BODY: usize = 20_000;

pub(super) fn verdict_class(case: &CaseResult, verdict: &Verdict) -> &'static str {
    match (&case.outcome, verdict) {
        (Outcome::Errored(_), _) => "errored",
        _ => verdict.label(),
    }
}

pub(super) fn case_html(
    out: &mut String,
    index: usize,
    case: &CaseResult,
    verdict: &Verdict,
    ctx: &ReportContext,
) {
    let class = verdict_class(case, verdict);
    let status_class = if class == "errored" { "failed" } else { class };
    let caps = capabilities_of(case).join(", ");
    let sev = severity_name(case.severity);
    let profile = ctx.profile_of(case);
    let drifted = case.drift().next().is_some();
    let search = format!(
        "{} {} {sev} {class} {profile} {caps} {}{}",
        case.suite,
        case.name,
        case.tags.join(" "),
        if drifted { " drift" } else { "" }
    )
    .to_lowercase();
    let _ = writeln!(
        out,
        "<article id=\"case-{index}\" class=\"case v-{status_class}\" data-search=\"{}\">\n<h4><span class=\"badge b-{class}\">{}</span>{} \
         <span class=\"sev sev-{sev}\">{sev}</span> {} <span class=\"muted\">{} ms</span></h4>",
        escape(&search),
        class.to_uppercase(),
        if drifted {
            " <span class=\"badge b-drift\">DRIFT</span>"
        } else {
            ""
        },
        escape(&case.name),
        case.duration_ms,
    );
    let _ = writeln!(
        out,
        "<p class=\"why\"><b>Why:</b> {}</p>",
        escape(&case.why)
    );
    let _ = writeln!(
        out,
        "<p class=\"muted\">profile {} · capabilities {} · tags {}</p>",
        escape(profile),
        escape(&caps),
        escape(&case.tags.join(", "))
    );
    if matches!(
        verdict,
        Verdict::Known(_) | Verdict::Fixed(_) | Verdict::Expired(_)
    ) {
        let _ = writeln!(
            out,
            "<p class=\"note\">Baseline: {}</p>",
            escape(&ctx.gate.finding_text(verdict))
        );
    }
    match &case.outcome {
        Outcome::Failed(failures) => {
            for f in failures {
                failure_html(out, f);
            }
        }
        Outcome::Errored(e) => {
            let _ = writeln!(
                out,
                "<div class=\"failure\"><span class=\"subject\">error</span>: {}</div>",
                escape(&e.to_string())
            );
        }
        Outcome::Skipped(reason) => {
            let _ = writeln!(out, "<p><b>Skipped:</b> {}</p>", escape(reason));
        }
        Outcome::Passed => {}
    }
    for (step, check) in case.snapshot_checks() {
        let Some(sentence) = crate::report::snapshots::check_sentence(step, check) else {
            continue;
        };
        if let SnapshotStatus::Drift { diff, .. } = &check.outcome {
            let _ = writeln!(
                out,
                "<div class=\"drift\"><span class=\"subject\">drift</span>: {}<pre class=\"diff\">{}</pre></div>",
                escape(&sentence),
                diff_html(diff)
            );
        } else {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&sentence));
        }
    }
    // Steps of a failing case are shown; those of other cases fold away.
    let fold = !matches!(case.outcome, Outcome::Failed(_) | Outcome::Errored(_));
    let total = case.steps.len() + case.cleanup.len();
    if fold && total > 0 {
        let _ = writeln!(
            out,
            "<details class=\"steps\"><summary>{total} step{}</summary>",
            if total == 1 { "" } else { "s" }
        );
    }
    for step in &case.steps {
        step_html(out, step, "");
    }
    for step in &case.cleanup {
        step_html(out, step, "cleanup ");
    }
    if fold && total > 0 {
        out.push_str("</details>\n");
    }
    for w in &case.warnings {
        let _ = writeln!(out, "<p class=\"note\">Warning: {}</p>", escape(w));
    }
    out.push_str("</article>\n");
}

/// `subject: message`, without repeating a subject the message already starts with.
pub(crate) fn failure_summary(f: &Failure) -> String {
    if f.message.starts_with(&f.subject) {
        f.message.clone()
    } else {
        format!("{}: {}", f.subject, f.message)
    }
}

fn failure_html(out: &mut String, f: &Failure) {
    let message = f
        .message
        .strip_prefix(&f.subject)
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(&f.message);
    let _ = write!(
        out,
        "<div class=\"failure\"><span class=\"subject\">{}</span>: {}",
        escape(&f.subject),
        escape(message)
    );
    if let Some(e) = &f.expected {
        let _ = write!(
            out,
            "<br>expected: <code>{}</code>",
            escape(&clip(e, MAX_BODY, Mark::Truncated))
        );
    }
    if let Some(a) = &f.actual {
        let _ = write!(
            out,
            "<br>actual: <code>{}</code>",
            escape(&clip(a, MAX_BODY, Mark::Truncated))
        );
    }
    if let Some(d) = &f.diff {
        out.push_str("<pre class=\"diff\">");
        out.push_str(&diff_html(d));
        out.push_str("</pre>");
    }
    out.push_str("</div>\n");
}

/// A unified diff with removed lines red and added lines green.
pub(super) fn diff_html(diff: &str) -> String {
    let mut out = String::new();
    for line in clip(diff, MAX_BODY, Mark::Truncated).lines() {
        let class = if line.starts_with('-') && !line.starts_with("---") {
            Some("del")
        } else if line.starts_with('+') && !line.starts_with("+++") {
            Some("add")
        } else {
            None
        };
        match class {
            Some(c) => {
                let _ = write!(out, "<span class=\"{c}\">{}</span>", escape(line));
            }
            None => {
                let _ = writeln!(out, "{}", escape(line));
            }
        }
    }
    out
}

fn step_html(out: &mut String, step: &StepResult, prefix: &str) {
    let (class, label) = match &step.outcome {
        StepOutcome::Passed => ("passed", "passed".to_owned()),
        StepOutcome::Failed => ("failed", "failed".to_owned()),
        StepOutcome::Errored(e) => ("errored", format!("errored: {e}")),
        StepOutcome::Skipped(r) => ("skipped", format!("skipped ({r})")),
    };
    let failing = matches!(class, "failed" | "errored");
    let origin = step
        .origin
        .as_deref()
        .map(|o| format!(" ({})", escape(o)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<details class=\"step step-{class}\"{}><summary>{prefix}step {}: {}{origin} — {}</summary>",
        if failing { " open" } else { "" },
        step.index,
        escape(&step.request_line),
        escape(&label)
    );
    for x in &step.exchanges {
        exchange_html(out, x, failing);
    }
    out.push_str("</details>\n");
}

fn exchange_html(out: &mut String, x: &Exchange, open: bool) {
    let status = x
        .status
        .map_or_else(|| "no response".to_owned(), |s| s.to_string());
    let note = x
        .note
        .as_deref()
        .map(|n| format!(" [{}]", escape(n)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<details class=\"exchange\"{}><summary><code>{} {}</code> → {status} ({} ms){note}</summary>\n<div class=\"exchange-grid\">",
        if open { " open" } else { "" },
        escape(&x.method),
        escape(&x.url),
        x.duration_ms
    );
    let mut req = format!("{} {}\n", x.method, x.url);
    for (k, v) in &x.request_headers {
        let _ = writeln!(req, "{k}: {v}");
    }
    if let Some(b) = &x.request_body {
        let _ = write!(req, "\n{}", pretty(b));
    }
    let mut res = format!("{status}\n");
    for (k, v) in &x.response_headers {
        let _ = writeln!(res, "{k}: {v}");
    }
    if !x.response_body.is_empty() {
        let _ = write!(res, "\n{}", pretty(&x.response_body));
    }
    let _ = writeln!(
        out,
        "<div><b>Request</b><pre class=\"request\">{}</pre></div>\
         <div><b>Response</b><pre class=\"response\">{}</pre></div>\n</div>\n</details>",
        escape(&clip(&req, MAX_BODY, Mark::Truncated)),
        escape(&clip(&res, MAX_BODY, Mark::Truncated))
    );
}

/// JSON bodies pretty-printed; anything else as it came.
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_mark_removed_and_added_lines() {
        let html = diff_html("--- expected\n+++ actual\n-\"a\": 1\n+\"a\": <2>\n same");
        assert!(
            html.contains("<span class=\"del\">-&quot;a&quot;: 1</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"add\">+&quot;a&quot;: &lt;2&gt;</span>"),
            "{html}"
        );
        assert!(html.contains("--- expected\n"), "{html}");
    }
}
