//! Proof for issue 12 (IdP profiles as data): every case of the IdP-neutral
//! suite (`suites/idp`) and of each data profile's own suite fails against
//! the defect it targets; OneLogin's probe accepts the 404 Entra's refuses;
//! a user-written profile file drives a run, and a malformed one gets a
//! located error.

use std::path::Path;

use crate::support::faults::Fault::{self, *};
use crate::support::{CaseVerdict, defect_coverage, defects_not_caught, run_case};

/// (suite file, case name, defect, profile, text the failure must contain).
const DEFECTS: &[(&str, &str, Fault, Option<&str>, &str)] = &[
    // The IdP-neutral lifecycle, each under a profile whose habit meets the defect.
    (
        "idp/lifecycle.yaml",
        "the connection test passes",
        NotFoundForEmptyFilter,
        Some("entra"),
        "404",
    ),
    (
        "idp/lifecycle.yaml",
        "a user is created and read back",
        CreateReturnsEmptyBody,
        Some("google"),
        "$.id",
    ),
    (
        "idp/lifecycle.yaml",
        "a profile change is applied",
        PutIgnored,
        Some("onelogin"),
        "Hopper",
    ),
    (
        "idp/lifecycle.yaml",
        "a user is deactivated and reactivated",
        PutDropsActive,
        Some("onelogin"),
        "$.active",
    ),
    (
        "idp/lifecycle.yaml",
        "a group is pushed and a member added and removed",
        MemberRemoveDropped,
        Some("pingfederate"),
        "$.members",
    ),
    // OneLogin
    (
        "onelogin/lifecycle.yaml",
        "the setup probe accepts an empty list or a 404",
        TextHtmlContentType,
        None,
        "text/html",
    ),
    (
        "onelogin/lifecycle.yaml",
        "a user update is a full PUT that the server applies",
        PutIgnored,
        None,
        "Hopper",
    ),
    (
        "onelogin/lifecycle.yaml",
        "the setup probe accepts an empty list or a 404",
        TrailingAmpersandRejected,
        None,
        "trailing &",
    ),
    (
        "onelogin/lifecycle.yaml",
        "a user update is a full PUT that the server applies",
        EmptyQueryRejected,
        None,
        "empty query after ?",
    ),
    (
        "onelogin/lifecycle.yaml",
        "`active` sent as the string \"true\" is understood",
        StringActiveRejected,
        None,
        "400",
    ),
    // PingFederate
    (
        "pingfederate/lookups.yaml",
        "a group is found by paging through every group",
        LastListedGroupLost,
        None,
        "found nothing",
    ),
    (
        "pingfederate/lookups.yaml",
        "an existing user is matched by work email",
        MultiValuedFilterRejected,
        None,
        "400",
    ),
    (
        "pingfederate/lookups.yaml",
        "a user is disabled with a full PUT",
        PutIgnored,
        None,
        "$.active",
    ),
    // JumpCloud
    (
        "jumpcloud/test-connection.yaml",
        "the connection test creates and deletes a user and a group",
        UserDeleteRefused,
        None,
        "405",
    ),
    (
        "jumpcloud/test-connection.yaml",
        "a member is removed with a value array",
        ValueArrayRemoveIgnored,
        None,
        "$.members",
    ),
    // Rippling
    (
        "rippling/capabilities.yaml",
        "the connection test reads /ServiceProviderConfig",
        SpcMissing,
        None,
        "404",
    ),
    (
        "rippling/capabilities.yaml",
        "a group is renamed with PATCH because the form says so",
        GroupPatchIgnored,
        None,
        "found nothing",
    ),
    // SailPoint
    (
        "sailpoint/members.yaml",
        "three member PATCHes keep all three members",
        MemberAddReplaces,
        None,
        "$.members",
    ),
    (
        "sailpoint/members.yaml",
        PARALLEL_CASE,
        MemberPatchReadModifyWrite,
        None,
        "$.members",
    ),
    (
        "sailpoint/members.yaml",
        PARALLEL_CASE,
        LosesConcurrentMemberAdd,
        None,
        "$.members",
    ),
];

/// SailPoint's parallel member PATCHes (`suites/sailpoint/members.yaml`).
const PARALLEL_CASE: &str = "eight member PATCHes sent at once keep all eight members, \
                             and three removes at once keep the other five";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_idp_profile_case_fails_against_the_defect_it_targets() {
    let problems = defects_not_caught(DEFECTS.iter().copied()).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_idp_profile_case_is_covered_by_a_defect() {
    let mut problems = Vec::new();
    for prefix in [
        "idp/",
        "onelogin/",
        "pingfederate/",
        "jumpcloud/",
        "rippling/",
        "sailpoint/",
    ] {
        problems.extend(defect_coverage(
            prefix,
            DEFECTS
                .iter()
                .filter(|(s, ..)| s.starts_with(prefix))
                .map(|&(s, c, ..)| (s, c)),
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The issue's example: a 404 on a `userName` lookup passes OneLogin's
/// probe ([doc]: 404 is success) and fails Entra's (okta-wire.md §6.1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_lookup_passes_onelogins_probe_but_fails_entras() {
    let case = "the connection test passes";
    let onelogin = run_case(
        "idp/lifecycle.yaml",
        case,
        NotFoundForEmptyFilter,
        Some("onelogin"),
    )
    .await;
    assert!(
        matches!(onelogin, CaseVerdict::Passed),
        "onelogin: {onelogin:?}"
    );
    let entra = run_case(
        "idp/lifecycle.yaml",
        case,
        NotFoundForEmptyFilter,
        Some("entra"),
    )
    .await;
    assert!(matches!(entra, CaseVerdict::Failed(_)), "entra: {entra:?}");
}

/// The issue's proof: a server whose concurrent group PATCHes lose a member
/// fails SailPoint's parallel case, passes it without the race, and still
/// passes the one-PATCH-at-a-time case (so it is the concurrency that
/// catches it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sailpoints_parallel_member_patches_catch_lost_updates_and_only_they_do() {
    let suite = "sailpoint/members.yaml";
    let plain = run_case(suite, PARALLEL_CASE, Transparent, None).await;
    assert!(matches!(plain, CaseVerdict::Passed), "plain: {plain:?}");
    let racy = run_case(suite, PARALLEL_CASE, MemberPatchReadModifyWrite, None).await;
    assert!(matches!(racy, CaseVerdict::Failed(_)), "racy: {racy:?}");
    let one_at_a_time = "three member PATCHes keep all three members";
    let sequential = run_case(suite, one_at_a_time, MemberPatchReadModifyWrite, None).await;
    assert!(
        matches!(sequential, CaseVerdict::Passed),
        "sequential: {sequential:?}"
    );
}

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");

async fn scimulator(dir: &Path, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("CI", "true")
        .env_remove("SCIMULATOR_TARGET")
        .env_remove("SCIMULATOR_TOKEN")
        .env("NO_COLOR", "1")
        .output()
        .await
        .expect("the binary runs")
}

/// An in-house connector: GET + full PUT updates, deactivation by DELETE,
/// value-array removals, `+` lookups, its own User-Agent.
const IN_HOUSE: &str = r#"name: acme-connector
imitates: ACME's in-house provisioning connector
headers: { User-Agent: acme-sync/2.1 }
users:
  lookup: { attribute: userName, encoding: "+" }
  update: put
groups:
  remove_members: value_array
connection_test:
  - { probe: list_users, count: 5 }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_written_profile_drives_a_run() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("acme.yaml"), IN_HOUSE).expect("written");
    let suites = concat!(env!("CARGO_MANIFEST_DIR"), "/suites/idp");
    let out = scimulator(
        dir.path(),
        &[
            "run",
            suites,
            "--idp-file",
            "acme.yaml",
            "--report",
            "json=r.json",
            "--no-round-trip",
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(dir.path().join("r.json")).expect("the JSON report");
    // The profile's habits are what went on the wire.
    assert!(
        report.contains("acme-sync/2.1"),
        "the profile's User-Agent is sent"
    );
    assert!(
        report.contains("acme-connector: update_user"),
        "steps name the profile"
    );
    assert!(report.contains("\"PUT\""), "updates are full PUTs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_profile_file_gets_a_located_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bad = IN_HOUSE.replace("update: put", "update: pacth");
    std::fs::write(dir.path().join("acme.yaml"), bad).expect("written");
    let out = scimulator(dir.path(), &["run", "--idp-file", "acme.yaml"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("acme.yaml:6:"),
        "located at the line: {stderr}"
    );
    assert!(stderr.contains("users.update"), "names the field: {stderr}");
    assert!(stderr.contains("pacth"), "quotes the bad value: {stderr}");
}

/// `validate` and `list` take `--idp-file` as `run` does: a good profile
/// expands the IdP-neutral suites (exit 0), a malformed one gets the same
/// located error as under `run` (exit 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_and_list_take_a_profile_file_like_run() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("acme.yaml"), IN_HOUSE).expect("written");
    let bad = IN_HOUSE.replace("update: put", "update: pacth");
    std::fs::write(dir.path().join("bad.yaml"), bad).expect("written");
    let suites = concat!(env!("CARGO_MANIFEST_DIR"), "/suites/idp");
    for command in ["validate", "list"] {
        let out = scimulator(dir.path(), &[command, suites, "--idp-file", "acme.yaml"]).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{command}: {stdout}\n{stderr}");
        let expected = if command == "list" {
            "lifecycle.yaml"
        } else {
            ": OK"
        };
        assert!(stdout.contains(expected), "{command}: {stdout}");
        let out = scimulator(dir.path(), &[command, suites, "--idp-file", "bad.yaml"]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains("bad.yaml:6:"), "{command}: {stderr}");
        assert!(stderr.contains("users.update"), "{command}: {stderr}");
    }
}

/// `--idp all` runs the IdP-neutral suite once per profile on the embedded
/// server, and the Markdown scorecard has one column per profile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idp_all_runs_every_neutral_suite_under_every_profile() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let suites = concat!(env!("CARGO_MANIFEST_DIR"), "/suites/idp");
    let out = scimulator(
        dir.path(),
        &[
            "run",
            suites,
            "--idp",
            "all",
            "--report",
            "markdown=r.md",
            "--report",
            "json=r.json",
            "--no-round-trip",
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let names = scimulator::suite::model::Profile::NAMES;
    let json = std::fs::read_to_string(dir.path().join("r.json")).expect("the JSON report");
    for name in names {
        assert!(
            json.contains(&format!("lifecycle.yaml [{name}]")),
            "{name} ran"
        );
    }
    let md = std::fs::read_to_string(dir.path().join("r.md")).expect("the Markdown report");
    let header = md
        .lines()
        .find(|l| l.starts_with("| Capability |"))
        .expect("a scorecard");
    for name in names {
        assert!(
            header.contains(&format!("| {name} ")),
            "a column for {name}: {header}"
        );
    }
}

/// A Rippling-style form with "Supports Groups" or "Create & Delete Groups"
/// off (idp-wire-more.md §5 [doc]): the neutral suite's group case is
/// skipped with the declared switch as its reason, nothing of it is sent,
/// and every user case still runs and passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_switches_that_rule_out_group_pushes_skip_the_group_cases_with_the_reason() {
    for (switch, reason) in [
        ("groups", "declares `groups: false`"),
        (
            "create_delete_groups",
            "declares `create_delete_groups: false`",
        ),
    ] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let profile = format!(
            "name: form-{switch}\nimitates: a Rippling custom app with a switch off\n\
             capabilities: {{ source: declared, declared: {{ {switch}: false }} }}\n"
        );
        std::fs::write(dir.path().join("p.yaml"), profile).expect("written");
        let suites = concat!(env!("CARGO_MANIFEST_DIR"), "/suites/idp");
        let out = scimulator(
            dir.path(),
            &[
                "run",
                suites,
                "--idp-file",
                "p.yaml",
                "--report",
                "json=r.json",
                "--no-round-trip",
            ],
        )
        .await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{switch}: {stdout}");
        let report: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("r.json")).expect("the JSON report"),
        )
        .expect("JSON");
        let cases: Vec<&serde_json::Value> = report["suites"]
            .as_array()
            .expect("suites")
            .iter()
            .flat_map(|s| s["cases"].as_array().expect("cases"))
            .collect();
        let group = cases
            .iter()
            .find(|c| c["name"] == "a group is pushed and a member added and removed")
            .expect("the group case");
        assert_eq!(group["outcome"]["status"], "skipped", "{switch}: {group}");
        assert!(
            group["outcome"]["detail"]
                .as_str()
                .is_some_and(|d| d.contains(reason)),
            "{switch}: {group}"
        );
        assert!(
            group["steps"].as_array().is_none_or(|s| s.is_empty()),
            "{switch}: nothing of a skipped case is sent"
        );
        let passed = cases
            .iter()
            .filter(|c| c["outcome"]["status"] == "passed")
            .count();
        assert!(passed >= 4, "{switch}: the user cases still run: {stdout}");
    }
}
