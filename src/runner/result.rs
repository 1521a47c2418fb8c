//! What a run produced: every suite, case, step and HTTP exchange.

use serde::{Deserialize, Serialize};

use crate::assert::Failure;
use crate::runner::RunError;
use crate::suite::model::Severity;

/// One HTTP request and its response, as sent and received (secrets redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// HTTP method.
    pub method: String,
    /// Full URL with query string.
    pub url: String,
    /// Request headers in the order sent.
    pub request_headers: Vec<(String, String)>,
    /// Request body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    /// Response status (absent when no response came back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response headers in arrival order.
    pub response_headers: Vec<(String, String)>,
    /// Response body as text.
    pub response_body: String,
    /// Time from sending to the full body, in milliseconds.
    pub duration_ms: u64,
    /// The IdP action this request came from (`okta: deactivate_user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Why this exchange happened besides the step itself (`429 attempt 2`, `redirect`, `page 3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum StepOutcome {
    /// Every check held.
    Passed,
    /// At least one check failed.
    Failed,
    /// The harness could not run the step.
    Errored(RunError),
    /// Not sent (a `when` condition was false, or an earlier step failed).
    Skipped(String),
}

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// 1-based position in the case (cleanup steps continue the count).
    pub index: usize,
    /// The step's label or its request line (`GET /Users/{{ id }}` rendered).
    pub name: String,
    /// The rendered request line (`GET /Users/2819c223`).
    pub request_line: String,
    /// The IdP action this step came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// How it ended.
    pub outcome: StepOutcome,
    /// The failed checks (empty unless `Failed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Failure>,
    /// Every exchange, retries, redirects and pages included.
    pub exchanges: Vec<Exchange>,
    /// What the step's snapshot check found (`expect.snapshot`), when it ran.
    /// It never changes the step's outcome: drift is reported beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotCheck>,
    /// Wall time of the step in milliseconds.
    pub duration_ms: u64,
}

/// One snapshot check of a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotCheck {
    /// The snapshot's name (`expect.snapshot`).
    pub name: String,
    /// The stored snapshot, or where a missing one is (or would be)
    /// recorded; `bundled:snapshots/…` for one compiled into scimulator.
    pub path: String,
    /// What happened.
    pub outcome: SnapshotStatus,
}

/// What a snapshot check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SnapshotStatus {
    /// The response matches the stored snapshot.
    Matched,
    /// There was none; the response was recorded as the snapshot.
    Recorded,
    /// It differed and was overwritten (`--snapshots always`).
    Updated,
    /// Not checked, with the reason (none stored and `--snapshots no`).
    Skipped {
        /// Why.
        reason: String,
    },
    /// The response differs from the stored snapshot. Not a failure of the
    /// case; it fails the run only with `--fail-on-drift`.
    Drift {
        /// Unified diff, stored → received.
        diff: String,
        /// The `.snap.new` written for review (`--snapshots new`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pending: Option<String>,
    },
}

impl SnapshotStatus {
    /// `matched`, `recorded`, `updated`, `skipped` or `drift`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Matched => "matched",
            Self::Recorded => "recorded",
            Self::Updated => "updated",
            Self::Skipped { .. } => "skipped",
            Self::Drift { .. } => "drift",
        }
    }
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    /// Every step passed.
    Passed,
    /// A check failed; these are the failures of the failing step.
    Failed(Vec<Failure>),
    /// The harness could not run the case.
    Errored(RunError),
    /// Not run, with the reason. A skip is never a pass.
    Skipped(String),
}

impl Outcome {
    /// `PASS`, `FAIL`, `ERROR` or `SKIP`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Passed => "PASS",
            Self::Failed(_) => "FAIL",
            Self::Errored(_) => "ERROR",
            Self::Skipped(_) => "SKIP",
        }
    }
}

/// One case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The suite's source path (`okta/push-new-user.yaml`).
    pub suite: String,
    /// Case name.
    pub name: String,
    /// Effective severity (the case's, else the suite's).
    pub severity: Severity,
    /// Which IdP behaviour breaks when this case fails.
    pub why: String,
    /// Suite and case tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// The steps, in order.
    pub steps: Vec<StepResult>,
    /// The cleanup steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleanup: Vec<StepResult>,
    /// Cleanup failures and other remarks that do not change the outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl CaseResult {
    /// Every snapshot check of the case's steps (cleanup included), in order.
    pub fn snapshot_checks(&self) -> impl Iterator<Item = (&StepResult, &SnapshotCheck)> {
        self.steps
            .iter()
            .chain(self.cleanup.iter())
            .filter_map(|s| s.snapshot.as_ref().map(|c| (s, c)))
    }

    /// The snapshot checks that found drift.
    pub fn drift(&self) -> impl Iterator<Item = (&StepResult, &SnapshotCheck)> {
        self.snapshot_checks()
            .filter(|(_, c)| matches!(c.outcome, SnapshotStatus::Drift { .. }))
    }

    /// The step that decided a failed or errored outcome.
    pub fn failing_step(&self) -> Option<&StepResult> {
        self.steps
            .iter()
            .find(|s| matches!(s.outcome, StepOutcome::Failed | StepOutcome::Errored(_)))
    }
}

/// One suite file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteResult {
    /// Source path.
    pub source: String,
    /// Title.
    pub title: String,
    /// The selected cases, in order.
    pub cases: Vec<CaseResult>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

/// Counts of case outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Passed cases.
    pub passed: usize,
    /// Failed cases (errored ones not included).
    pub failed: usize,
    /// Errored cases.
    pub errored: usize,
    /// Skipped cases.
    pub skipped: usize,
}

impl Summary {
    /// Counts the outcomes of `cases`.
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseResult>) -> Self {
        let mut s = Self::default();
        for c in cases {
            match c.outcome {
                Outcome::Passed => s.passed += 1,
                Outcome::Failed(_) => s.failed += 1,
                Outcome::Errored(_) => s.errored += 1,
                Outcome::Skipped(_) => s.skipped += 1,
            }
        }
        s
    }
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// The SCIM base URL the run targeted.
    pub target: String,
    /// Whether the target was scimulator's embedded reference server.
    pub reference_server: bool,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Outcome counts.
    pub summary: Summary,
    /// Every suite in order.
    pub suites: Vec<SuiteResult>,
}

impl RunReport {
    /// Every case of every suite.
    pub fn cases(&self) -> impl Iterator<Item = &CaseResult> {
        self.suites.iter().flat_map(|s| s.cases.iter())
    }
}
