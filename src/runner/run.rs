//! Orchestration: the shared run context, suites in parallel up to `jobs`
//! (cases of a suite in order), events forwarded to the sink in order of arrival,
//! and the whole-run deadline (a timer that trips the run's breaker, so
//! requests in flight are abandoned and the remaining cases error).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde_json::Value;
use tokio::sync::{OnceCell, Semaphore, mpsc};

use crate::runner::breaker::Breaker;
use crate::runner::case::run_case;
use crate::runner::client::{HttpClient, Outgoing, millis};
use crate::runner::event::{EventSink, RunEvent};
use crate::runner::options::RunOptions;
use crate::runner::render::auth_header;
use crate::runner::result::{Outcome, RunReport, SuiteResult, Summary};
use crate::runner::{RunError, RunErrorKind};
use crate::snapshot::SnapshotMode;
use crate::suite::model::{Auth, Suite};
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
    /// `/Schemas`, fetched once per run for `expect.schema: Declared`.
    declared: OnceCell<Result<Vec<crate::scim::schema::SchemaDef>, String>>,
    /// Contradictions of the declared schemas seen in any response
    /// (`audit_declared_schemas`), first occurrence of each.
    audit: std::sync::Mutex<Vec<crate::assert::Failure>>,
    /// How many responses the audit checked (no check, no audit case).
    audited: std::sync::atomic::AtomicUsize,
    capabilities: OnceCell<Result<Value, String>>,
    stop: AtomicBool,
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
            declared: OnceCell::new(),
            audit: std::sync::Mutex::new(Vec::new()),
            audited: std::sync::atomic::AtomicUsize::new(0),
            capabilities: OnceCell::new(),
            stop: AtomicBool::new(false),
            breaker,
        })
    }

    /// `Ok(())` when `/ServiceProviderConfig` advertises `<name>.supported: true`,
    /// else the skip reason. The document is fetched once per run.
    pub(crate) async fn capability(&self, name: &str) -> Result<(), String> {
        let doc = self
            .capabilities
            .get_or_init(|| async { self.fetch_service_provider_config().await })
            .await;
        let doc = doc.as_ref().map_err(Clone::clone)?;
        let supported = doc
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.get("supported"))
            .and_then(Value::as_bool);
        match supported {
            Some(true) => Ok(()),
            Some(false) => Err(format!(
                "/ServiceProviderConfig says {name}.supported is false"
            )),
            None => Err(format!(
                "/ServiceProviderConfig does not advertise {name}.supported"
            )),
        }
    }

    async fn fetch_service_provider_config(&self) -> Result<Value, String> {
        self.get_discovery("/ServiceProviderConfig").await
    }

    /// `GET path` on the target with the run's credentials and headers, as
    /// JSON (the discovery documents the run reads for itself).
    async fn get_discovery(&self, path: &str) -> Result<Value, String> {
        let mut headers = Vec::new();
        if let Ok(Some(auth)) = auth_header(&Auth::Default, &self.scope, &self.opts) {
            headers.push(("Authorization".to_owned(), auth));
        }
        headers.push(("Accept".to_owned(), "application/scim+json".to_owned()));
        headers.extend(self.opts.headers.iter().cloned());
        let req = Outgoing {
            method: "GET".to_owned(),
            url: crate::runner::query::join_url(&self.opts.target, path, ""),
            headers,
            body: None,
            origin: None,
        };
        let resp = self
            .client
            .send(&req, None, &mut Vec::new())
            .await
            .map_err(|e| format!("GET {path} failed: {e}"))?;
        if resp.status != 200 {
            return Err(format!("GET {path} answered {}", resp.status));
        }
        serde_json::from_str(&resp.body).map_err(|e| format!("GET {path} is not JSON: {e}"))
    }
}

/// Runs planned suites. See [`crate::runner::run`].
pub(crate) async fn run_planned(
    suites: Vec<Suite>,
    opts: &RunOptions,
    sink: &mut dyn EventSink,
) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let ctx = Arc::new(RunCtx::new(opts)?);
    sink.event(&RunEvent::RunStarted {
        target: opts.target.clone(),
        suites: suites.len(),
        cases: suites.iter().map(|s| s.cases.len()).sum(),
    });
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
        tokio::spawn(async move {
            let sem = Arc::new(Semaphore::new(jobs));
            let mut handles = Vec::new();
            for suite in suites {
                let Ok(permit) = Arc::clone(&sem).acquire_owned().await else {
                    break;
                };
                let ctx = Arc::clone(&ctx);
                let tx = tx.clone();
                handles.push(tokio::spawn(async move {
                    let r = run_suite(&ctx, &suite, &tx).await;
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
    deadline.abort();
    let suites = suites
        .map_err(|e| RunError::new(RunErrorKind::Http, format!("the run task failed: {e}")))??;
    let mut suites = suites;
    if opts.audit_declared_schemas && ctx.audited.load(Ordering::SeqCst) > 0 {
        let result = ctx.audit_result();
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
    suite: &Suite,
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
        let result = run_case(ctx, suite, case).await;
        if matches!(result.outcome, Outcome::Failed(_) | Outcome::Errored(_)) {
            ctx.stop.store(true, Ordering::SeqCst);
        }
        let _ = tx.send(RunEvent::CaseFinished(Box::new(result.clone())));
        cases.push(result);
    }
    SuiteResult {
        source: suite.source.clone(),
        title: suite.suite.clone(),
        cases,
        duration_ms: millis(started.elapsed()),
    }
}

impl RunCtx {
    /// `expect.schema: Declared`: checks `body` against the target's own
    /// `/Schemas` (fetched once per run, like the capabilities).
    pub(crate) async fn declared_check(&self, body: &Value) -> Vec<crate::assert::Failure> {
        let declared = self
            .declared
            .get_or_init(|| async {
                let doc = self.get_discovery("/Schemas").await?;
                crate::schema::parse_declared(&doc)
            })
            .await;
        match declared {
            Ok(defs) => crate::schema::validate_declared(body, defs),
            Err(reason) => vec![crate::assert::Failure {
                kind: crate::assert::FailureKind::Schema,
                subject: "Declared".to_owned(),
                message: format!("the server's declared schemas are unavailable: {reason}"),
                expected: Some("GET /Schemas answering a ListResponse of schemas".to_owned()),
                actual: None,
                diff: None,
            }],
        }
    }
}

/// The suite name of the run-wide declared-schema audit.
pub(crate) const AUDIT_SUITE: &str = "declared-schemas";
/// At most this many distinct contradictions are kept.
const AUDIT_MAX: usize = 50;

impl RunCtx {
    /// With `audit_declared_schemas`, checks one successful JSON response
    /// against the target's `/Schemas` and remembers each new contradiction,
    /// with where it was seen.
    pub(crate) async fn audit_declared(
        &self,
        suite: &str,
        case: &str,
        request: &str,
        body: &Value,
    ) {
        if !self.opts.audit_declared_schemas || !is_resource_response(request, body) {
            return;
        }
        let failures = self.declared_check(body).await;
        self.audited.fetch_add(1, Ordering::SeqCst);
        let Ok(mut seen) = self.audit.lock() else {
            return;
        };
        for mut f in failures {
            let known = seen
                .iter()
                .any(|s| s.subject == f.subject && s.expected == f.expected);
            if known || seen.len() >= AUDIT_MAX {
                continue;
            }
            f.actual = Some(format!(
                "{} (first seen: {request} in {suite} › {case})",
                f.actual.as_deref().unwrap_or("-")
            ));
            seen.push(f);
        }
    }

    /// The audit as one `recommended` case.
    fn audit_result(&self) -> crate::runner::result::CaseResult {
        let failures = self.audit.lock().map(|f| f.clone()).unwrap_or_default();
        crate::runner::result::CaseResult {
            suite: AUDIT_SUITE.to_owned(),
            name: "every response follows the server's own /Schemas".to_owned(),
            severity: crate::suite::model::Severity::Recommended,
            why: "RFC 7643 §7 and RFC 7644 §4: a response that contradicts the server's declared \
                  schema misleads every client that maps attributes from /Schemas"
                .to_owned(),
            tags: vec!["schemas".to_owned()],
            outcome: if failures.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed(failures)
            },
            steps: Vec::new(),
            cleanup: Vec::new(),
            warnings: Vec::new(),
            duration_ms: 0,
        }
    }
}

/// Whether a response holds User/Group-like resources the audit can check:
/// not discovery documents (which describe schemas rather than follow
/// them), and not projections (`attributes=` may leave out required ones).
fn is_resource_response(request: &str, body: &Value) -> bool {
    use crate::scim::{
        ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA,
        SERVICE_PROVIDER_CONFIG_SCHEMA,
    };
    if request.contains("attributes=") {
        return false;
    }
    // A list is audited through its resources: an empty page holds nothing.
    let first = match body.get("Resources") {
        Some(resources) => match resources.as_array().and_then(|r| r.first()) {
            Some(first) => first,
            None => return false,
        },
        None => body,
    };
    let Some(schemas) = first.get("schemas").and_then(Value::as_array) else {
        return false;
    };
    !schemas.iter().filter_map(Value::as_str).any(|s| {
        [
            SCHEMA_SCHEMA,
            RESOURCE_TYPE_SCHEMA,
            SERVICE_PROVIDER_CONFIG_SCHEMA,
            LIST_RESPONSE_SCHEMA,
            ERROR_SCHEMA,
        ]
        .iter()
        .any(|d| d.eq_ignore_ascii_case(s))
    })
}
