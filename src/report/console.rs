//! The streaming console reporter, aligned like nextest:
//!
//! ```text
//!     Starting 3 cases across 1 suite (target http://127.0.0.1:8080/scim/v2)
//!         PASS [   0.012s] okta/push-new-user › a new user is created
//!         FAIL [   0.034s] okta/push-new-user › a duplicate is refused
//!              severity: required
//!              why: …
//!              step 2: POST /Users (okta: push_new_user)
//!              ✗ status: expected 409, got 201
//! Summary: 1 passed, 1 failed, 1 skipped
//! ```
//!
//! Under a case, snapshot checks that did not simply match get a line:
//! `note: snapshot … recorded in …` / `not checked: …`, or `DRIFT snapshot
//! … differs from …` followed by the diff (drift never changes the case's
//! status).
//!
//! It is the one live console of a run: it also owns the progress bar
//! ([`ConsoleReporter::with_progress`], lines are printed above it) and the
//! closing lines. Built [`ConsoleReporter::gated`], it leaves those to
//! [`ConsoleReporter::close`], which the CLI calls after the run with the
//! gate it computed once from the report: the root causes, the `Snapshots:`
//! line, the gate, then the summary. Everything goes through one redactor.
//!
//! The last line is always `Summary: N passed, N failed, N skipped`; errored
//! cases count as failed there. Colours are used only on a terminal without
//! `NO_COLOR`.

use std::io::Write;

use indicatif::ProgressBar;

use crate::report::gate::Gate;
use crate::report::transcript::{failure_lines, severity_name, step_heading};
use crate::runner::{
    CaseResult, EventSink, Outcome, RunEvent, RunReport, SnapshotStatus, StepOutcome, Summary,
};
use crate::template::Redactor;
use crate::text::{Mark, clip};

const INDENT: &str = "         ";
/// Longest response body shown on a failure's `response:` line (characters).
const MAX_RESPONSE_LINE: usize = 300;

/// `okta/push-new-user` for `okta/push-new-user.yaml`.
pub fn suite_label(source: &str) -> String {
    source
        .strip_suffix(".yaml")
        .or_else(|| source.strip_suffix(".yml"))
        .unwrap_or(source)
        .to_owned()
}

/// `okta/push-new-user › a new user is created`.
pub fn case_label(case: &CaseResult) -> String {
    format!("{} › {}", suite_label(&case.suite), case.name)
}

/// Writes status lines as cases finish, draws the progress bar, and writes
/// the closing lines.
pub struct ConsoleReporter<W: Write> {
    out: W,
    color: bool,
    redactor: Redactor,
    bar: Option<ProgressBar>,
    /// The closing lines wait for [`ConsoleReporter::close`].
    gated: bool,
    target: String,
}

impl<W: Write> std::fmt::Debug for ConsoleReporter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleReporter")
            .field("color", &self.color)
            .field("bar", &self.bar.is_some())
            .field("gated", &self.gated)
            .finish_non_exhaustive()
    }
}

impl<W: Write> ConsoleReporter<W> {
    /// A reporter writing to `out`; `color` enables ANSI colours; `secrets` are redacted.
    /// It writes the `Summary:` line when the run finishes.
    pub fn new(out: W, color: bool, secrets: Vec<String>) -> Self {
        Self {
            out,
            color,
            redactor: Redactor::new(secrets),
            bar: None,
            gated: false,
            target: String::new(),
        }
    }

    /// Draws a progress bar on stderr when `enabled` (see
    /// [`crate::report::progress::wanted`]); the status lines are printed
    /// above it and it is cleared when the run finishes.
    #[must_use]
    pub fn with_progress(mut self, enabled: bool) -> Self {
        self.bar = enabled.then(crate::report::progress::bar);
        self
    }

    /// Leaves the closing lines (root causes, snapshots, gate, summary) to
    /// [`ConsoleReporter::close`], called with the run's gate.
    #[must_use]
    pub fn gated(mut self) -> Self {
        self.gated = true;
        self
    }

    /// Whether a progress bar is drawn.
    pub fn is_drawing(&self) -> bool {
        self.bar.is_some()
    }

    /// Writes the closing lines of a finished run: the root causes of its
    /// failures, the `Snapshots:` line, the gate's lines, then the summary.
    pub fn close(&mut self, report: &RunReport, gate: &Gate) {
        let cases: Vec<CaseResult> = report.cases().cloned().collect();
        let causes = crate::report::causes::root_causes(&cases, &self.target);
        let mut text = crate::report::causes::console_text(&causes);
        text.push_str(&crate::report::snapshots::console_line(&cases, gate));
        text.push_str(&gate.console_text());
        text.push_str(&summary_line(&report.summary));
        self.write(&text);
    }

    /// Whether colours should be used for stdout: a terminal and no `NO_COLOR`.
    pub fn stdout_wants_color() -> bool {
        use std::io::IsTerminal;
        std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn write(&mut self, text: &str) {
        let text = self.redactor.redact(text);
        let out = &mut self.out;
        // A closed stdout (`| head`) must not abort the run.
        let mut put = || {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        };
        match &self.bar {
            Some(bar) => bar.suspend(put),
            None => put(),
        }
    }

    fn case_text(&self, case: &CaseResult) -> String {
        let (label, code) = match &case.outcome {
            Outcome::Passed => ("PASS", "1;32"),
            Outcome::Failed(_) => ("FAIL", "1;31"),
            Outcome::Errored(_) => ("ERROR", "1;31"),
            Outcome::Skipped(_) => ("SKIP", "1;33"),
        };
        let secs = case.duration_ms as f64 / 1000.0;
        let status = self.paint(&format!("{label:>8}"), code);
        let mut out = format!("{status} [{secs:>8.3}s] {}", case_label(case));
        if let Outcome::Skipped(reason) = &case.outcome {
            out.push_str(&format!(" ({reason})"));
        }
        out.push('\n');
        if matches!(case.outcome, Outcome::Failed(_) | Outcome::Errored(_)) {
            out.push_str(&format!(
                "{INDENT}severity: {}\n",
                severity_name(case.severity)
            ));
            out.push_str(&format!("{INDENT}why: {}\n", case.why));
            if let Some(step) = case.failing_step() {
                out.push_str(&format!("{INDENT}{}\n", step_heading(step)));
                for f in &step.failures {
                    out.push_str(&failure_lines(f, INDENT));
                }
                if let StepOutcome::Errored(e) = &step.outcome {
                    out.push_str(&format!("{INDENT}error: {e}\n"));
                }
                if let Some(x) = step.exchanges.last()
                    && let Some(status) = x.status
                {
                    let body = clip(
                        &x.response_body.replace('\n', " "),
                        MAX_RESPONSE_LINE,
                        Mark::Ellipsis,
                    );
                    out.push_str(&format!("{INDENT}response: {status} {body}\n"));
                }
            } else if let Outcome::Errored(e) = &case.outcome {
                out.push_str(&format!("{INDENT}error: {e}\n"));
            } else if let Outcome::Failed(failures) = &case.outcome {
                // A run-level check (the declared-schema audit) has no steps.
                for f in failures {
                    out.push_str(&failure_lines(f, INDENT));
                }
            }
        }
        for (step, check) in case.snapshot_checks() {
            let Some(sentence) = crate::report::snapshots::check_sentence(step, check) else {
                continue;
            };
            if let SnapshotStatus::Drift { diff, .. } = &check.outcome {
                let label = self.paint("DRIFT", "1;33");
                out.push_str(&format!("{INDENT}{label} {sentence}\n"));
                for line in diff.lines() {
                    out.push_str(&format!("{INDENT}    {line}\n"));
                }
            } else {
                out.push_str(&format!("{INDENT}note: {sentence}\n"));
            }
        }
        for w in &case.warnings {
            out.push_str(&format!("{INDENT}warning: {w}\n"));
        }
        out
    }
}

/// `Summary: N passed, N failed, N skipped` (errored cases count as failed).
fn summary_line(summary: &Summary) -> String {
    format!(
        "Summary: {} passed, {} failed, {} skipped\n",
        summary.passed,
        summary.failed + summary.errored,
        summary.skipped
    )
}

impl<W: Write> EventSink for ConsoleReporter<W> {
    fn event(&mut self, event: &RunEvent) {
        if let Some(bar) = &self.bar {
            match event {
                RunEvent::RunStarted { cases, .. } => bar.set_length(*cases as u64),
                RunEvent::CaseStarted { suite, case } => {
                    let label = format!("{} › {case}", suite_label(suite));
                    bar.set_message(self.redactor.redact(&label));
                }
                RunEvent::CaseFinished(c) => {
                    bar.inc(1);
                    bar.set_message(self.redactor.redact(&case_label(c)));
                }
                RunEvent::RunFinished { .. } => bar.finish_and_clear(),
            }
        }
        match event {
            RunEvent::RunStarted {
                target,
                suites,
                cases,
            } => {
                self.target.clone_from(target);
                let plural = |n: usize, w: &str| {
                    if n == 1 {
                        format!("{n} {w}")
                    } else {
                        format!("{n} {w}s")
                    }
                };
                let head = self.paint(&format!("{:>8}", "Starting"), "1;32");
                let text = format!(
                    "{head} {} across {} (target {target})\n",
                    plural(*cases, "case"),
                    plural(*suites, "suite")
                );
                self.write(&text);
            }
            RunEvent::CaseStarted { .. } => {}
            RunEvent::CaseFinished(case) => {
                let text = self.case_text(case);
                self.write(&text);
            }
            RunEvent::RunFinished { .. } if self.gated => {}
            RunEvent::RunFinished { summary, .. } => {
                let text = summary_line(summary);
                self.write(&text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Severity;
    use crate::runner::Summary;

    fn case(outcome: Outcome) -> CaseResult {
        CaseResult {
            suite: "okta/push-new-user.yaml".into(),
            name: "a new user is created".into(),
            severity: Severity::Required,
            why: "w".into(),
            tags: Vec::new(),
            outcome,
            steps: Vec::new(),
            cleanup: Vec::new(),
            warnings: Vec::new(),
            duration_ms: 12,
        }
    }

    fn render(color: bool, events: &[RunEvent]) -> String {
        let mut r = ConsoleReporter::new(Vec::new(), color, vec!["sekret-token".into()]);
        for e in events {
            r.event(e);
        }
        String::from_utf8(r.into_inner()).expect("utf-8")
    }

    #[test]
    fn lines_are_aligned_like_nextest_and_colour_is_optional() {
        let events = [
            RunEvent::CaseFinished(Box::new(case(Outcome::Passed))),
            RunEvent::CaseFinished(Box::new(case(Outcome::Skipped("no sekret-token".into())))),
            RunEvent::RunFinished {
                summary: Summary {
                    passed: 1,
                    failed: 1,
                    errored: 2,
                    skipped: 1,
                },
                duration_ms: 3,
            },
        ];
        let plain = render(false, &events);
        assert_eq!(
            plain,
            "    PASS [   0.012s] okta/push-new-user › a new user is created\n\
             \x20   SKIP [   0.012s] okta/push-new-user › a new user is created (no ***)\n\
             Summary: 1 passed, 3 failed, 1 skipped\n"
        );
        let coloured = render(true, &events);
        assert!(
            coloured.contains("\x1b[1;32m    PASS\x1b[0m"),
            "{coloured:?}"
        );
        assert!(coloured.ends_with("Summary: 1 passed, 3 failed, 1 skipped\n"));
    }
}
