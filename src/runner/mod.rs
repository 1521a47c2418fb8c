//! The HTTP runner: executes planned suites against a target and records
//! everything that happened. It owns planning (IdP expansion via
//! [`crate::idp::expand_suite`], tag and name selection), rendering requests,
//! the HTTP client (timeouts, manual redirects that never carry
//! `Authorization` to another origin, Okta's 429 policy), captures,
//! requirements, cleanup and outcomes. It never prints or formats output:
//! it emits [`RunEvent`]s to an [`EventSink`] and returns a [`RunReport`].
//!
//! **Pagination.** A step with `paginate: {count, max_pages}` GETs pages
//! `startIndex=1, 1+n, …` with `count`, where n is the number of resources
//! received so far (a server may return fewer than `count`; Okta itself adds
//! `count` whatever the page held, okta-wire.md §2.2), until `startIndex > totalResults`, an empty page or `max_pages`; every page
//! is recorded. Its checks then see a synthetic body
//! `{"totalResults": n, "pages": k, "Resources": [every resource in order]}`
//! with the status and headers of the last page (or the first non-200 page
//! as it came).
//!
//! **Bounds.** Every body is capped (`max_body`), every request timed out,
//! every 429 wait bounded; a circuit breaker stops the run once the target
//! has stopped answering, and a deadline ends it whatever happens; see
//! [`RunOptions`]. [`preflight`] diagnoses a target that is not a SCIM
//! endpoint before any suite runs.
//!
//! **Run-level cases.** Besides the planned suites, a run can add two
//! `recommended` cases of its own at the end: the declared-schema audit
//! (`audit_declared_schemas`, suite `declared-schemas`: every resource in a
//! successful response against the target's own `/Schemas`) and the
//! schema-driven round trip (`round_trip`, suite `schema-round-trip`: every
//! attribute the target declares writable on User and Group is written,
//! read back and compared). `--tag` and `--filter` select the round trip
//! like any case (tags `schemas`, `round-trip`).
//!
//! **Outcomes.** A case stops at its first failing or erroring step; its
//! cleanup steps always run and their failures become warnings. Unmet
//! `requires` make the case skipped with the reason; a skip is never a pass.
//!
//! **Snapshots.** A step's `expect.snapshot` never changes its outcome: the
//! check is recorded in [`StepResult::snapshot`] as matched, recorded,
//! updated, skipped (none stored under `--snapshots no`) or drift, in the
//! target's own folder ([`crate::snapshot::SnapshotStore`]). The reporters
//! show drift beside the verdict; it fails a run only with `--fail-on-drift`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use scimulator::report::ConsoleReporter;
//! use scimulator::runner::{self, RunOptions};
//!
//! let suites = scimulator::suite::load_paths(&["suites/okta".into()])?;
//! let opts = RunOptions::new("https://app.example.com/scim/v2").with_token("s3cr3t-token");
//! let mut console = ConsoleReporter::new(std::io::stdout(), false, opts.secrets());
//! let report = runner::run(suites, &opts, &mut console).await?;
//! assert_eq!(report.summary.failed + report.summary.errored, 0);
//! # Ok(())
//! # }
//! ```

mod audit;
mod breaker;
mod capture;
mod case;
mod client;
mod discovery;
mod error;
mod event;
mod oauth;
mod options;
mod plan;
mod preflight;
mod query;
mod redact;
mod request;
mod result;
mod roundtrip;
mod run;
mod step;

/// A failed check, as the runner records it (defined by [`crate::assert`]).
pub use crate::assert::{Failure, FailureKind};
/// How much a failing case matters (declared in the suite, carried by every result).
pub use crate::suite::model::Severity;
pub use error::{RunError, RunErrorKind};
pub use event::{EventSink, NullSink, RunEvent, VecSink};
pub use oauth::{OAuthError, OAuthSettings, OAuthSource};
pub use options::{
    Credentials, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE, DEFAULT_MAX_BODY,
    DEFAULT_MAX_THROTTLE_WAIT, DEFAULT_REQUEST_TIMEOUT, RunOptions, ThrottlePolicy, WorstCase,
    format_duration, format_size,
};
pub use plan::{ALL_PROFILES, Plan, PlanOptions, PlannedCase, PlannedSuite, plan, prepare};
pub use preflight::{PreflightError, PreflightInfo, preflight};
pub use query::{build as build_query, encode_component};
pub use redact::Redact;
pub use result::{
    CaseResult, Exchange, Outcome, RunReport, SnapshotCheck, SnapshotStatus, StepOutcome,
    StepResult, SuiteResult, Summary,
};

use crate::suite::model::Suite;

/// Plans `suites` with [`plan`] (IdP expansion, selection by `opts.tags`
/// and `opts.filter`, the same function the CLI's [`prepare`] uses) and
/// runs the [`Plan`] with [`run_plan`]. Returns `Err` only when the run
/// cannot start (a suite error, no HTTP client); test failures and
/// per-case harness errors are in the report.
pub async fn run(
    suites: Vec<Suite>,
    opts: &RunOptions,
    sink: &mut dyn EventSink,
) -> Result<RunReport, RunError> {
    let planned = plan(&suites, &PlanOptions::of_run(opts)).map_err(|errors| {
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        RunError::new(RunErrorKind::Plan, text.join("; "))
    })?;
    run_plan(planned, opts, sink).await
}

/// Runs a [`Plan`] against `opts.target`, sending events to `sink`.
pub async fn run_plan(
    plan: Plan,
    opts: &RunOptions,
    sink: &mut dyn EventSink,
) -> Result<RunReport, RunError> {
    run::run_planned(plan, opts, sink).await
}
