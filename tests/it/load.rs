//! `scimulator load` (issue 14): every scenario's outcome verification
//! passes on the reference server and fails, naming the write, against a
//! server that loses one concurrent member add, one that creates a
//! duplicate user under racing lookups-then-creates, and one that answers
//! 429 to every fifth request without `Retry-After`.

use std::time::Duration;

use scimulator::load::{self, FindingKind, LoadReport, Params, Plan, Scenario, Target, render};

use crate::support::Reference;
use crate::support::faults::Fault;
use crate::support::proxy::Proxy;

/// The five IdP scenarios of the issue (read-user is the benchmark's).
const SCENARIOS: [Scenario; 5] = [
    Scenario::OktaInitialPush,
    Scenario::EntraCycle,
    Scenario::BulkDeactivate,
    Scenario::MemberStorm,
    Scenario::Import,
];

fn plan(scenario: Scenario) -> Plan {
    let params = Params {
        users: 24,
        groups: 2,
        members: 12,
        rate: 0.0,
        concurrency: 8,
        duration: Duration::ZERO,
        run_id: uuid::Uuid::new_v4().simple().to_string()[..10].to_owned(),
        max_retry_wait: Duration::from_secs(2),
        timeout: Duration::from_secs(10),
    };
    Plan::build(scenario, params).expect("a valid plan")
}

async fn run_direct(scenario: Scenario) -> LoadReport {
    let reference = Reference::start().await;
    let target = Target {
        base: reference.server.scim_base(),
        token: reference.creds.valid.clone(),
    };
    let report = load::run(&plan(scenario), &target)
        .await
        .expect("the run drives the target");
    reference.server.shutdown().await;
    report
}

async fn run_with(scenario: Scenario, fault: Fault) -> LoadReport {
    let reference = Reference::start().await;
    let proxy = Proxy::start(&reference.root(), fault, reference.creds.clone()).await;
    let target = Target {
        base: proxy.scim_base(),
        token: reference.creds.valid.clone(),
    };
    let report = load::run(&plan(scenario), &target)
        .await
        .expect("the run drives the target");
    reference.server.shutdown().await;
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_verifies_on_the_reference_server() {
    let mut bad = Vec::new();
    for scenario in SCENARIOS.into_iter().chain([Scenario::ReadUser]) {
        let report = if scenario == Scenario::ReadUser {
            let reference = Reference::start().await;
            let target = Target {
                base: reference.server.scim_base(),
                token: reference.creds.valid.clone(),
            };
            let mut p = plan(scenario);
            p.params.duration = Duration::from_millis(300);
            let r = load::run(&p, &target)
                .await
                .expect("the run drives the target");
            reference.server.shutdown().await;
            r
        } else {
            run_direct(scenario).await
        };
        if !report.passed() || report.summary.requests == 0 || report.summary.server_errors > 0 {
            bad.push(render::console(&report));
        }
        assert!(
            report.verification.users_checked > 0,
            "{scenario:?} checked no user"
        );
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Runs every scenario through `fault` and returns the scenarios whose
/// verification did not fail with a finding of `kind` containing `needle`.
async fn not_caught(fault: Fault, kind: FindingKind, needle: &str) -> Vec<String> {
    let mut missed = Vec::new();
    for scenario in SCENARIOS {
        let report = run_with(scenario, fault).await;
        let caught = report
            .verification
            .findings
            .iter()
            .any(|f| f.kind == kind && format!("{} {}", f.subject, f.detail).contains(needle));
        if report.passed() || !caught {
            missed.push(format!(
                "{scenario:?} under {fault:?}:\n{}",
                render::console(&report)
            ));
        }
    }
    missed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_fails_when_one_concurrent_member_add_is_lost() {
    let missed = not_caught(
        Fault::LosesConcurrentMemberAdd,
        FindingKind::Lost,
        "member add lost",
    )
    .await;
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_fails_on_a_duplicate_user_from_racing_creates() {
    let missed = not_caught(
        Fault::DuplicateUserOnRace,
        FindingKind::Duplicated,
        "@example.com",
    )
    .await;
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_fails_when_every_fifth_request_is_429_without_retry_after() {
    let missed = not_caught(
        Fault::ThrottleEveryFifthNoRetryAfter,
        FindingKind::Throttled,
        "429",
    )
    .await;
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_only_passes_after_a_run_and_names_a_user_deleted_since() {
    let reference = Reference::start().await;
    let target = Target {
        base: reference.server.scim_base(),
        token: reference.creds.valid.clone(),
    };
    let plan = plan(Scenario::OktaInitialPush);
    let run = load::run(&plan, &target).await.expect("run");
    assert!(run.passed(), "{}", render::console(&run));
    let again = load::verify_only(&plan, &target).await.expect("verify");
    assert!(again.passed() && !again.sent, "{}", render::console(&again));
    // Delete user 3 behind the IdP's back: the read-back must name it.
    let name = &plan.intent.users[3].user_name;
    let client = reqwest::Client::new();
    let list: serde_json::Value = client
        .get(format!(
            "{}/Users?filter=userName%20eq%20%22{name}%22",
            target.base
        ))
        .bearer_auth(&target.token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let id = list["Resources"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let status = client
        .delete(format!("{}/Users/{id}", target.base))
        .bearer_auth(&target.token)
        .send()
        .await
        .expect("delete")
        .status();
    assert_eq!(status.as_u16(), 204);
    let after = load::verify_only(&plan, &target).await.expect("verify");
    assert!(
        after
            .verification
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::Lost && f.subject.contains(name.as_str())),
        "{}",
        render::console(&after)
    );
    reference.server.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_target_is_an_error_not_a_verdict() {
    let target = Target {
        base: "http://127.0.0.1:9/scim/v2".into(),
        token: "t".into(),
    };
    let err = load::run(&plan(Scenario::Import), &target)
        .await
        .expect_err("nothing listens on port 9");
    assert!(matches!(err, load::LoadError::Unreachable(_)), "{err}");
}
