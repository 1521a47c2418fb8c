//! The capability scorecard shared by the HTML and markdown reports: which
//! IdP capability (connector, import, create, …) works with which IdP
//! profile, derived from suite and case tags. Also the run context the rich
//! reports print (profiles, version, gate).

use std::collections::BTreeMap;

use crate::report::gate::{Gate, Verdict};
use crate::runner::{CaseResult, RunReport};

/// The capabilities shown on the scorecard, in order: `(name, tags that mark it)`.
pub const CAPABILITIES: [(&str, &[&str]); 8] = [
    ("connector", &["connector"]),
    ("import", &["import"]),
    ("create", &["create"]),
    ("update", &["update"]),
    ("role", &["role", "roles"]),
    ("deactivate", &["deactivate", "lifecycle", "reactivate"]),
    ("groups", &["groups", "group"]),
    ("auth", &["auth", "revoked-token"]),
];

/// The row for cases carrying none of the capability tags.
pub const OTHER: &str = "other";

/// Everything the rich reports need besides the [`RunReport`].
#[derive(Debug, Clone)]
pub struct ReportContext {
    /// The gate verdicts (one per case, in report order).
    pub gate: Gate,
    /// IdP profile per suite source (`okta/push-new-user.yaml` → `okta`).
    pub profiles: BTreeMap<String, String>,
    /// scimulator's version.
    pub version: String,
}

impl ReportContext {
    /// The IdP profile a case ran with (`okta` when unknown, the runner's default).
    pub fn profile_of(&self, case: &CaseResult) -> &str {
        self.profiles
            .get(&case.suite)
            .map_or("okta", String::as_str)
    }

    /// The distinct profiles of the run, sorted.
    pub fn profiles_used(&self, report: &RunReport) -> Vec<String> {
        let mut p: Vec<String> = report
            .cases()
            .map(|c| self.profile_of(c).to_owned())
            .collect();
        p.sort();
        p.dedup();
        p
    }

    /// Each case of `report` with its verdict, in report order.
    pub fn judged<'a>(
        &'a self,
        report: &'a RunReport,
    ) -> impl Iterator<Item = (&'a CaseResult, &'a Verdict)> {
        report.cases().zip(self.gate.verdicts.iter())
    }
}

/// The capabilities `case` exercises (by its tags); `other` when none.
pub fn capabilities_of(case: &CaseResult) -> Vec<&'static str> {
    let caps: Vec<&'static str> = CAPABILITIES
        .iter()
        .filter(|(_, tags)| case.tags.iter().any(|t| tags.contains(&t.as_str())))
        .map(|(name, _)| *name)
        .collect();
    if caps.is_empty() { vec![OTHER] } else { caps }
}

/// One cell: counts of the cases of one capability under one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cell {
    /// Passed (fixed included).
    pub passed: usize,
    /// Failed or errored, known included.
    pub failed: usize,
    /// Failed and known.
    pub known: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Cell {
    /// `ok` (all ran passed), `known` (only known failures), `fail`, or `none` (nothing ran).
    pub fn state(&self) -> &'static str {
        if self.passed + self.failed == 0 {
            "none"
        } else if self.failed == 0 {
            "ok"
        } else if self.failed == self.known {
            "known"
        } else {
            "fail"
        }
    }

    /// `3/4` (passed of those that ran), or `—`.
    pub fn text(&self) -> String {
        if self.passed + self.failed == 0 {
            if self.skipped > 0 {
                "skipped".to_owned()
            } else {
                "—".to_owned()
            }
        } else {
            format!("{}/{}", self.passed, self.passed + self.failed)
        }
    }
}

/// Rows (capabilities) × columns (profiles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scorecard {
    /// Column headers.
    pub profiles: Vec<String>,
    /// `(capability, one cell per profile)`; every capability, plus `other` when used.
    pub rows: Vec<(String, Vec<Cell>)>,
}

impl Scorecard {
    /// Builds the scorecard of a run.
    pub fn build(report: &RunReport, ctx: &ReportContext) -> Self {
        let profiles = ctx.profiles_used(report);
        let mut names: Vec<&str> = CAPABILITIES.iter().map(|(n, _)| *n).collect();
        names.push(OTHER);
        let mut grid: BTreeMap<(&str, usize), Cell> = BTreeMap::new();
        for (case, verdict) in ctx.judged(report) {
            let col = profiles
                .iter()
                .position(|p| p == ctx.profile_of(case))
                .unwrap_or(0);
            for cap in capabilities_of(case) {
                let cell = grid.entry((cap, col)).or_default();
                match verdict {
                    Verdict::Passed | Verdict::Fixed(_) => cell.passed += 1,
                    Verdict::Skipped => cell.skipped += 1,
                    Verdict::Known(_) => {
                        cell.failed += 1;
                        cell.known += 1;
                    }
                    Verdict::Failed | Verdict::Expired(_) => cell.failed += 1,
                }
            }
        }
        let rows = names
            .into_iter()
            .filter(|n| *n != OTHER || grid.keys().any(|(c, _)| *c == OTHER))
            .map(|n| {
                let cells = (0..profiles.len())
                    .map(|col| grid.get(&(n, col)).copied().unwrap_or_default())
                    .collect();
                (n.to_owned(), cells)
            })
            .collect();
        Self { profiles, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Severity;
    use crate::runner::{Outcome, Summary};

    fn case(suite: &str, tags: &[&str], outcome: Outcome) -> CaseResult {
        CaseResult {
            suite: suite.into(),
            name: format!("{suite} {tags:?}"),
            severity: Severity::Required,
            why: "w".into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            outcome,
            steps: vec![],
            cleanup: vec![],
            warnings: vec![],
            duration_ms: 0,
        }
    }

    #[test]
    fn cases_land_in_the_cells_of_their_tags_and_profiles() {
        let cases = vec![
            case("a.yaml", &["okta", "create"], Outcome::Passed),
            case(
                "a.yaml",
                &["okta", "create", "groups"],
                Outcome::Failed(vec![]),
            ),
            case("b.yaml", &["role"], Outcome::Passed),
            case("b.yaml", &["rate-limit"], Outcome::Skipped("x".into())),
        ];
        let report = RunReport {
            target: "t".into(),
            reference_server: false,
            started_at: "now".into(),
            duration_ms: 0,
            summary: Summary::of(&cases),
            suites: vec![crate::runner::SuiteResult {
                source: "a.yaml".into(),
                title: "a".into(),
                cases,
                duration_ms: 0,
            }],
        };
        let gate = Gate::of_report(
            &report,
            Severity::Required,
            None,
            time::macros::date!(2026 - 01 - 01),
        );
        let ctx = ReportContext {
            gate,
            profiles: [
                ("a.yaml".to_owned(), "okta".to_owned()),
                ("b.yaml".to_owned(), "entra".to_owned()),
            ]
            .into_iter()
            .collect(),
            version: "0".into(),
        };
        let card = Scorecard::build(&report, &ctx);
        assert_eq!(card.profiles, ["entra", "okta"]);
        let row = |n: &str| card.rows.iter().find(|(c, _)| c == n).expect(n).1.clone();
        assert_eq!(row("create")[1].text(), "1/2");
        assert_eq!(row("create")[1].state(), "fail");
        assert_eq!(row("groups")[1].text(), "0/1");
        assert_eq!(row("role")[0].state(), "ok");
        assert_eq!(row("other")[0].text(), "skipped");
        assert_eq!(row("auth")[0].text(), "—");
        assert_eq!(card.rows.len(), 9);
    }
}
