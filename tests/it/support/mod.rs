//! Shared test support: the reference server started like `scimulator run`
//! starts it, the defect-injecting proxy, and a driver that runs one bundled
//! case (or a whole folder of suites) through them.

pub mod corpus;
pub mod faults;
pub mod proxy;

use std::time::Duration;

use serde_json::{Value, json};

use scimulator::runner::{Outcome, RunOptions, RunReport, ThrottlePolicy, VecSink};
use scimulator::server::{RunningServer, ServerConfig};
use scimulator::snapshot::SnapshotMode;
use scimulator::suite::model::Suite;

use faults::Fault;
use proxy::{Credentials, Proxy};

/// How one case ended, with the failure text when it failed (the payloads
/// are read through `Debug` in assertion messages).
#[derive(Debug)]
#[allow(dead_code)]
pub enum CaseVerdict {
    Passed,
    Failed(String),
    Skipped(String),
    Errored(String),
    NotRun,
}

/// The reference server configured as for the embedded run, with a live
/// token and a revoked one.
pub struct Reference {
    pub server: RunningServer,
    pub creds: Credentials,
}

impl Reference {
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::default()).await
    }

    /// Like [`Reference::start`] with `config` (its address is replaced by
    /// a free loopback port).
    pub async fn start_with(config: ServerConfig) -> Self {
        let config = ServerConfig {
            addr: "127.0.0.1:0".parse().expect("loopback address"),
            ..config
        };
        let server = scimulator::server::start(config)
            .await
            .expect("reference server starts");
        let client = reqwest::Client::new();
        let issue = |name: &'static str| {
            let url = format!("{}/tokens", server.admin_base());
            let admin = server.admin_token().to_owned();
            let client = client.clone();
            async move {
                let body: Value = client
                    .post(url)
                    .bearer_auth(admin)
                    .json(&json!({"name": name}))
                    .send()
                    .await
                    .expect("admin API answers")
                    .json()
                    .await
                    .expect("admin API answers JSON");
                (
                    body["id"].as_str().expect("token id").to_owned(),
                    body["token"].as_str().expect("token plaintext").to_owned(),
                )
            }
        };
        let (_, valid) = issue("test").await;
        let (revoked_id, revoked) = issue("to-revoke").await;
        let status = client
            .delete(format!("{}/tokens/{revoked_id}", server.admin_base()))
            .bearer_auth(server.admin_token())
            .send()
            .await
            .expect("admin API answers")
            .status();
        assert_eq!(status.as_u16(), 204, "token revocation");
        Self {
            server,
            creds: Credentials { valid, revoked },
        }
    }

    /// `http://127.0.0.1:PORT` (the proxy adds `/scim/v2` itself).
    pub fn root(&self) -> String {
        format!("http://{}", self.server.local_addr())
    }
}

fn bundled(source_prefix: &str) -> Vec<Suite> {
    scimulator::suite::bundled()
        .expect("bundled suites load")
        .into_iter()
        .filter(|s| s.source.starts_with(source_prefix))
        .collect()
}

/// Run options through `proxy`. Snapshots go to a fresh directory of their
/// own (`snapshots`): they record drift of one server between runs, which is
/// not what these tests are about.
fn options(
    proxy: &Proxy,
    creds: &Credentials,
    profile: Option<&str>,
    snapshots: &tempfile::TempDir,
) -> RunOptions {
    let mut opts = RunOptions::new(proxy.scim_base())
        .with_token(creds.valid.clone())
        .with_revoked_token(creds.revoked.clone())
        .with_snapshots(SnapshotMode::New, snapshots.path());
    opts.reference_server = true;
    opts.idp = profile.map(str::to_owned);
    // Okta's policy, shortened: the proxy's 429s carry Retry-After: 1.
    opts.throttle = ThrottlePolicy {
        max_attempts: 3,
        default_wait: Duration::from_millis(50),
        max_wait: Duration::from_secs(2),
        max_total_wait: Duration::from_secs(5),
    };
    opts
}

/// Every failure of a case as text: subjects, messages, expected and actual.
pub fn failure_text(report: &RunReport) -> String {
    let mut out = String::new();
    for suite in &report.suites {
        for case in &suite.cases {
            for step in case.steps.iter() {
                for f in &step.failures {
                    out.push_str(&format!(
                        "[{}] {} :: {} | expected {} | actual {}\n",
                        step.request_line,
                        f.subject,
                        f.message,
                        f.expected.as_deref().unwrap_or("-"),
                        f.actual.as_deref().unwrap_or("-")
                    ));
                }
            }
            if let Outcome::Errored(e) = &case.outcome {
                out.push_str(&format!("errored: {e}\n"));
            }
        }
    }
    out
}

/// Runs one case of one bundled suite through a proxy injecting `fault`.
pub async fn run_case(suite: &str, case: &str, fault: Fault, profile: Option<&str>) -> CaseVerdict {
    let reference = Reference::start().await;
    let proxy = Proxy::start(&reference.root(), fault, reference.creds.clone()).await;
    let mut suites = bundled(suite);
    suites.retain(|s| s.source == suite);
    let Some(mut only) = suites.pop() else {
        return CaseVerdict::NotRun;
    };
    only.cases.retain(|c| c.name == case);
    if only.cases.is_empty() {
        return CaseVerdict::NotRun;
    }
    let snapshots = tempfile::tempdir().expect("a temporary directory");
    let opts = options(&proxy, &reference.creds, profile, &snapshots);
    let mut sink = VecSink::default();
    let report = scimulator::runner::run(vec![only], &opts, &mut sink).await;
    reference.server.shutdown().await;
    let report = match report {
        Ok(r) => r,
        Err(e) => return CaseVerdict::Errored(e.to_string()),
    };
    let Some(result) = report.suites.iter().flat_map(|s| &s.cases).next() else {
        return CaseVerdict::NotRun;
    };
    match &result.outcome {
        Outcome::Passed => CaseVerdict::Passed,
        Outcome::Failed(_) => CaseVerdict::Failed(failure_text(&report)),
        Outcome::Skipped(why) => CaseVerdict::Skipped(why.clone()),
        Outcome::Errored(e) => CaseVerdict::Errored(e.to_string()),
    }
}

/// Runs every bundled suite under `prefix` through a proxy with a
/// conformant `quirk`; `Err` lists what did not pass.
pub async fn run_suite_with_quirk(prefix: &str, quirk: Fault, profile: &str) -> Result<(), String> {
    let reference = Reference::start().await;
    let proxy = Proxy::start(&reference.root(), quirk, reference.creds.clone()).await;
    let snapshots = tempfile::tempdir().expect("a temporary directory");
    let opts = options(&proxy, &reference.creds, Some(profile), &snapshots);
    let mut sink = VecSink::default();
    let report = scimulator::runner::run(bundled(prefix), &opts, &mut sink)
        .await
        .map_err(|e| e.to_string())?;
    reference.server.shutdown().await;
    let bad: Vec<String> = report
        .suites
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| !matches!(c.outcome, Outcome::Passed))
        .map(|c| format!("{} › {}: {}", c.suite, c.name, c.outcome.label()))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{}", bad.join("\n"), failure_text(&report)))
    }
}

/// Runs one bundled suite file with the declared-schema audit on, through a
/// proxy injecting `fault` (or none), and returns the audit's failures.
pub async fn run_suite_audited(source: &str, fault: Option<Fault>) -> Vec<String> {
    let reference = Reference::start().await;
    let proxy = Proxy::start(
        &reference.root(),
        fault.unwrap_or(Fault::Patch204),
        reference.creds.clone(),
    )
    .await;
    let snapshots = tempfile::tempdir().expect("a temporary directory");
    let mut opts = options(&proxy, &reference.creds, None, &snapshots);
    opts.audit_declared_schemas = true;
    let mut suites = bundled(source);
    suites.retain(|s| s.source == source);
    let report = scimulator::runner::run(suites, &opts, &mut VecSink::default())
        .await
        .expect("the run starts");
    reference.server.shutdown().await;
    report
        .suites
        .iter()
        .filter(|s| s.source == "declared-schemas")
        .flat_map(|s| &s.cases)
        .flat_map(|c| match &c.outcome {
            Outcome::Failed(failures) => failures.iter().map(|f| f.headline()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// One row of a defect table: a bundled case, the defect injected, the IdP
/// profile to run it under (`None`: the suite's own), and the text the
/// failure must contain.
pub type DefectRow<'a> = (&'a str, &'a str, Fault, Option<&'a str>, &'a str);

/// Runs every row and returns what went wrong: cases that passed, were
/// skipped or errored under their defect, or failed without naming it.
pub async fn defects_not_caught(rows: impl IntoIterator<Item = DefectRow<'_>>) -> Vec<String> {
    let mut problems = Vec::new();
    for (suite, case, fault, profile, needle) in rows {
        let under = profile.map(|p| format!(" under {p}")).unwrap_or_default();
        match run_case(suite, case, fault, profile).await {
            CaseVerdict::Failed(text) if text.contains(needle) => {}
            CaseVerdict::Failed(text) => problems.push(format!(
                "{suite} › {case} with {fault:?}{under}: failed, but the failure does not mention `{needle}`:\n{text}"
            )),
            other => problems.push(format!(
                "{suite} › {case} with {fault:?}{under}: expected a failure, got {other:?}"
            )),
        }
    }
    problems
}

/// Compares the bundled cases under `prefix` with the `(suite, case)` pairs
/// a defect table covers: every case needs a row, and every row must name
/// a case that exists.
pub fn defect_coverage<'a>(
    prefix: &str,
    covered: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    let covered: std::collections::BTreeSet<(&str, &str)> = covered.into_iter().collect();
    let mut problems = Vec::new();
    let mut existing = std::collections::BTreeSet::new();
    for suite in bundled(prefix) {
        for case in &suite.cases {
            existing.insert((suite.source.clone(), case.name.clone()));
            if !covered.contains(&(suite.source.as_str(), case.name.as_str())) {
                problems.push(format!("no defect test: {} › {}", suite.source, case.name));
            }
        }
    }
    if existing.is_empty() {
        problems.push(format!("no bundled suites under {prefix}"));
    }
    for (suite, case) in covered {
        if !existing.contains(&(suite.to_owned(), case.to_owned())) {
            problems.push(format!("a row names no bundled case: {suite} › {case}"));
        }
    }
    problems
}

// ---- issue 10 (schema): the schema-driven round trip ---------------------

/// Runs only the schema-driven round trip (no suite) through a proxy
/// injecting `fault` (or none) in front of the reference server, and
/// returns its case.
pub async fn run_round_trip(fault: Option<Fault>) -> scimulator::runner::CaseResult {
    run_round_trip_on(ServerConfig::default(), fault).await
}

/// [`run_round_trip`] against a reference server configured with `config`.
pub async fn run_round_trip_on(
    config: ServerConfig,
    fault: Option<Fault>,
) -> scimulator::runner::CaseResult {
    let reference = Reference::start_with(config).await;
    let proxy = Proxy::start(
        &reference.root(),
        fault.unwrap_or(Fault::Patch204),
        reference.creds.clone(),
    )
    .await;
    let snapshots = tempfile::tempdir().expect("a temporary directory");
    let mut opts = options(&proxy, &reference.creds, None, &snapshots);
    opts.round_trip = true;
    let report = scimulator::runner::run(Vec::new(), &opts, &mut VecSink::default())
        .await
        .expect("the run starts");
    reference.server.shutdown().await;
    report
        .suites
        .into_iter()
        .filter(|s| s.source == "schema-round-trip")
        .flat_map(|s| s.cases)
        .next()
        .expect("the round-trip case ran")
}
