//! The real binary: exit codes, error text, default reports, the embedded
//! server, snapshots subcommands, and a canary token over every output.

use std::path::Path;
use std::process::Output;

use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");
const CANARY: &str = "canary-cli-token-5d1e";

async fn scimulator(dir: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env_remove("SCIMULATOR_TARGET")
        .env_remove("SCIMULATOR_TOKEN")
        .env("NO_COLOR", "1")
        .output()
        .await
        .expect("the binary runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn write_suite(dir: &Path, name: &str, yaml: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, yaml).expect("write suite");
    p.display().to_string()
}

const PASSING: &str = r#"
suite: cli
cases:
  - name: read
    why: w
    steps:
      - request: { method: GET, path: /Users/1 }
        expect: { status: 200 }
"#;

const FAILING_ADVISORY: &str = r#"
suite: cli
severity: advisory
cases:
  - name: read
    why: w
    steps:
      - request: { method: GET, path: /Users/1 }
        expect: { status: 201 }
"#;

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1", "t": CANARY})))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn a_passing_run_exits_0_and_writes_the_default_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = ok_server().await;
    let suite = write_suite(dir.path(), "s.yaml", PASSING);
    let out = scimulator(
        dir.path(),
        &[
            "run",
            &suite,
            "--no-preflight",
            "--target",
            &server.uri(),
            "--token",
            CANARY,
            "--no-round-trip",
        ],
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("Summary: 1 passed, 0 failed, 0 skipped")
    );
    assert!(dir.path().join("reports/junit.xml").is_file());
    assert!(dir.path().join("reports/report.json").is_file());
}

#[tokio::test(flavor = "multi_thread")]
async fn fail_on_decides_whether_an_advisory_failure_fails_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = ok_server().await;
    let suite = write_suite(dir.path(), "s.yaml", FAILING_ADVISORY);
    let target = server.uri();
    let base = [
        "run",
        suite.as_str(),
        "--no-preflight",
        "--target",
        target.as_str(),
        "--report",
        "json=r.json",
    ];
    let out = scimulator(dir.path(), &base).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "advisory is below the default threshold"
    );
    let mut strict = base.to_vec();
    strict.extend(["--fail-on", "advisory"]);
    let out = scimulator(dir.path(), &strict).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).0.contains("FAIL ["));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_target_exits_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let suite = write_suite(dir.path(), "s.yaml", PASSING);
    let target = format!("http://127.0.0.1:{port}");
    let out = scimulator(
        dir.path(),
        &["run", &suite, "--no-preflight", "--target", &target],
    )
    .await;
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("ERROR ["), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write_suite(dir.path(), "s.yaml", PASSING);
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", &suite, "--report", "pdf=x.pdf"],
            "unknown report format `pdf`",
        ),
        (
            &["run", &suite, "--baseline", "missing.json"],
            "baseline missing.json",
        ),
        (
            &["run", &suite, "--snapshots", "sometimes"],
            "invalid value 'sometimes'",
        ),
        (
            &["run", &suite, "--idp", "okta-oin"],
            "invalid value 'okta-oin'",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let out = scimulator(dir.path(), args).await;
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

/// The valid fixtures pass the whole pipeline (load, lint, IdP expansion),
/// not only the loader: a fixture that `validate` refuses is not "valid".
#[tokio::test(flavor = "multi_thread")]
async fn the_valid_fixtures_pass_validate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ok = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ok");
    let out = scimulator(dir.path(), &["validate", ok]).await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_prints_every_error_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let invalid = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/invalid");
    let out = scimulator(dir.path(), &["validate", invalid]).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors = stderr.lines().filter(|l| l.starts_with("error: ")).count();
    let files = std::fs::read_dir(invalid).expect("fixtures").count();
    assert!(
        errors >= files.min(2),
        "expected one error per file:\n{stderr}"
    );

    let ok = write_suite(dir.path(), "ok.yaml", PASSING);
    let out = scimulator(dir.path(), &["validate", &ok]).await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(text(&out).0.trim(), "1 suites, 1 cases: OK");
}

/// The `error: ` lines of a run of the binary.
fn error_lines(o: &Output) -> Vec<String> {
    text(o)
        .1
        .lines()
        .filter(|l| l.starts_with("error: "))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn run_validate_and_list_reject_the_same_broken_suite_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let misspelled_action = "suite: broken\ncases:\n  - name: push\n    why: w\n    steps:\n      - action: okta.push_nwe_user\n        with: { userName: a@example.com }\n";
    let unknown_key = PASSING.replace("expect: { status: 200 }", "expect: { stauts: 200 }");
    let cases = [
        (
            misspelled_action.to_owned(),
            ":6:17: cases[0].steps[0].action: okta has no action `push_nwe_user`, did you mean `push_new_user`?",
        ),
        (
            unknown_key,
            ":8:19: cases[0].steps[0].expect: unknown field `stauts`, did you mean `status`?",
        ),
    ];
    for (yaml, needle) in cases {
        let suite = write_suite(dir.path(), "broken.yaml", &yaml);
        // A target nobody listens on: a suite error must stop `run` before any request.
        let run = [
            "run",
            suite.as_str(),
            "--target",
            "http://127.0.0.1:9/scim/v2",
            "--no-preflight",
        ];
        let mut seen = Vec::new();
        for args in [&run[..], &["validate", &suite], &["list", &suite]] {
            let out = scimulator(dir.path(), args).await;
            assert_eq!(out.status.code(), Some(2), "{args:?}: {:?}", text(&out));
            let errors = error_lines(&out);
            assert_eq!(errors.len(), 1, "{args:?}: {errors:?}");
            assert!(
                errors[0].contains(&suite) && errors[0].contains(needle),
                "{args:?}: {errors:?} does not name the file and say `{needle}`"
            );
            seen.push(errors);
        }
        assert!(seen.iter().all(|e| e == &seen[0]), "{seen:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_suites_cases_and_severities() {
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write_suite(dir.path(), "s.yaml", FAILING_ADVISORY);
    let out = scimulator(dir.path(), &["list", &suite]).await;
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.contains("s.yaml — cli\n    advisory    read\n"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_target_the_embedded_server_runs_with_a_revoked_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let suite = write_suite(
        dir.path(),
        "s.yaml",
        r#"
suite: embedded
cases:
  - name: the run token works
    why: w
    steps:
      - request: { method: GET, path: /Users }
        expect: { status: 200 }
  - name: the revoked token is refused
    why: w
    requires: [revoked_token]
    steps:
      - request: { method: GET, path: /Users, auth: revoked }
        expect: { status: 401 }
  - name: reference-only checks run
    why: w
    requires: [reference_server]
    steps:
      - request: { method: GET, path: /ServiceProviderConfig }
        expect: { status: 200 }
"#,
    );
    let out = scimulator(dir.path(), &["run", &suite, "--no-round-trip"]).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("Summary: 3 passed, 0 failed, 0 skipped")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshots_accept_and_reject_handle_pending_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snaps = dir.path().join("snapshots/suites/x");
    std::fs::create_dir_all(&snaps).expect("mkdir");
    std::fs::write(
        snaps.join("a__b.snap.new"),
        "suite: x\ncase: a\nrequest: GET /\n---\n1\n",
    )
    .expect("write");
    std::fs::write(
        snaps.join("c__d.snap.new"),
        "suite: x\ncase: c\nrequest: GET /\n---\n2\n",
    )
    .expect("write");
    let out = scimulator(dir.path(), &["snapshots", "review"]).await;
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("2 pending snapshot(s); not a terminal"),
        "{stdout}"
    );
    assert!(snaps.join("a__b.snap.new").exists());
    let a = snaps.join("a__b.snap.new").display().to_string();
    let out = scimulator(dir.path(), &["snapshots", "accept", &a]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(snaps.join("a__b.snap").exists() && !snaps.join("a__b.snap.new").exists());
    let out = scimulator(dir.path(), &["snapshots", "reject"]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(!snaps.join("c__d.snap.new").exists() && !snaps.join("c__d.snap").exists());
    // No suite references a__b.snap, so prune deletes it.
    let suite = write_suite(dir.path(), "s.yaml", PASSING);
    let out = scimulator(dir.path(), &["snapshots", "prune", &suite]).await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(!snaps.join("a__b.snap").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_appears_in_no_output_of_the_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = ok_server().await;
    let suite = write_suite(dir.path(), "s.yaml", FAILING_ADVISORY);
    let out = scimulator(
        dir.path(),
        &[
            "run",
            &suite,
            "--no-preflight",
            "--target",
            &server.uri(),
            "--token",
            CANARY,
            "--fail-on",
            "advisory",
        ],
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("***"),
        "the echoed token should show redacted: {stdout}"
    );
    for (name, t) in [
        ("stdout", stdout),
        ("stderr", stderr),
        (
            "junit",
            std::fs::read_to_string(dir.path().join("reports/junit.xml")).expect("junit"),
        ),
        (
            "json",
            std::fs::read_to_string(dir.path().join("reports/report.json")).expect("json"),
        ),
    ] {
        assert!(!t.contains(CANARY), "the token leaked into {name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_that_cannot_be_written_exits_3_naming_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = ok_server().await;
    let suite = write_suite(dir.path(), "s.yaml", PASSING);
    std::fs::write(dir.path().join("blocker"), "a file, not a directory").expect("write");
    let out = scimulator(
        dir.path(),
        &[
            "run",
            &suite,
            "--no-preflight",
            "--target",
            &server.uri(),
            "--report",
            "json=blocker/r.json",
        ],
    )
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("writing report blocker"), "{stderr}");
}

/// `scimulator run` adds the schema-driven round trip: it passes on the
/// embedded server, `--filter` selects it like any case, and
/// `--no-round-trip` leaves it out.
#[tokio::test(flavor = "multi_thread")]
async fn the_round_trip_runs_by_default_and_can_be_turned_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = scimulator(dir.path(), &["run", "--filter", "schema-round-trip"]).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("PASS")
            && stdout.contains(
                "schema-round-trip › every declared writable attribute is stored as sent"
            ),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("Summary: 1 passed, 0 failed, 0 skipped")
    );
    let out = scimulator(
        dir.path(),
        &["run", "--filter", "schema-round-trip", "--no-round-trip"],
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert!(
        !stdout.contains("schema-round-trip ›"),
        "{stdout}\n{stderr}"
    );
}
