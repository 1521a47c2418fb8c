//! `scimulator load` as a vendor runs it: `--list`, exit codes 0/1/2/3,
//! the JSON and HTML reports, and a Locust file that carries no token.

use std::path::Path;
use std::process::Output;

use crate::support::Reference;
use crate::support::faults::Fault;
use crate::support::proxy::Proxy;

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");
const CANARY: &str = "canary-load-token-77c2";

async fn scimulator(dir: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("SCIMULATOR_TARGET")
        .env_remove("SCIMULATOR_TOKEN")
        .output()
        .await
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const SMALL: [&str; 8] = [
    "--users",
    "20",
    "--groups",
    "2",
    "--members",
    "10",
    "--rate",
    "0",
];

#[tokio::test]
async fn list_names_every_scenario_and_an_unknown_one_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = scimulator(dir.path(), &["load", "--list"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for name in [
        "okta-initial-push",
        "entra-cycle",
        "bulk-deactivate",
        "member-storm",
        "import",
    ] {
        assert!(text(&out).contains(name), "{name} missing from --list");
    }
    let out = scimulator(dir.path(), &["load", "okta-push"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = scimulator(dir.path(), &["load", "import", "--concurrency", "0"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[tokio::test]
async fn a_verified_run_on_the_embedded_server_exits_0_and_writes_both_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec![
        "load",
        "member-storm",
        "--report",
        "json=out/load.json",
        "--report",
        "html=out/load.html",
    ];
    args.extend(SMALL);
    let out = scimulator(dir.path(), &args).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("PASS"), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/load.json")).expect("json report"),
    )
    .expect("valid JSON");
    assert_eq!(json["verification"]["findings"], serde_json::json!([]));
    assert!(
        json["summary"]["kinds"]
            .as_array()
            .is_some_and(|k| !k.is_empty())
    );
    let html = std::fs::read_to_string(dir.path().join("out/load.html")).expect("html report");
    assert!(html.contains("latency over time") && html.contains("latency histogram"));
}

#[tokio::test]
async fn a_duplicated_write_exits_1_and_is_named() {
    let reference = Reference::start().await;
    let proxy = Proxy::start(
        &reference.root(),
        Fault::DuplicateUserOnRace,
        reference.creds.clone(),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let base = proxy.scim_base();
    let mut args = vec![
        "load",
        "okta-initial-push",
        "--target",
        &base,
        "--token",
        &reference.creds.valid,
    ];
    args.extend(SMALL);
    let out = scimulator(dir.path(), &args).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("duplicated") && text(&out).contains("@example.com"),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out).contains(&reference.creds.valid),
        "the token leaked"
    );
    reference.server.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_target_exits_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = scimulator(
        dir.path(),
        &[
            "load",
            "import",
            "--target",
            "http://127.0.0.1:9/scim/v2",
            "--token",
            CANARY,
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(!text(&out).contains(CANARY));
}

#[tokio::test]
async fn the_locust_file_replays_the_plan_and_never_holds_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = scimulator(
        dir.path(),
        &[
            "load",
            "entra-cycle",
            "--emit",
            "locust",
            "locustfile.py",
            "--run-id",
            "lc1",
            "--users",
            "30",
            "--token",
            CANARY,
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("--verify --run-id lc1"),
        "{}",
        text(&out)
    );
    let py = std::fs::read_to_string(dir.path().join("locustfile.py")).expect("locustfile");
    assert!(!py.contains(CANARY), "the token is in the Locust file");
    assert!(
        py.contains("SCIM_TOKEN")
            && py.contains("entra_provision_user")
            && py.contains("load-lc1-29@example.com")
    );
    let out = scimulator(dir.path(), &["load", "import", "--emit", "k6", "x.js"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
