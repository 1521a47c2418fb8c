//! `scimulator load`: replays an IdP's load shape against a target, then
//! verifies that nothing was lost or duplicated.
//!
//! Owns the scenarios ([`plan`]: intent + phases of IdP-shaped steps), the
//! open-model scheduler with a concurrency cap ([`run`]: items arrive on a
//! schedule derived from `--rate`, not when responses come back), the HTTP
//! driver with each IdP's `429` policy ([`client`]), the step shapes
//! ([`exec`]), the read-back ([`verify`]), the measurements ([`metrics`],
//! `hdrhistogram`), the JSON / HTML / console reports ([`render`]) and the
//! Locust export ([`locust`]).
//!
//! Must not: print (the CLI prints what [`render`] returns), import the
//! runner, report or server (it drives any target over HTTP), write a token
//! anywhere, or wait unboundedly (timeouts, body cap, `--max-retry-wait`).

pub mod client;
pub mod conn;
pub mod error;
pub mod exec;
pub mod locust;
pub mod metrics;
pub mod plan;
pub mod render;
pub mod verify;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use client::Target;
pub use error::LoadError;
pub use plan::{Params, Plan, Scenario};
pub use verify::{Finding, FindingKind, Verification};

use client::Driver;
use exec::{Exec, Ids};
use metrics::{Metrics, Summary};
use plan::Step;

/// entra-cycle fails when fewer than this share of `--rate` is achieved.
pub const SUSTAIN_SHARE: f64 = 0.9;
/// entra-cycle fails when more than this share of requests errored.
pub const MAX_ERROR_SHARE: f64 = 0.01;
/// Findings listed per kind in reports (the count is always complete).
pub const SHOWN_PER_KIND: usize = 50;

/// The outcome of `scimulator load`: what was sent, how fast, what was found.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// The scenario's name.
    pub scenario: String,
    /// The SCIM base URL (never the token).
    pub target: String,
    /// The parameters (sizes resolved).
    pub params: Params,
    /// `false` for `--verify` (nothing was sent).
    pub sent: bool,
    /// Traffic figures (empty for `--verify`).
    pub summary: Summary,
    /// The read-back and every finding.
    pub verification: Verification,
}

impl LoadReport {
    /// Whether the verification passed.
    pub fn passed(&self) -> bool {
        self.verification.passed()
    }
}

/// Checks the target is a SCIM endpoint that accepts the token.
async fn preflight(driver: &Driver, target: &Target) -> Result<(), LoadError> {
    let answer = driver
        .read("/Users?startIndex=1&count=1")
        .await
        .map_err(|e| LoadError::Unreachable(format!("{}: {e}", target.base)))?;
    match answer.status {
        200 if answer.body.get("totalResults").is_some()
            || answer.body.get("Resources").is_some() =>
        {
            Ok(())
        }
        200 => Err(LoadError::Unreachable(format!(
            "{}/Users did not answer a SCIM ListResponse",
            target.base
        ))),
        401 | 403 => Err(LoadError::Unreachable(format!(
            "{}/Users refused the token ({})",
            target.base, answer.status
        ))),
        s => Err(LoadError::Unreachable(format!(
            "{}/Users answered {s}",
            target.base
        ))),
    }
}

/// Runs `plan` against `target`, then verifies the outcome.
pub async fn run(plan: &Plan, target: &Target) -> Result<LoadReport, LoadError> {
    let p = &plan.params;
    let mut driver = Driver::new(target, p.concurrency, p.timeout, p.max_retry_wait)?;
    preflight(&driver, target).await?;
    driver.take_findings();
    driver.restart_clock();
    let driver = std::sync::Arc::new(driver);
    let ids = Ids::default();
    let exec = Exec {
        plan,
        driver: &driver,
        ids: &ids,
    };
    for phase in &plan.phases {
        if phase.name == "read" {
            read_loop(plan, &driver, &ids).await;
            continue;
        }
        run_phase(&exec, &phase.items).await;
    }
    let elapsed = driver.elapsed();
    let metrics = driver.metrics();
    let summary = metrics.summary(elapsed);
    let sent = summary.requests;
    if sent > 0 && driver.transport_failures() * 2 > sent {
        return Err(LoadError::Unreachable(format!(
            "{} of {sent} requests got no answer",
            driver.transport_failures()
        )));
    }
    let mut run_findings = driver.take_findings();
    if plan.scenario == Scenario::EntraCycle {
        sustain_findings(plan, &summary, &mut run_findings);
    }
    let mut verification = verify::verify(plan, &driver).await?;
    run_findings.extend(driver.take_findings());
    run_findings.append(&mut verification.findings);
    run_findings.sort_by_key(|a| a.kind);
    verification.findings = run_findings;
    Ok(LoadReport {
        scenario: plan.scenario.name().to_owned(),
        target: target.base.clone(),
        params: plan.params.clone(),
        sent: true,
        summary,
        verification,
    })
}

/// `--verify`: only reads the target back against the intent of `plan`.
pub async fn verify_only(plan: &Plan, target: &Target) -> Result<LoadReport, LoadError> {
    let p = &plan.params;
    let driver = Driver::new(target, p.concurrency, p.timeout, p.max_retry_wait)?;
    preflight(&driver, target).await?;
    let mut verification = verify::verify(plan, &driver).await?;
    if plan.intent.import {
        // The import check of the scenario, once, on the final state.
        let ids = Ids::default();
        let exec = Exec {
            plan,
            driver: &driver,
            ids: &ids,
        };
        exec.step(&Step::ImportPass, Instant::now()).await;
    }
    verification.findings.extend(driver.take_findings());
    verification.findings.sort_by_key(|a| a.kind);
    Ok(LoadReport {
        scenario: plan.scenario.name().to_owned(),
        target: target.base.clone(),
        params: plan.params.clone(),
        sent: false,
        summary: Metrics::default().summary(Duration::ZERO),
        verification,
    })
}

fn sustain_findings(plan: &Plan, summary: &Summary, out: &mut Vec<Finding>) {
    let p = &plan.params;
    if p.rate > 0.0 && summary.achieved_rate < p.rate * SUSTAIN_SHARE {
        out.push(Finding {
            kind: FindingKind::Unsustained,
            subject: "rate".into(),
            detail: format!(
                "achieved {:.1} req/s of the {:.1} req/s asked (below {:.0}%)",
                summary.achieved_rate,
                p.rate,
                SUSTAIN_SHARE * 100.0
            ),
        });
    }
    if summary.requests > 0 && summary.errors as f64 > summary.requests as f64 * MAX_ERROR_SHARE {
        out.push(Finding {
            kind: FindingKind::Unsustained,
            subject: "errors".into(),
            detail: format!(
                "{} of {} requests errored (threshold {:.0}%)",
                summary.errors,
                summary.requests,
                MAX_ERROR_SHARE * 100.0
            ),
        });
    }
}

/// Runs the items of one phase on the open-model schedule: item `k` is due
/// when the requests of the items before it would have been sent at
/// `--rate`; items run as tasks, requests share the concurrency cap.
async fn run_phase(exec: &Exec<'_>, items: &[Vec<Step>]) {
    let rate = exec.plan.params.rate;
    let users = exec.plan.intent.users.len();
    let start = Instant::now();
    let mut due = Duration::ZERO;
    let mut tasks = Vec::with_capacity(items.len());
    for item in items {
        let at = start + due;
        if rate > 0.0 {
            let reqs: usize = item.iter().map(|s| s.expected_requests(users)).sum();
            due += Duration::from_secs_f64(reqs as f64 / rate);
        }
        tasks.push(async move {
            tokio::time::sleep_until(at.into()).await;
            for step in item {
                exec.step(step, at).await;
            }
        });
    }
    // All items of the phase are polled concurrently on this task: the
    // concurrency cap (a semaphore in the driver) bounds what is in flight.
    futures_util::future::join_all(tasks).await;
}

/// read-user's main phase: `GET /Users/{id}` for `--duration`, paced at
/// `--rate` (or as fast as `--concurrency` allows when 0), one recorder per
/// worker merged at the end so the generator does not contend on a lock.
async fn read_loop(plan: &Plan, driver: &std::sync::Arc<Driver>, ids: &Ids) {
    let Some(id) = ids_user(ids) else {
        driver.finding(
            FindingKind::Lost,
            "user 0",
            "not provisioned: nothing to read",
        );
        return;
    };
    let p = &plan.params;
    let path = std::sync::Arc::new(format!("/Users/{id}"));
    // Plain HTTP: each worker on its own connection (conn.rs); else the pool.
    let fast = conn::Endpoint::parse(driver.base())
        .and_then(|e| e.uri(&path).map(|uri| (e, std::sync::Arc::new(uri))));
    let start = Instant::now();
    let end = start + p.duration;
    let next = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let interval = (p.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / p.rate));
    // One task per worker, so the generator uses every core of the runtime.
    let workers: Vec<_> = (0..p.concurrency)
        .map(|_| {
            let (driver, path, next) = (driver.clone(), path.clone(), next.clone());
            let mut fast = fast
                .clone()
                .map(|(endpoint, uri)| (driver.fast_conn(endpoint), uri));
            tokio::spawn(async move {
                let mut local = Metrics::default();
                loop {
                    let scheduled = match interval {
                        Some(iv) => {
                            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let at = start + iv.mul_f64(k as f64);
                            if at >= end {
                                break;
                            }
                            tokio::time::sleep_until(at.into()).await;
                            at
                        }
                        None => Instant::now(),
                    };
                    if Instant::now() >= end {
                        break;
                    }
                    match fast.as_mut() {
                        Some((conn, uri)) => {
                            driver
                                .read_fast("user.get", conn, uri, scheduled, &mut local)
                                .await
                        }
                        None => {
                            driver
                                .read_measured("user.get", &path, scheduled, &mut local)
                                .await
                        }
                    };
                }
                driver.merge_metrics(&local);
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
}

fn ids_user(ids: &Ids) -> Option<String> {
    ids.user(0)
}
