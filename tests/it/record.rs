//! Issue 15: `scimulator record` and `import har`. The bundled Okta and
//! Entra lifecycle suites are run through the recorder in front of the
//! reference server; the generated suites must load and lint, replay green
//! against a fresh server, and still catch the defects the originals catch
//! (path-less deactivation, member removal, revoked token). A HAR fixture
//! imports into a suite that replays green; credentials never reach a
//! generated file; the grader passes the harness's own IdP profiles.

use std::time::Duration;

use scimulator::record::{
    self, Exchange, GenerateOptions, Generated, GradeReport, Grader, RecorderConfig,
};
use scimulator::runner::{Outcome, RunOptions, RunReport, ThrottlePolicy, VecSink};
use scimulator::snapshot::SnapshotMode;
use scimulator::suite::model::Suite;

use crate::support::faults::Fault;
use crate::support::proxy::Proxy;
use crate::support::{Reference, failure_text};

fn options(target: String, token: &str, revoked: &str, dir: &tempfile::TempDir) -> RunOptions {
    let mut opts = RunOptions::new(target)
        .with_token(token.to_owned())
        .with_revoked_token(revoked.to_owned())
        .with_snapshots(SnapshotMode::New, dir.path());
    opts.reference_server = true;
    opts.throttle = ThrottlePolicy {
        max_attempts: 3,
        default_wait: Duration::from_millis(50),
        max_wait: Duration::from_secs(2),
        max_total_wait: Duration::from_secs(5),
    };
    opts
}

fn bundled(sources: &[&str]) -> Vec<Suite> {
    scimulator::suite::bundled()
        .expect("bundled suites load")
        .into_iter()
        .filter(|s| sources.contains(&s.source.as_str()))
        .collect()
}

fn not_passed(report: &RunReport) -> Vec<String> {
    report
        .suites
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| !matches!(c.outcome, Outcome::Passed))
        .map(|c| format!("{} › {}: {}", c.suite, c.name, c.outcome.label()))
        .collect()
}

/// Runs `sources` through a grading recorder in front of a fresh reference
/// server; returns the generated suite, the exchanges and the grader.
async fn record_bundled(
    sources: &[&str],
    snapshot: bool,
) -> (Generated, Vec<Exchange>, GradeReport) {
    let reference = Reference::start().await;
    let grader = std::sync::Arc::new(Grader::new());
    let recorder = record::start(
        RecorderConfig::new(
            "127.0.0.1:0".parse().expect("addr"),
            reference.server.scim_base(),
        ),
        Some(grader.clone()),
    )
    .await
    .expect("the recorder starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = options(
        recorder.base_url(),
        &reference.creds.valid,
        &reference.creds.revoked,
        &dir,
    );
    let suites = bundled(sources);
    assert_eq!(suites.len(), sources.len(), "every source is bundled");
    let report = scimulator::runner::run(suites, &opts, &mut VecSink::default())
        .await
        .expect("the run starts");
    assert!(
        not_passed(&report).is_empty(),
        "the originals pass through the recorder: {:?}\n{}",
        not_passed(&report),
        failure_text(&report)
    );
    let exchanges = recorder.log().snapshot();
    recorder.shutdown().await;
    reference.server.shutdown().await;
    let generated = record::generate(
        &exchanges,
        &GenerateOptions {
            snapshot,
            primary_auth: Some(reference.creds.valid.clone()),
            revoked_tokens: vec![reference.creds.revoked.clone()],
            ..GenerateOptions::default()
        },
    );
    (generated, exchanges, grader.report())
}

/// Loads the YAML as a user's file would be, and lints it.
fn load(yaml: &str) -> Suite {
    let suite = scimulator::suite::load_str("recorded.yaml", yaml)
        .unwrap_or_else(|e| panic!("the generated suite loads: {e}\n{yaml}"));
    let errors = scimulator::suite::validate(std::slice::from_ref(&suite));
    assert!(
        errors.is_empty(),
        "the generated suite lints: {errors:?}\n{yaml}"
    );
    suite
}

/// Replays `suite` against a fresh server, through `fault` when given.
async fn replay(suite: &Suite, fault: Option<Fault>) -> RunReport {
    let reference = Reference::start().await;
    let proxy = Proxy::start(
        &reference.root(),
        fault.unwrap_or(Fault::Transparent),
        reference.creds.clone(),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = options(
        proxy.scim_base(),
        &reference.creds.valid,
        &reference.creds.revoked,
        &dir,
    );
    let report = scimulator::runner::run(vec![suite.clone()], &opts, &mut VecSink::default())
        .await
        .expect("the replay starts");
    reference.server.shutdown().await;
    report
}

async fn prove(sources: &[&str], idp: &str, defects: &[(Fault, &str)]) {
    let (generated, exchanges, _) = record_bundled(sources, false).await;
    assert!(
        exchanges.len() > 10,
        "exchanges recorded: {}",
        exchanges.len()
    );
    let yaml = &generated.yaml;
    let suite = load(yaml);
    assert_eq!(suite.idp.map(|p| p.name()), Some(idp), "{yaml}");
    assert!(
        yaml.contains("# the IdP profile was guessed from"),
        "{yaml}"
    );
    assert!(
        suite.cases.len() > 3,
        "one case per flow, not one blob:\n{yaml}"
    );
    assert!(
        yaml.contains("capture:") && yaml.contains("{{ user_id }}"),
        "{yaml}"
    );
    assert!(
        yaml.contains("unique.email"),
        "generated userNames become unique.*:\n{yaml}"
    );
    let green = replay(&suite, None).await;
    assert!(
        not_passed(&green).is_empty(),
        "the generated suite replays green: {:?}\n{}\n{yaml}",
        not_passed(&green),
        failure_text(&green)
    );
    // Twice against the same kind of server: unique values do not collide.
    for (fault, needle) in defects {
        let report = replay(&suite, Some(*fault)).await;
        let text = failure_text(&report);
        assert!(
            !not_passed(&report).is_empty() && text.contains(needle),
            "{fault:?}: the generated suite must fail naming {needle:?}, got {:?}\n{text}",
            not_passed(&report)
        );
    }
}

#[tokio::test]
async fn recorded_okta_lifecycle_replays_green_and_catches_the_defects() {
    prove(
        &[
            "okta/deactivate-reactivate.yaml",
            "okta/push-groups.yaml",
            "okta/revoked-token.yaml",
        ],
        "okta",
        &[
            (Fault::PathlessPatchIgnored, "$.active"),
            (Fault::MemberRemoveDropped, "$.members"),
            (Fault::RevokedTokenAccepted, "401"),
        ],
    )
    .await;
}

#[tokio::test]
async fn recorded_entra_lifecycle_replays_green_and_catches_the_defects() {
    prove(
        &[
            "entra/lifecycle.yaml",
            "entra/groups.yaml",
            "entra/bad-credentials.yaml",
        ],
        "entra",
        &[
            (Fault::MemberRemoveDropped, "$.members"),
            (Fault::RevokedTokenAccepted, "401"),
        ],
    )
    .await;
}

#[tokio::test]
async fn the_harness_okta_and_entra_profiles_grade_clean_as_clients() {
    let (_, exchanges, report) = record_bundled(
        &[
            "okta/deactivate-reactivate.yaml",
            "okta/push-groups.yaml",
            "okta/push-profile.yaml",
            "entra/lifecycle.yaml",
            "entra/groups.yaml",
            "entra/update-user.yaml",
        ],
        false,
    )
    .await;
    assert!(
        report.requests as usize >= exchanges.len() / 2,
        "{}",
        report.requests
    );
    assert!(
        report.violations.is_empty(),
        "{}",
        record::grade_report::console(&report)
    );
}
