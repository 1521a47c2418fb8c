//! Snapshots belong to a target: recorded on a first run, skipped (never
//! failed) when missing under `--snapshots no`, drift reported beside a
//! passing verdict and gating only with `--fail-on-drift`, the bundled
//! snapshots untouched by a foreign target, and the embedded run passing
//! from an empty folder on CI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use scimulator::runner::{Outcome, RunReport, SnapshotStatus};
use scimulator::snapshot::SnapshotMode;
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::runner::{opts, run_yaml};
use crate::support::Reference;

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");

const SNAPSHOT_SUITE: &str = r#"
suite: s
cases:
  - name: Read user
    why: w
    steps:
      - request: { method: GET, path: /Users/1 }
        expect: { status: 200, snapshot: response }
"#;

async fn user_server(name: &str) -> MockServer {
    let server = MockServer::start().await;
    mount_user(&server, name).await;
    server
}

async fn mount_user(server: &MockServer, name: &str) {
    Mock::given(path("/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": "1", "userName": name, "meta": {"created": "2026-11-24T00:00:00Z"}}),
        ))
        .mount(server)
        .await;
}

fn only_check(report: &RunReport) -> (&Outcome, &SnapshotStatus) {
    let cases: Vec<_> = report.cases().collect();
    assert_eq!(cases.len(), 1, "expected exactly one case");
    let checks: Vec<_> = cases[0].snapshot_checks().collect();
    assert_eq!(checks.len(), 1, "expected exactly one snapshot check");
    (&cases[0].outcome, &checks[0].1.outcome)
}

/// Every file under `dir` (relative path → contents).
fn listing(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root").to_owned();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[tokio::test]
async fn a_first_run_records_and_a_later_change_is_drift_beside_a_passing_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = user_server("ada").await;
    let mut o = opts(&server.uri()).with_snapshots(SnapshotMode::New, dir.path());
    let first = run_yaml(SNAPSHOT_SUITE, &o).await;
    assert_eq!(
        only_check(&first),
        (&Outcome::Passed, &SnapshotStatus::Recorded)
    );
    let snap = dir.path().join("suites/fixture/read_user__response.snap");
    let text = std::fs::read_to_string(&snap).expect("snapshot written");
    assert!(text.starts_with("suite: fixture.yaml\ncase: Read user\nrequest: GET /Users/1\n---\n"));
    assert!(text.contains("\"created\": \"[timestamp]\"") && text.contains("\"id\": \"[id]\""));

    server.reset().await;
    mount_user(&server, "grace").await;
    o.snapshot_mode = SnapshotMode::No;
    let before = listing(dir.path());
    let second = run_yaml(SNAPSHOT_SUITE, &o).await;
    let (outcome, status) = only_check(&second);
    assert_eq!(outcome, &Outcome::Passed, "drift does not fail the case");
    let SnapshotStatus::Drift { diff, pending } = status else {
        panic!("expected drift, got {status:?}");
    };
    assert!(
        diff.contains("-    \"userName\": \"ada\"")
            && diff.contains("+    \"userName\": \"grace\""),
        "{diff}"
    );
    assert_eq!(pending, &None);
    assert_eq!(listing(dir.path()), before, "--snapshots no wrote nothing");

    o.snapshot_mode = SnapshotMode::New;
    let third = run_yaml(SNAPSHOT_SUITE, &o).await;
    let (outcome, status) = only_check(&third);
    assert_eq!(outcome, &Outcome::Passed);
    let SnapshotStatus::Drift {
        pending: Some(p), ..
    } = status
    else {
        panic!("expected drift with a pending file, got {status:?}");
    };
    assert!(p.ends_with("read_user__response.snap.new"), "{p}");
    assert!(Path::new(p).exists());
}

#[tokio::test]
async fn with_snapshots_no_a_missing_snapshot_skips_the_check_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshots = dir.path().join("never-created");
    let server = user_server("ada").await;
    let o = opts(&server.uri()).with_snapshots(SnapshotMode::No, &snapshots);
    let report = run_yaml(SNAPSHOT_SUITE, &o).await;
    let (outcome, status) = only_check(&report);
    assert_eq!(outcome, &Outcome::Passed, "a missing snapshot never fails");
    let SnapshotStatus::Skipped { reason } = status else {
        panic!("expected a skipped check, got {status:?}");
    };
    assert!(reason.contains("--snapshots no"), "{reason}");
    assert!(!snapshots.exists(), "nothing written");
    assert_eq!(report.summary.failed + report.summary.errored, 0);
}

async fn scimulator(dir: &Path, args: &[&str], ci: bool) -> Output {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env_remove("SCIMULATOR_TARGET")
        .env_remove("SCIMULATOR_TOKEN")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    if ci {
        cmd.env("CI", "true");
    }
    cmd.output().await.expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn json_report(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("reports/report.json")).expect("json report");
    serde_json::from_str(&text).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn drift_fails_the_run_only_with_fail_on_drift() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("s.yaml"), SNAPSHOT_SUITE).expect("write suite");
    let server = user_server("ada").await;
    let target = server.uri();
    let run = |extra: &'static [&'static str], ci: bool| {
        let target = target.clone();
        let dir = dir.path().to_owned();
        async move {
            let mut args = vec![
                "run",
                "s.yaml",
                "--no-preflight",
                "--target",
                target.as_str(),
            ];
            args.extend_from_slice(extra);
            scimulator(&dir, &args, ci).await
        }
    };
    let folder = scimulator::snapshot::per_target_dir(Path::new(""), &target);
    // A CI run before any recording: the check is skipped, the run passes.
    let out = run(&[], true).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("Snapshots: 1 not checked: none stored for this target yet"),
        "{}",
        text(&out)
    );
    assert!(!dir.path().join(".scimulator").exists(), "CI wrote nothing");
    // The first local run records.
    let out = run(&[], false).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = text(&out);
    assert!(
        stdout.contains(&format!(
            "Snapshots: 1 recorded in {} (the first run against this target",
            folder.display()
        )),
        "{stdout}"
    );
    assert!(
        dir.path()
            .join(&folder)
            .join("suites/s/read_user__response.snap")
            .exists()
    );

    server.reset().await;
    mount_user(&server, "grace").await;
    let out = run(&[], true).await;
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(0), "drift alone passes: {stdout}");
    assert!(stdout.contains("    PASS ["), "{stdout}");
    assert!(
        stdout.contains("DRIFT snapshot `response` (step 1) differs from"),
        "{stdout}"
    );
    assert!(stdout.contains("+    \"userName\": \"grace\""), "{stdout}");
    assert!(stdout.contains("Gate: passed"), "{stdout}");
    let report = json_report(dir.path());
    assert_eq!(report["drift"][0]["snapshot"], "response");
    assert_eq!(report["gate"]["outcome"], "passed");
    assert_eq!(report["gate"]["drifted"], 1);

    let out = run(&["--fail-on-drift"], true).await;
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "Gate: failed (fail-on recommended: 0 blocking failures; 1 drifted snapshot, --fail-on-drift)"
        ),
        "{stdout}"
    );
    let report = json_report(dir.path());
    assert_eq!(report["gate"]["outcome"], "failed");
    assert_eq!(report["gate"]["fail_on_drift"], true);
    let junit = std::fs::read_to_string(dir.path().join("reports/junit.xml")).expect("junit");
    assert!(junit.contains(r#"type="drift""#), "{junit}");
    assert!(
        junit.contains(r#"<property name="snapshot.response" value="drift"/>"#),
        "{junit}"
    );

    // A local run leaves the new version for review; `--target` finds it.
    let out = run(&[], false).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = scimulator(
        dir.path(),
        &["snapshots", "accept", "--target", &target],
        false,
    )
    .await;
    assert!(
        text(&out).contains("1 snapshot(s) accepted"),
        "{}",
        text(&out)
    );
    let out = run(&[], true).await;
    assert!(!text(&out).contains("DRIFT"), "{}", text(&out));
}

/// A folder that looks like a scimulator checkout: its `Cargo.toml` and a
/// copy of the bundled snapshots.
fn fake_checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"scimulator\"\nversion = \"0.0.0\"\n",
    )
    .expect("write");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/suites");
    for (rel, bytes) in listing(&source) {
        let to = dir.path().join("snapshots/suites").join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::write(to, bytes).expect("copy");
    }
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_target_never_writes_into_the_bundled_snapshots() {
    let repo_snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/suites");
    let repo_before = listing(&repo_snapshots);
    assert!(!repo_before.is_empty(), "the bundled snapshots exist");
    let checkout = fake_checkout();
    let bundled = checkout.path().join("snapshots");
    let before = listing(&bundled);
    // The reference server, but run as a foreign target (`--target`): its
    // responses differ from the bundled snapshots in ids and port only, and
    // the bundled snapshots must not even be read.
    let reference = Reference::start().await;
    let target = reference.server.scim_base();
    // `--token=…`: a generated token may start with `-`.
    let token = format!("--token={}", reference.creds.valid);
    let args = [
        "run",
        "--filter",
        "okta/push-new-user",
        "--target",
        target.as_str(),
        token.as_str(),
        "--snapshots",
        "always",
    ];
    let out = scimulator(checkout.path(), &args, false).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("Snapshots: 1 recorded in .scimulator/snapshots/127.0.0.1_"));
    assert_eq!(
        listing(&bundled),
        before,
        "the bundled snapshots are unchanged"
    );
    let folder = checkout
        .path()
        .join(scimulator::snapshot::per_target_dir(Path::new(""), &target));
    assert_eq!(listing(&folder).len(), 1, "recorded in the target's folder");
    // Naming the bundled folder for a foreign target is refused.
    let mut refused = args.to_vec();
    refused.extend(["--snapshot-dir", "snapshots"]);
    let out = scimulator(checkout.path(), &refused, false).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("holds scimulator's bundled snapshots"));
    assert_eq!(listing(&bundled), before);
    assert_eq!(listing(&repo_snapshots), repo_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_run_passes_its_snapshot_cases_from_an_empty_folder() {
    for ci in [true, false] {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = scimulator(dir.path(), &["run", "--filter", "okta/"], ci).await;
        let stdout = text(&out);
        assert_eq!(out.status.code(), Some(0), "CI={ci}: {stdout}");
        assert!(!stdout.contains("DRIFT"), "{stdout}");
        assert!(!stdout.contains("Snapshots:"), "all matched: {stdout}");
        let report = json_report(dir.path());
        let mut checks = Vec::new();
        for suite in report["suites"].as_array().expect("suites") {
            for case in suite["cases"].as_array().expect("cases") {
                for step in case["steps"].as_array().expect("steps") {
                    if let Some(check) = step.get("snapshot") {
                        checks.push(check.clone());
                    }
                }
            }
        }
        assert_eq!(checks.len(), 4, "the four bundled snapshot checks ran");
        for check in &checks {
            assert_eq!(check["outcome"]["status"], "matched", "{check}");
            assert!(
                check["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("bundled:snapshots/suites/okta/")),
                "{check}"
            );
        }
        let entries: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(entries, ["reports"], "only the reports were written");
    }
}
