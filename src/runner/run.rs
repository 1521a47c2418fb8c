//! Orchestration: the shared run context, suites in parallel up to `jobs`
//! (cases of a suite in order), events forwarded to the sink in order of arrival,
//! and the whole-run deadline (a timer that trips the run's breaker, so
//! requests in flight are abandoned and the remaining cases error).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde_json::Value;
use tokio::sync::{Semaphore, mpsc};

use crate::runner::audit::{AUDIT_SUITE, Audit};
use crate::runner::breaker::Breaker;
use crate::runner::case::run_case;
use crate::runner::client::{HttpClient, millis};
use crate::runner::discovery::Discovery;
use crate::runner::event::{EventSink, RunEvent};
use crate::runner::options::RunOptions;
use crate::runner::plan::{Plan, PlannedSuite};
use crate::runner::result::{Outcome, RunReport, SuiteResult, Summary};
use crate::runner::{RunError, RunErrorKind};
use crate::snapshot::SnapshotMode;
use crate::template::Scope;

/// State shared by every case of a run.
pub(crate) struct RunCtx {
    pub opts: RunOptions,
    pub client: HttpClient,
    pub snapshot_mode: SnapshotMode,
    /// Run-level variables (`--var`, `--secret`).
    pub scope: Scope,
    /// `(name, text)` of the public run variables.
    pub vars: Vec<(String, String)>,
    /// The cached discovery documents (`discovery.rs`).
    pub(crate) discovery: Discovery,
    pub(crate) stop: AtomicBool,
    /// Trips when the target stopped answering or the deadline passed;
    /// later cases error at once with its reason (shared with `client`).
    pub breaker: Arc<Breaker>,
}

impl RunCtx {
    fn new(opts: &RunOptions) -> Result<Self, RunError> {
        let run_id = uuid::Uuid::new_v4().simple().to_string();
        let mut scope = Scope::new(run_id.get(..8).unwrap_or(&run_id));
        let mut vars = Vec::new();
        for (k, v) in &opts.vars {
            scope.set(k, Value::String(v.clone()), false);
            vars.push((k.clone(), v.clone()));
        }
        for (k, v) in &opts.secret_vars {
            scope.set(k, Value::String(v.clone()), true);
        }
        let breaker = Arc::new(Breaker::new(opts.request_timeout));
        Ok(Self {
            opts: opts.clone(),
            client: HttpClient::new(opts, Arc::clone(&breaker))?,
            snapshot_mode: opts.snapshot_mode.resolve(),
            scope,
            vars,
            discovery: Discovery::default(),
            stop: AtomicBool::new(false),
            breaker,
        })
    }
}

/// Runs planned suites. See [`crate::runner::run`].
pub(crate) async fn run_planned(
    plan: Plan,
    opts: &RunOptions,
    sink: &mut dyn EventSink,
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let ctx = Arc::new(RunCtx::new(opts)?);
    // The declared-schema audit's findings, run-wide, beside the context.
    let audit = Arc::new(Audit::default());
    sink.event(&RunEvent::RunStarted {
        target: opts.target.clone(),
        suites: plan.suites.len(),
        cases: plan.cases(),
    });
    let suites = plan.suites;
    let deadline = {
        let breaker = Arc::clone(&ctx.breaker);
        let after = opts.deadline;
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            breaker.trip(RunError::new(
                RunErrorKind::Deadline,
                format!(
                    "the run deadline of {} was reached (--deadline)",
                    crate::runner::options::format_duration(after)
                ),
            ));
        })
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<RunEvent>();
    let jobs = opts.jobs.max(1);
    let producer = {
        let ctx = Arc::clone(&ctx);
        let audit = Arc::clone(&audit);
        tokio::spawn(async move {
            let sem = Arc::new(Semaphore::new(jobs));
            let mut handles = Vec::new();
            for suite in suites {
                let Ok(permit) = Arc::clone(&sem).acquire_owned().await else {
                    break;
                };
                let ctx = Arc::clone(&ctx);
                let audit = Arc::clone(&audit);
                let tx = tx.clone();
                handles.push(tokio::spawn(async move {
                    let r = run_suite(&ctx, &audit, &suite, &tx).await;
                    drop(permit);
                    r
                }));
            }
            drop(tx);
            let mut results = Vec::new();
            for h in handles {
                match h.await {
                    Ok(r) => results.push(r),
                    Err(e) => {
                        return Err(RunError::new(
                            RunErrorKind::Http,
                            format!("a suite task failed: {e}"),
                        ));
                    }
                }
            }
            Ok(results)
        })
    };
    while let Some(event) = rx.recv().await {
        sink.event(&event);
    }
    let suites = producer.await;
    let suites =
        suites.map_err(|e| RunError::new(RunErrorKind::Http, format!("the run task failed: {e}")));
    let mut suites = match suites {
        Ok(Ok(suites)) => suites,
        Ok(Err(e)) | Err(e) => {
            deadline.abort();
            return Err(e);
        }
    };
    if let Some(result) = crate::runner::roundtrip::run_selected(&ctx, sink).await {
        suites.push(result);
    }
    deadline.abort();
    if opts.audit_declared_schemas && audit.ran() {
        let mut result = audit.result();
        crate::runner::redact::Redact::redact(
            &mut result,
            &crate::template::Redactor::new(opts.secrets()),
        );
        sink.event(&RunEvent::CaseFinished(Box::new(result.clone())));
        suites.push(SuiteResult {
            source: AUDIT_SUITE.to_owned(),
            title: "Responses follow the server's declared schemas".to_owned(),
            cases: vec![result],
            duration_ms: 0,
        });
    }
    let summary = Summary::of(suites.iter().flat_map(|s| s.cases.iter()));
    let duration_ms = millis(started.elapsed());
    sink.event(&RunEvent::RunFinished {
        summary,
        duration_ms,
    });
    Ok(RunReport {
        target: opts.target.clone(),
        reference_server: opts.reference_server,
        started_at,
        duration_ms,
        summary,
        suites,
    })
}

async fn run_suite(
    ctx: &RunCtx,
    audit: &Audit,
    suite: &PlannedSuite,
    tx: &mpsc::UnboundedSender<RunEvent>,
) -> SuiteResult {
    let started = Instant::now();
    let mut cases = Vec::new();
    for case in &suite.cases {
        if ctx.opts.fail_fast && ctx.stop.load(Ordering::SeqCst) {
            break;
        }
        let _ = tx.send(RunEvent::CaseStarted {
            suite: suite.source.clone(),
            case: case.name.clone(),
        });
        let result = run_case(ctx, audit, suite, case).await;
        if matches!(result.outcome, Outcome::Failed(_) | Outcome::Errored(_)) {
            ctx.stop.store(true, Ordering::SeqCst);
        }
        let _ = tx.send(RunEvent::CaseFinished(Box::new(result.clone())));
        cases.push(result);
    }
    SuiteResult {
        source: suite.source.clone(),
        title: suite.title.clone(),
        cases,
        duration_ms: millis(started.elapsed()),
    }
}
