//! Gating: what the run's outcomes mean for CI, given `--fail-on`, an
//! optional baseline and `--fail-on-drift`. Every case gets a [`Verdict`];
//! counts per severity and the exit code follow from the verdicts. Snapshot
//! drift never changes a verdict: it fails the gate only with
//! `--fail-on-drift`. Pure logic: the CLI computes the gate once, from the
//! run report ([`Gate::of_report`]), maps it to the exit code and passes it
//! to every reporter; the console lines are built here and printed by
//! [`crate::report::ConsoleReporter::close`] just before the `Summary:`
//! line, after the root causes ([`crate::report::causes`]) and the snapshot
//! line.

use std::fmt::Write as _;

use time::Date;

use crate::report::baseline::{Baseline, BaselineEntry, show_date};
use crate::report::transcript::severity_name;
use crate::runner::Severity;
use crate::runner::{CaseResult, Outcome, RunReport};

/// What one case means for the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Passed, and no baseline entry names it.
    Passed,
    /// Passed although the baseline lists it: the entry should be removed.
    Fixed(BaselineEntry),
    /// Skipped.
    Skipped,
    /// Failed (or errored) with no baseline entry.
    Failed,
    /// Failed and listed in the baseline: does not fail the run.
    Known(BaselineEntry),
    /// Failed and listed, but the entry expired: fails again.
    Expired(BaselineEntry),
}

impl Verdict {
    /// `passed`, `fixed`, `skipped`, `failed`, `known` or `expired`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Fixed(_) => "fixed",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Known(_) => "known",
            Self::Expired(_) => "expired",
        }
    }

    /// Whether the case failed (known failures included).
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failed | Self::Known(_) | Self::Expired(_))
    }
}

/// Outcome counts of one severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct SeverityCounts {
    /// Passed cases (fixed ones included).
    pub passed: usize,
    /// Failed or errored cases (known ones included).
    pub failed: usize,
    /// Failed cases covered by an unexpired baseline entry.
    pub known: usize,
    /// Skipped cases.
    pub skipped: usize,
}

impl SeverityCounts {
    /// Cases that ran (passed + failed).
    pub fn ran(&self) -> usize {
        self.passed + self.failed
    }
}

/// The gate over a whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// Lowest severity whose failures fail the run.
    pub fail_on: Severity,
    /// The baseline file as given, if any.
    pub baseline: Option<String>,
    /// One verdict per case, in the order of the cases given.
    pub verdicts: Vec<Verdict>,
    /// `(suite, case, severity)` of each case, parallel to `verdicts`.
    pub cases: Vec<(String, String, Severity)>,
    /// Baseline entries that named no case of this run.
    pub unmatched: Vec<BaselineEntry>,
    /// Whether any case errored (harness error: exit 3).
    pub errored: bool,
    /// The day entries were checked against.
    pub today: Date,
    /// Snapshot checks that found drift, over all cases.
    pub drifted: usize,
    /// Whether drift fails the run (`--fail-on-drift`).
    pub fail_on_drift: bool,
}

/// What the run means for CI (the CLI maps it to exit codes 0, 1 and 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateOutcome {
    /// Nothing blocks.
    Passed,
    /// A failure at or above `--fail-on`, not covered by an unexpired
    /// baseline entry, or drift with `--fail-on-drift`.
    Failed,
    /// A case could not be run (harness error).
    Errored,
}

/// Severities from the most to the least important.
pub const SEVERITIES: [Severity; 3] = [
    Severity::Required,
    Severity::Recommended,
    Severity::Advisory,
];

impl Gate {
    /// Judges `cases` against `fail_on` and `baseline` on day `today`.
    pub fn new<'a>(
        cases: impl IntoIterator<Item = &'a CaseResult>,
        fail_on: Severity,
        baseline: Option<(&str, &Baseline)>,
        today: Date,
    ) -> Self {
        let mut verdicts = Vec::new();
        let mut ids = Vec::new();
        let mut used = vec![false; baseline.map_or(0, |(_, b)| b.entries.len())];
        let mut errored = false;
        let mut drifted = 0;
        for c in cases {
            drifted += c.drift().count();
            let entry = baseline.and_then(|(_, b)| {
                b.entries
                    .iter()
                    .position(|e| e.matches(&c.suite, &c.name))
                    .map(|i| (i, &b.entries[i]))
            });
            if let Some((i, _)) = entry
                && let Some(u) = used.get_mut(i)
            {
                *u = true;
            }
            let entry = entry.map(|(_, e)| e.clone());
            let verdict = match (&c.outcome, entry) {
                (Outcome::Passed, Some(e)) => Verdict::Fixed(e),
                (Outcome::Passed, None) => Verdict::Passed,
                (Outcome::Skipped(_), _) => Verdict::Skipped,
                (Outcome::Errored(_), _) => {
                    errored = true;
                    Verdict::Failed
                }
                (Outcome::Failed(_), Some(e)) if e.expired_on(today) => Verdict::Expired(e),
                (Outcome::Failed(_), Some(e)) => Verdict::Known(e),
                (Outcome::Failed(_), None) => Verdict::Failed,
            };
            verdicts.push(verdict);
            ids.push((c.suite.clone(), c.name.clone(), c.severity));
        }
        let unmatched = baseline
            .map(|(_, b)| {
                b.entries
                    .iter()
                    .zip(&used)
                    .filter(|(_, u)| !**u)
                    .map(|(e, _)| e.clone())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            fail_on,
            baseline: baseline.map(|(p, _)| p.to_owned()),
            verdicts,
            cases: ids,
            unmatched,
            errored,
            today,
            drifted,
            fail_on_drift: false,
        }
    }

    /// The same gate, failing on drift when `on` (`--fail-on-drift`).
    #[must_use]
    pub fn with_fail_on_drift(mut self, on: bool) -> Self {
        self.fail_on_drift = on;
        self
    }

    /// Whether drift fails this run: there is some, and `--fail-on-drift` asks.
    pub fn drift_blocks(&self) -> bool {
        self.fail_on_drift && self.drifted > 0
    }

    /// The gate of a finished report.
    pub fn of_report(
        report: &RunReport,
        fail_on: Severity,
        baseline: Option<(&str, &Baseline)>,
        today: Date,
    ) -> Self {
        Self::new(report.cases(), fail_on, baseline, today)
    }

    /// Counts per severity, most important first.
    pub fn counts(&self) -> [(Severity, SeverityCounts); 3] {
        SEVERITIES.map(|sev| {
            let mut c = SeverityCounts::default();
            for (v, (_, _, s)) in self.verdicts.iter().zip(&self.cases) {
                if *s != sev {
                    continue;
                }
                match v {
                    Verdict::Passed | Verdict::Fixed(_) => c.passed += 1,
                    Verdict::Skipped => c.skipped += 1,
                    Verdict::Known(_) => {
                        c.failed += 1;
                        c.known += 1;
                    }
                    Verdict::Failed | Verdict::Expired(_) => c.failed += 1,
                }
            }
            (sev, c)
        })
    }

    /// Cases whose failure fails the run: failed or expired, at or above `fail_on`.
    pub fn blocking(&self) -> usize {
        self.verdicts
            .iter()
            .zip(&self.cases)
            .filter(|(v, (_, _, s))| {
                matches!(v, Verdict::Failed | Verdict::Expired(_)) && *s >= self.fail_on
            })
            .count()
    }

    /// Errored when a case errored, failed when a failure (or, with
    /// `--fail-on-drift`, drift) blocks, else passed.
    pub fn outcome(&self) -> GateOutcome {
        if self.errored {
            GateOutcome::Errored
        } else if self.blocking() > 0 || self.drift_blocks() {
            GateOutcome::Failed
        } else {
            GateOutcome::Passed
        }
    }

    /// `passed`, `failed` or `errored`.
    pub fn status_word(&self) -> &'static str {
        match self.outcome() {
            GateOutcome::Passed => "passed",
            GateOutcome::Failed => "failed",
            GateOutcome::Errored => "errored",
        }
    }

    /// `(suite, case, verdict)` of every case with a baseline verdict (known, fixed, expired).
    pub fn baseline_findings(&self) -> Vec<(&str, &str, &Verdict)> {
        self.verdicts
            .iter()
            .zip(&self.cases)
            .filter(|(v, _)| {
                matches!(
                    v,
                    Verdict::Known(_) | Verdict::Fixed(_) | Verdict::Expired(_)
                )
            })
            .map(|(v, (s, c, _))| (s.as_str(), c.as_str(), v))
            .collect()
    }

    /// Counts of known, fixed and expired verdicts.
    pub fn baseline_counts(&self) -> (usize, usize, usize) {
        let count = |f: fn(&Verdict) -> bool| self.verdicts.iter().filter(|v| f(v)).count();
        (
            count(|v| matches!(v, Verdict::Known(_))),
            count(|v| matches!(v, Verdict::Fixed(_))),
            count(|v| matches!(v, Verdict::Expired(_))),
        )
    }

    /// The per-severity line: `By severity: required 3 passed, 1 failed (1 known); …`.
    pub fn severity_line(&self) -> String {
        let parts: Vec<String> = self
            .counts()
            .iter()
            .map(|(sev, c)| {
                let mut s = format!(
                    "{} {} passed, {} failed",
                    severity_name(*sev),
                    c.passed,
                    c.failed
                );
                if c.known > 0 {
                    let _ = write!(s, " ({} known)", c.known);
                }
                if c.skipped > 0 {
                    let _ = write!(s, ", {} skipped", c.skipped);
                }
                s
            })
            .collect();
        format!("By severity: {}", parts.join("; "))
    }

    /// What one baseline finding means, in words.
    pub fn finding_text(&self, verdict: &Verdict) -> String {
        match verdict {
            Verdict::Known(e) => format!("known failure, not failing the run ({})", reason(e)),
            Verdict::Fixed(e) => format!(
                "passes now: remove this entry from the baseline ({})",
                reason(e)
            ),
            Verdict::Expired(e) => format!(
                "baseline entry expired on {}: failing again ({})",
                e.expires.map(show_date).unwrap_or_default(),
                reason(e)
            ),
            other => other.label().to_owned(),
        }
    }

    /// Lines printed before `Summary:`: severities, the baseline findings, the verdict.
    pub fn console_text(&self) -> String {
        let mut out = format!("{}\n", self.severity_line());
        if let Some(path) = &self.baseline {
            let (known, fixed, expired) = self.baseline_counts();
            let _ = writeln!(
                out,
                "Baseline {path}: {known} known, {fixed} fixed, {expired} expired"
            );
            for (suite, case, v) in self.baseline_findings() {
                let label = format!("{} › {case}", crate::report::suite_label(suite));
                let _ = writeln!(out, "  {:<8} {label}: {}", v.label(), self.finding_text(v));
            }
            for e in &self.unmatched {
                let _ = writeln!(
                    out,
                    "  {:<8} {} › {}: no such case in this run",
                    "unused",
                    crate::report::suite_label(&e.suite),
                    e.case
                );
            }
        }
        let _ = writeln!(out, "Gate: {}", self.gate_detail());
        out
    }

    /// `failed (fail-on recommended: 2 blocking failures)`, plus
    /// `; 1 drifted snapshot, --fail-on-drift` when drift blocks.
    pub fn gate_detail(&self) -> String {
        let drift = if self.drift_blocks() {
            format!(
                "; {} drifted snapshot{}, --fail-on-drift",
                self.drifted,
                if self.drifted == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        format!(
            "{} (fail-on {}: {} blocking failure{}{drift})",
            self.status_word(),
            severity_name(self.fail_on),
            self.blocking(),
            if self.blocking() == 1 { "" } else { "s" }
        )
    }
}

fn reason(e: &BaselineEntry) -> String {
    if e.reason.trim().is_empty() {
        "no reason given".to_owned()
    } else {
        e.reason.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn case(name: &str, severity: Severity, outcome: Outcome) -> CaseResult {
        CaseResult {
            suite: "s.yaml".into(),
            name: name.into(),
            severity,
            why: "w".into(),
            tags: vec![],
            outcome,
            steps: vec![],
            cleanup: vec![],
            warnings: vec![],
            duration_ms: 0,
        }
    }

    fn entry(case: &str, expires: Option<Date>) -> BaselineEntry {
        BaselineEntry {
            suite: "s".into(),
            case: case.into(),
            reason: "JIRA-1".into(),
            expires,
        }
    }

    fn failed() -> Outcome {
        Outcome::Failed(vec![])
    }

    #[test]
    fn exit_codes_follow_fail_on_and_the_baseline() {
        use Severity::*;
        let today = date!(2026 - 11 - 24);
        let cases = [
            case("req", Required, failed()),
            case("rec", Recommended, failed()),
            case("adv", Advisory, failed()),
            case("ok", Required, Outcome::Passed),
        ];
        let known_req = Baseline {
            version: 1,
            entries: vec![entry("req", Some(date!(2026 - 11 - 24)))],
        };
        let expired_req = Baseline {
            version: 1,
            entries: vec![entry("req", Some(date!(2026 - 11 - 23)))],
        };
        let all_known = Baseline {
            version: 1,
            entries: vec![entry("req", None), entry("rec", None), entry("adv", None)],
        };
        let (pass, fail) = (GateOutcome::Passed, GateOutcome::Failed);
        let table: [(&[CaseResult], Severity, Option<&Baseline>, GateOutcome); 10] = [
            (&cases, Required, None, fail),
            (&cases[1..], Required, None, pass),
            (&cases[1..], Recommended, None, fail),
            (&cases[2..], Recommended, None, pass),
            (&cases[2..], Advisory, None, fail),
            (&cases[..1], Required, Some(&known_req), pass),
            (&cases[..1], Required, Some(&expired_req), fail),
            (&cases, Advisory, Some(&all_known), pass),
            (&cases, Advisory, Some(&known_req), fail),
            (&cases[3..], Advisory, Some(&all_known), pass),
        ];
        for (i, (cs, fail_on, baseline, want)) in table.iter().enumerate() {
            let gate = Gate::new(cs.iter(), *fail_on, baseline.map(|b| ("b.yaml", b)), today);
            assert_eq!(gate.outcome(), *want, "row {i}: {}", gate.console_text());
        }
    }

    #[test]
    fn drift_fails_the_gate_only_with_fail_on_drift() {
        use crate::runner::{SnapshotCheck, SnapshotStatus, StepOutcome, StepResult};
        let mut drifted = case("d", Severity::Required, Outcome::Passed);
        drifted.steps.push(StepResult {
            index: 1,
            name: "GET /x".into(),
            request_line: "GET /x".into(),
            origin: None,
            outcome: StepOutcome::Passed,
            failures: vec![],
            exchanges: vec![],
            snapshot: Some(SnapshotCheck {
                name: "n".into(),
                path: "p".into(),
                outcome: SnapshotStatus::Drift {
                    diff: "-a\n+b".into(),
                    pending: None,
                },
            }),
            duration_ms: 0,
        });
        let today = date!(2026 - 01 - 01);
        let cases = [drifted, case("ok", Severity::Required, Outcome::Passed)];
        let gate = Gate::new(cases.iter(), Severity::Advisory, None, today);
        assert_eq!(gate.verdicts, [Verdict::Passed, Verdict::Passed]);
        assert_eq!(gate.drifted, 1);
        assert_eq!(gate.outcome(), GateOutcome::Passed);
        assert!(
            gate.console_text()
                .contains("Gate: passed (fail-on advisory: 0 blocking failures)\n")
        );
        let gate = gate.with_fail_on_drift(true);
        assert_eq!(gate.outcome(), GateOutcome::Failed);
        assert_eq!(gate.blocking(), 0, "drift is not a failing case");
        assert!(
            gate.console_text().contains(
                "Gate: failed (fail-on advisory: 0 blocking failures; 1 drifted snapshot, --fail-on-drift)"
            ),
            "{}",
            gate.console_text()
        );
        let clean =
            Gate::new(cases[1..].iter(), Severity::Advisory, None, today).with_fail_on_drift(true);
        assert_eq!(clean.outcome(), GateOutcome::Passed);
    }

    #[test]
    fn an_errored_case_errors_the_gate_even_when_known() {
        let cs = [case(
            "e",
            Severity::Advisory,
            Outcome::Errored(crate::runner::RunError::new(
                crate::runner::RunErrorKind::Plan,
                "x",
            )),
        )];
        let b = Baseline {
            version: 1,
            entries: vec![entry("e", None)],
        };
        let gate = Gate::new(
            cs.iter(),
            Severity::Required,
            Some(("b", &b)),
            date!(2026 - 01 - 01),
        );
        assert_eq!(gate.outcome(), GateOutcome::Errored);
    }

    #[test]
    fn console_text_names_known_fixed_expired_and_unused_entries() {
        let cs = [
            case("known", Severity::Required, failed()),
            case("fixed", Severity::Required, Outcome::Passed),
            case("expired", Severity::Recommended, failed()),
            case("skip", Severity::Advisory, Outcome::Skipped("no".into())),
        ];
        let b = Baseline {
            version: 1,
            entries: vec![
                entry("known", None),
                entry("fixed", None),
                entry("expired", Some(date!(2026 - 11 - 01))),
                entry("gone", None),
            ],
        };
        let gate = Gate::new(
            cs.iter(),
            Severity::Recommended,
            Some(("b.yaml", &b)),
            date!(2026 - 11 - 24),
        );
        let text = gate.console_text();
        for needle in [
            "By severity: required 1 passed, 1 failed (1 known); recommended 0 passed, 1 failed; advisory 0 passed, 0 failed, 1 skipped",
            "Baseline b.yaml: 1 known, 1 fixed, 1 expired",
            "known    s › known: known failure, not failing the run (JIRA-1)",
            "fixed    s › fixed: passes now: remove this entry from the baseline",
            "expired  s › expired: baseline entry expired on 2026-11-01: failing again",
            "unused   s › gone: no such case in this run",
            "Gate: failed (fail-on recommended: 1 blocking failure)",
        ] {
            assert!(text.contains(needle), "missing `{needle}` in\n{text}");
        }
    }
}
