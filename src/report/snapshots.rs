//! Snapshot outcomes as the reports show them: the per-case lines (recorded,
//! updated, skipped, drift), the run's `Snapshots:` console line, and the
//! drift entries of the JSON report. Drift is an outcome of its own beside
//! the case's verdict; it gates the run only with `--fail-on-drift` (see
//! [`crate::report::gate`]). Pure: it reads results and builds text.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::report::gate::Gate;
use crate::runner::{CaseResult, RunReport, SnapshotCheck, SnapshotStatus, StepResult};

/// Counts of snapshot check outcomes over a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SnapshotCounts {
    /// Matched their stored snapshot.
    pub matched: usize,
    /// Recorded (none was stored).
    pub recorded: usize,
    /// Overwritten (`--snapshots always`).
    pub updated: usize,
    /// Not checked (none stored and `--snapshots no`, or unreadable).
    pub skipped: usize,
    /// Drifted from their stored snapshot.
    pub drift: usize,
}

impl SnapshotCounts {
    /// Counts the snapshot checks of `cases`.
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseResult>) -> Self {
        let mut n = Self::default();
        for case in cases {
            for (_, check) in case.snapshot_checks() {
                match check.outcome {
                    SnapshotStatus::Matched => n.matched += 1,
                    SnapshotStatus::Recorded => n.recorded += 1,
                    SnapshotStatus::Updated => n.updated += 1,
                    SnapshotStatus::Skipped { .. } => n.skipped += 1,
                    SnapshotStatus::Drift { .. } => n.drift += 1,
                }
            }
        }
        n
    }
}

/// One drifted snapshot, for the JSON report's `drift` array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftEntry {
    /// Suite source path.
    pub suite: String,
    /// Case name.
    pub case: String,
    /// The step's position in the case.
    pub step: usize,
    /// The snapshot's name.
    pub snapshot: String,
    /// The stored snapshot.
    pub path: String,
    /// Unified diff, stored → received.
    pub diff: String,
    /// The `.snap.new` written for review, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
}

/// Every drifted snapshot of the run, in report order.
pub fn drift_entries(report: &RunReport) -> Vec<DriftEntry> {
    let mut out = Vec::new();
    for case in report.cases() {
        for (step, check) in case.drift() {
            if let SnapshotStatus::Drift { diff, pending } = &check.outcome {
                out.push(DriftEntry {
                    suite: case.suite.clone(),
                    case: case.name.clone(),
                    step: step.index,
                    snapshot: check.name.clone(),
                    path: check.path.clone(),
                    diff: diff.clone(),
                    pending: pending.clone(),
                });
            }
        }
    }
    out
}

/// One sentence about a snapshot check that did not simply match (`None`
/// when it matched): `snapshot `created-user` recorded in …`.
pub fn check_sentence(step: &StepResult, check: &SnapshotCheck) -> Option<String> {
    let name = &check.name;
    let at = step.index;
    Some(match &check.outcome {
        SnapshotStatus::Matched => return None,
        SnapshotStatus::Recorded => {
            format!("snapshot `{name}` (step {at}) recorded in {}", check.path)
        }
        SnapshotStatus::Updated => {
            format!("snapshot `{name}` (step {at}) updated in {}", check.path)
        }
        SnapshotStatus::Skipped { reason } => {
            format!("snapshot `{name}` (step {at}) not checked: {reason}")
        }
        SnapshotStatus::Drift { pending, .. } => {
            let review = match pending {
                Some(p) => format!(
                    "; the new version is in {p} (`scimulator snapshots review` to accept it)"
                ),
                None if check.path.starts_with(crate::snapshot::BUNDLED_PREFIX) => {
                    "; bundled snapshots are read-only".to_owned()
                }
                None => String::new(),
            };
            format!(
                "snapshot `{name}` (step {at}) differs from {}{review}",
                check.path
            )
        }
    })
}

/// The folder holding a snapshot file of `suite`:
/// `<dir>/suites/<suite>/<file>` → `<dir>`.
fn folder_of(path: &str, suite: &str) -> String {
    let stem = suite
        .strip_suffix(".yaml")
        .or_else(|| suite.strip_suffix(".yml"))
        .unwrap_or(suite);
    let depth = Path::new(stem)
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .count()
        + 2;
    Path::new(path)
        .ancestors()
        .nth(depth)
        .map(|p| p.display().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| ".".to_owned())
}

/// The distinct folders of the checks of `cases` with status `label`.
fn folders(cases: &[CaseResult], label: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for case in cases {
        for (_, check) in case.snapshot_checks() {
            if check.outcome.label() == label {
                let f = folder_of(&check.path, &case.suite);
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
    }
    out
}

/// The skipped checks of `cases` grouped by reason: `(reason, count, folders)`.
fn skipped_by_reason(cases: &[CaseResult]) -> Vec<(String, usize, Vec<String>)> {
    let mut out: Vec<(String, usize, Vec<String>)> = Vec::new();
    for case in cases {
        for (_, check) in case.snapshot_checks() {
            let SnapshotStatus::Skipped { reason } = &check.outcome else {
                continue;
            };
            let folder = folder_of(&check.path, &case.suite);
            let i = match out.iter().position(|(r, _, _)| r == reason) {
                Some(i) => i,
                None => {
                    out.push((reason.clone(), 0, Vec::new()));
                    out.len() - 1
                }
            };
            let entry = &mut out[i];
            entry.1 += 1;
            if !entry.2.contains(&folder) {
                entry.2.push(folder);
            }
        }
    }
    out
}

/// The run's `Snapshots:` console line, empty when every check matched (or
/// there was none):
///
/// ```text
/// Snapshots: 4 recorded in .scimulator/snapshots/127.0.0.1_8080_scim_v2 (the first run against this target; later runs compare with them)
/// ```
pub fn console_line(cases: &[CaseResult], gate: &Gate) -> String {
    let n = SnapshotCounts::of(cases);
    if n.recorded + n.updated + n.skipped + n.drift == 0 {
        return String::new();
    }
    let mut parts = Vec::new();
    if n.drift > 0 {
        let effect = if gate.fail_on_drift {
            "failing the run: --fail-on-drift"
        } else {
            "not failing the run; --fail-on-drift makes it fail"
        };
        parts.push(format!(
            "{} drifted (the response differs from the stored snapshot; {effect})",
            n.drift
        ));
    }
    if n.recorded > 0 {
        parts.push(format!(
            "{} recorded in {} (the first run against this target; later runs compare with them)",
            n.recorded,
            folders(cases, "recorded").join(", ")
        ));
    }
    if n.updated > 0 {
        parts.push(format!("{} updated", n.updated));
    }
    for (reason, count, folders) in skipped_by_reason(cases) {
        let hint = if reason.contains("--snapshots no") {
            "; run once with `--snapshots new` (the default outside CI) to record them"
        } else {
            ""
        };
        parts.push(format!(
            "{count} not checked: {reason} (in {}){hint}",
            folders.join(", ")
        ));
    }
    if n.matched > 0 {
        parts.push(format!("{} matched", n.matched));
    }
    let mut out = String::new();
    let _ = writeln!(out, "Snapshots: {}", parts.join("; "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Severity;
    use crate::runner::{Outcome, StepOutcome};

    fn case_with(outcome: SnapshotStatus, path: &str) -> CaseResult {
        CaseResult {
            suite: "okta/push-new-user.yaml".into(),
            name: "c".into(),
            severity: Severity::Required,
            why: "w".into(),
            tags: vec![],
            outcome: Outcome::Passed,
            steps: vec![StepResult {
                index: 5,
                name: "GET /Users/{{ id }}".into(),
                request_line: "GET /Users/1".into(),
                origin: None,
                outcome: StepOutcome::Passed,
                failures: vec![],
                exchanges: vec![],
                snapshot: Some(SnapshotCheck {
                    name: "created-user".into(),
                    path: path.into(),
                    outcome,
                }),
                duration_ms: 0,
            }],
            cleanup: vec![],
            warnings: vec![],
            duration_ms: 0,
        }
    }

    const PATH: &str =
        ".scimulator/snapshots/h_1_v2/suites/okta/push-new-user/c__created_user.snap";

    #[test]
    fn the_console_line_counts_each_outcome_and_names_the_folder() {
        let gate = |cases: &[CaseResult]| {
            Gate::new(
                cases.iter(),
                Severity::Recommended,
                None,
                time::macros::date!(2026 - 01 - 01),
            )
        };
        let recorded = [
            case_with(SnapshotStatus::Recorded, PATH),
            case_with(SnapshotStatus::Recorded, PATH),
        ];
        assert_eq!(
            console_line(&recorded, &gate(&recorded)),
            "Snapshots: 2 recorded in .scimulator/snapshots/h_1_v2 (the first run against this target; later runs compare with them)\n"
        );
        let matched = [case_with(SnapshotStatus::Matched, PATH)];
        assert_eq!(console_line(&matched, &gate(&matched)), "");
        let mixed = [
            case_with(
                SnapshotStatus::Drift {
                    diff: "-a\n+b".into(),
                    pending: None,
                },
                PATH,
            ),
            case_with(
                SnapshotStatus::Skipped {
                    reason: "none stored, and `--snapshots no` records none".into(),
                },
                PATH,
            ),
            case_with(SnapshotStatus::Matched, PATH),
        ];
        let g = gate(&mixed);
        let line = console_line(&mixed, &g);
        assert!(
            line.starts_with("Snapshots: 1 drifted (the response differs from the stored snapshot; not failing the run; --fail-on-drift makes it fail); 1 not checked: none stored, and `--snapshots no` records none (in .scimulator/snapshots/h_1_v2); run once with `--snapshots new` (the default outside CI) to record them; 1 matched"),
            "{line}"
        );
        assert!(line.ends_with("; 1 matched\n"), "{line}");
        let line = console_line(&mixed, &g.with_fail_on_drift(true));
        assert!(line.contains("failing the run: --fail-on-drift"), "{line}");
    }

    #[test]
    fn folders_strip_the_suite_and_file() {
        assert_eq!(
            folder_of(PATH, "okta/push-new-user.yaml"),
            ".scimulator/snapshots/h_1_v2"
        );
        assert_eq!(folder_of("suites/x/c__n.snap", "x.yaml"), ".");
        assert_eq!(
            folder_of("/abs/snaps/suites/s/c__n.snap", "s.yml"),
            "/abs/snaps"
        );
    }
}
