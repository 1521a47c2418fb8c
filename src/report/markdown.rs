//! The markdown summary (`--report markdown=FILE`, and appended to
//! `$GITHUB_STEP_SUMMARY` when that is set): the gate, counts per severity,
//! the capability scorecard, the root causes shared by several failing
//! cases (most cases first), the failures, snapshot drift (diffs in fenced
//! blocks) and the baseline findings. Text from the target is escaped with
//! [`md_escape`] (GitHub renders inline HTML); a fence is always longer than
//! any run of backticks inside it.

use std::fmt::Write as _;

use crate::report::gate::Verdict;
use crate::report::scorecard::{ReportContext, Scorecard};
use crate::report::suite_label;
use crate::report::transcript::severity_name;
use crate::runner::{Outcome, RunReport};
use crate::template::Redactor;
use crate::text::{Mark, clip};

/// Failures listed before the rest are summarised as "and N more".
const MAX_FAILURES: usize = 50;
/// Longest failure message shown.
const MAX_MESSAGE: usize = 300;

/// `s` safe as markdown text (also inside table cells): HTML is escaped and
/// markdown punctuation backslash-escaped; newlines become spaces.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

/// Renders the markdown summary. `ctx.gate` must have been built from `report`.
pub fn to_markdown(report: &RunReport, ctx: &ReportContext, redactor: &Redactor) -> String {
    let gate = &ctx.gate;
    let mut out = String::new();
    let icon = match gate.status_word() {
        "passed" => "✅",
        _ => "❌",
    };
    let drift = if gate.drift_blocks() {
        format!(
            ", {} drifted snapshot{} with --fail-on-drift",
            gate.drifted,
            if gate.drifted == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "## {icon} scimulator: {} ({} blocking failure{}, fail-on {}{drift})\n",
        gate.status_word(),
        gate.blocking(),
        if gate.blocking() == 1 { "" } else { "s" },
        severity_name(gate.fail_on)
    );
    let s = &report.summary;
    let _ = writeln!(
        out,
        "Target {} · IdP profiles {} · scimulator {} · started {} · {:.1} s  ",
        md_escape(&report.target),
        md_escape(&ctx.profiles_used(report).join(", ")),
        md_escape(&ctx.version),
        md_escape(&report.started_at),
        report.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "{} passed, {} failed, {} errored, {} skipped\n",
        s.passed, s.failed, s.errored, s.skipped
    );
    out.push_str(
        "| Severity | Passed | Failed | Known | Skipped |\n| --- | ---: | ---: | ---: | ---: |\n",
    );
    for (sev, c) in gate.counts() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            severity_name(sev),
            c.passed,
            c.failed,
            c.known,
            c.skipped
        );
    }
    let card = Scorecard::build(report, ctx);
    out.push_str("\n### Capability scorecard\n\n| Capability |");
    for p in &card.profiles {
        let _ = write!(out, " {} |", md_escape(p));
    }
    out.push_str("\n| --- |");
    out.push_str(&" :---: |".repeat(card.profiles.len()));
    out.push('\n');
    for (cap, cells) in &card.rows {
        let _ = write!(out, "| {cap} |");
        for c in cells {
            let mark = match c.state() {
                "ok" => "✅ ",
                "fail" => "❌ ",
                "known" => "⚠️ ",
                _ => "",
            };
            let _ = write!(out, " {mark}{} |", c.text());
        }
        out.push('\n');
    }

    causes(&mut out, report);
    let failures: Vec<_> = ctx.judged(report).filter(|(_, v)| v.is_failure()).collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\n### Failures ({})\n", failures.len());
        for (case, verdict) in failures.iter().take(MAX_FAILURES) {
            let first = match &case.outcome {
                Outcome::Failed(f) => f
                    .first()
                    .map(crate::report::html::failure_summary)
                    .unwrap_or_default(),
                Outcome::Errored(e) => format!("error: {e}"),
                _ => String::new(),
            };
            let tag = match verdict {
                Verdict::Known(_) => " (known)",
                Verdict::Expired(_) => " (baseline entry expired)",
                _ => "",
            };
            let _ = writeln!(
                out,
                "- **{}**{tag} {} › {}: {}  \n  why: {}",
                severity_name(case.severity),
                md_escape(&suite_label(&case.suite)),
                md_escape(&case.name),
                md_escape(&clip(&first, MAX_MESSAGE, Mark::Ellipsis)),
                md_escape(&clip(&case.why, MAX_MESSAGE, Mark::Ellipsis))
            );
        }
        if failures.len() > MAX_FAILURES {
            let _ = writeln!(out, "- … and {} more", failures.len() - MAX_FAILURES);
        }
    }
    drift_section(&mut out, report, gate.fail_on_drift);
    if let Some(path) = &gate.baseline {
        let (known, fixed, expired) = gate.baseline_counts();
        let _ = writeln!(
            out,
            "\n### Baseline {}\n\n{known} known, {fixed} fixed, {expired} expired.\n",
            md_escape(path)
        );
        for (suite, case, v) in gate.baseline_findings() {
            let _ = writeln!(
                out,
                "- {} {} › {}: {}",
                v.label(),
                md_escape(&suite_label(suite)),
                md_escape(case),
                md_escape(&gate.finding_text(v))
            );
        }
    }
    redactor.redact(&out)
}

/// `### Root causes`: failing cases sharing a request and answer, most first.
fn causes(out: &mut String, report: &RunReport) {
    let causes = crate::report::causes::root_causes(report.cases(), &report.target);
    if causes.is_empty() {
        return;
    }
    let total: usize = causes.iter().map(|c| c.cases.len()).sum();
    let _ = writeln!(
        out,
        "\n### Root causes ({})\n\n{total} failing cases share {} cause{} (the same request answered the same way); fix these first.\n",
        causes.len(),
        causes.len(),
        if causes.len() == 1 { "" } else { "s" }
    );
    for (i, cause) in causes.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. **{} cases**: {}",
            i + 1,
            cause.cases.len(),
            md_escape(&clip(&cause.headline(), MAX_MESSAGE, Mark::Ellipsis))
        );
        for c in cause.cases.iter().take(MAX_FAILURES) {
            let _ = writeln!(
                out,
                "    - {} › {}",
                md_escape(&suite_label(&c.suite)),
                md_escape(&c.case)
            );
        }
        if cause.cases.len() > MAX_FAILURES {
            let _ = writeln!(out, "    - … and {} more", cause.cases.len() - MAX_FAILURES);
        }
    }
}

/// `### Snapshot drift`: each drifted snapshot with its diff.
fn drift_section(out: &mut String, report: &RunReport, fail_on_drift: bool) {
    let drift = crate::report::snapshots::drift_entries(report);
    if drift.is_empty() {
        return;
    }
    let effect = if fail_on_drift {
        "it fails the run (`--fail-on-drift`)"
    } else {
        "it does not change a case's verdict or fail the run (add `--fail-on-drift` for that)"
    };
    let _ = writeln!(
        out,
        "\n### Snapshot drift ({})\n\nResponses that differ from their stored snapshot; {effect}.\n",
        drift.len()
    );
    for d in drift.iter().take(MAX_FAILURES) {
        let fence = fence_for(&d.diff);
        let _ = writeln!(
            out,
            "- {} › {}: snapshot {} (step {}) differs from {}\n\n{fence}diff\n{}\n{fence}\n",
            md_escape(&suite_label(&d.suite)),
            md_escape(&d.case),
            md_escape(&d.snapshot),
            d.step,
            md_escape(&d.path),
            d.diff.trim_end()
        );
    }
    if drift.len() > MAX_FAILURES {
        let _ = writeln!(out, "- … and {} more", drift.len() - MAX_FAILURES);
    }
}

/// A backtick fence longer than any run of backticks in `text` (at least 3).
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ``` b"), "````");
        assert_eq!(fence_for("`````"), "``````");
    }

    use super::*;

    #[test]
    fn md_escape_neutralises_html_and_table_breaking_characters() {
        let table = [
            ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
            ("a | b", "a \\| b"),
            ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
            ("[link](http://x)", "\\[link\\](http://x)"),
            ("two\nlines", "two lines"),
        ];
        for (input, want) in table {
            assert_eq!(md_escape(input), want, "{input}");
        }
    }
}
