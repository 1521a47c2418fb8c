//! Gating end to end through the real binary against a deliberately failing
//! wiremock target: `--fail-on` × baselines (known, fixed, expired) decide
//! the exit code; `--write-baseline` round-trips; the HTML report is pinned;
//! no report format leaks a secret; `$GITHUB_STEP_SUMMARY` gets the markdown.

use std::path::Path;
use std::process::Output;

use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");
pub(crate) const CANARY: &str = "canary-gating-token-91b4e7";
pub(crate) const SECRET_VAR: &str = "canary-gating-secret-3c8d";

/// Echoes the request headers (so a leaked token would show) and carries markup.
struct Echo;

impl Respond for Echo {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        headers.sort();
        ResponseTemplate::new(200).set_body_json(json!({
            "id": "1",
            "userName": "ada@example.com",
            "displayName": "<script>alert('owned')</script>",
            "echo": headers,
        }))
    }
}

/// One passing required case and one failing case per severity.
pub(crate) const SUITE: &str = r#"
suite: Gating fixture
tags: [okta, users]
idp: okta
severity: required
cases:
  - name: required passes
    why: Okta reads users back after creating them
    tags: [create]
    steps:
      - request: { method: GET, path: /Users/1, headers: { X-Secret: "{{ pw }}" } }
        expect: { status: 200 }
  - name: required fails
    why: Okta matches users by userName; a wrong one links the wrong person
    tags: [import]
    steps:
      - request: { method: GET, path: /Users/1 }
        expect:
          status: 200
          json:
            $.userName: { eq: "bob@example.com" }
  - name: recommended fails
    why: RFC 7644 says 201, no IdP relies on it
    severity: recommended
    tags: [update]
    steps:
      - request: { method: GET, path: /Users/1 }
        expect: { status: 201 }
  - name: advisory fails
    why: a good practice
    severity: advisory
    steps:
      - request: { method: GET, path: /Users/1 }
        expect: { status: 204 }
"#;

pub(crate) async fn failing_target() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/Users/1"))
        .respond_with(Echo)
        .mount(&server)
        .await;
    server
}

pub(crate) async fn scimulator(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("SCIMULATOR_TARGET")
        .env_remove("SCIMULATOR_TOKEN")
        .env("NO_COLOR", "1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().await.expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `run <suite> --target … --token … --secret pw=…` plus `extra`.
pub(crate) async fn run(dir: &Path, target: &str, extra: &[&str], envs: &[(&str, &str)]) -> Output {
    std::fs::write(dir.join("gating.yaml"), SUITE).expect("write suite");
    // Relative, so the suite's source (and the baseline's `suite`) is `gating.yaml`.
    let suite = "gating.yaml".to_owned();
    let secret = format!("pw={SECRET_VAR}");
    let mut args = vec![
        "run",
        suite.as_str(),
        "--no-preflight",
        "--target",
        target,
        "--token",
        CANARY,
        "--secret",
        secret.as_str(),
        "--report",
        "json=reports/report.json",
        // The mock target serves no /Schemas: the round trip would only add a skip.
        "--no-round-trip",
    ];
    args.extend_from_slice(extra);
    scimulator(dir, &args, envs).await
}

fn entry(case: &str, expires: Option<&str>) -> String {
    let suite = "gating.yaml";
    match expires {
        Some(d) => format!(
            "  - suite: {suite}\n    case: {case}\n    reason: TICKET-1\n    expires: {d}\n"
        ),
        None => format!("  - suite: {suite}\n    case: {case}\n    reason: TICKET-1\n"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fail_on_and_baselines_decide_the_exit_code() {
    let server = failing_target().await;
    let target = server.uri();
    let future = Some("2999-12-31");
    let past = Some("2000-01-01");
    // (fail-on, baseline entries, exit code, texts stdout must contain)
    let table: Vec<(&str, Vec<String>, i32, Vec<&str>)> = vec![
        (
            "required",
            vec![],
            1,
            vec!["Gate: failed (fail-on required: 1 blocking failure)"],
        ),
        ("recommended", vec![], 1, vec!["2 blocking failures"]),
        ("advisory", vec![], 1, vec!["3 blocking failures"]),
        (
            "required",
            vec![entry("required fails", future)],
            0,
            vec!["known    gating › required fails: known failure, not failing the run (TICKET-1)"],
        ),
        (
            "recommended",
            vec![entry("required fails", None)],
            1,
            vec!["Baseline baseline.yaml: 1 known, 0 fixed, 0 expired"],
        ),
        (
            "recommended",
            vec![
                entry("required fails", None),
                entry("recommended fails", None),
            ],
            0,
            vec!["Gate: passed", "required 1 passed, 1 failed (1 known)"],
        ),
        (
            "required",
            vec![entry("required fails", past)],
            1,
            vec![
                "expired  gating › required fails: baseline entry expired on 2000-01-01: failing again",
            ],
        ),
        (
            "advisory",
            vec![
                entry("required passes", None),
                entry("required fails", None),
                entry("recommended fails", None),
                entry("advisory fails", None),
            ],
            0,
            vec![
                "fixed    gating › required passes: passes now: remove this entry from the baseline",
            ],
        ),
        (
            "advisory",
            vec![
                entry("required fails", None),
                entry("recommended fails", None),
            ],
            1,
            vec!["advisory 0 passed, 1 failed"],
        ),
        (
            "required",
            vec![entry("no such case", None)],
            1,
            vec!["unused   gating › no such case: no such case in this run"],
        ),
    ];
    for (i, (fail_on, entries, code, needles)) in table.iter().enumerate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut extra = vec!["--fail-on", *fail_on];
        if !entries.is_empty() {
            let text = format!("version: 1\nentries:\n{}", entries.concat());
            std::fs::write(dir.path().join("baseline.yaml"), text).expect("write baseline");
            extra.extend(["--baseline", "baseline.yaml"]);
        }
        let out = run(dir.path(), &target, &extra, &[]).await;
        let all = text(&out);
        assert_eq!(out.status.code(), Some(*code), "row {i}: {all}");
        for n in needles {
            assert!(all.contains(n), "row {i}: missing `{n}` in\n{all}");
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            lines.last(),
            Some(&"Summary: 1 passed, 3 failed, 0 skipped"),
            "row {i}"
        );
        let severity = lines
            .iter()
            .position(|l| l.starts_with("By severity: "))
            .expect("a per-severity line");
        assert!(
            severity < lines.len() - 1,
            "row {i}: severity line before Summary"
        );
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("reports/report.json")).expect("json"),
        )
        .expect("valid json");
        let want = if *code == 0 { "passed" } else { "failed" };
        assert_eq!(json["gate"]["outcome"], want, "row {i}");
        assert_eq!(
            json["gate"]["by_severity"]["required"]["failed"], 1,
            "row {i}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_written_baseline_makes_the_next_run_pass_in_yaml_and_json() {
    let server = failing_target().await;
    let target = server.uri();
    for file in ["known.yaml", "nested/known.json"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = run(
            dir.path(),
            &target,
            &["--fail-on", "advisory", "--write-baseline", file],
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(&format!("Wrote baseline {file} (3 failing cases)")));
        let written = std::fs::read_to_string(dir.path().join(file)).expect("baseline written");
        assert_eq!(written.matches("TODO").count(), 3, "{written}");
        assert!(!written.contains("required passes"), "{written}");
        let out = run(
            dir.path(),
            &target,
            &[
                "--fail-on",
                "advisory",
                "--baseline",
                file,
                "--report",
                "junit=reports/junit.xml",
            ],
            &[],
        )
        .await;
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out));
        assert!(text(&out).contains("3 known, 0 fixed, 0 expired"));
        let junit = std::fs::read_to_string(dir.path().join("reports/junit.xml")).expect("junit");
        assert_eq!(
            junit
                .matches("<property name=\"baseline\" value=\"known\"/>")
                .count(),
            3,
            "{junit}"
        );
        assert!(junit.contains("<property name=\"required.failed\" value=\"1\"/>"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refreshing_a_baseline_keeps_reasons_and_drops_fixed_entries() {
    let server = failing_target().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let text_in = format!(
        "version: 1\nentries:\n{}{}",
        entry("required passes", None),
        entry("required fails", Some("2999-01-31"))
    );
    std::fs::write(dir.path().join("b.yaml"), text_in).expect("write");
    let out = run(
        dir.path(),
        &server.uri(),
        &["--baseline", "b.yaml", "--write-baseline", "b.yaml"],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let b = std::fs::read_to_string(dir.path().join("b.yaml")).expect("rewritten");
    assert!(!b.contains("required passes"), "fixed entry dropped:\n{b}");
    assert!(
        b.contains("case: required fails\n  reason: TICKET-1\n  expires: 2999-01-31"),
        "{b}"
    );
    assert_eq!(b.matches("TODO").count(), 2, "{b}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_baseline_is_a_usage_error() {
    let server = failing_target().await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("b.yaml"),
        "entries:\n  - suite: gating.yaml\n    case: x\n    expires: soon\n",
    )
    .expect("write");
    let out = run(dir.path(), &server.uri(), &["--baseline", "b.yaml"], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("`expires: soon` is not a date"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_report_format_leaks_a_secret_and_markup_is_escaped() {
    let server = failing_target().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("step-summary.md");
    std::fs::write(&summary, "# earlier step\n").expect("write");
    let summary_env = summary.display().to_string();
    let out = run(
        dir.path(),
        &server.uri(),
        &[
            "--report",
            "junit=reports/junit.xml",
            "--report",
            "html=reports/report.html",
            "--report",
            "markdown=reports/summary.md",
            "--report",
            "badge=reports/badge.svg",
        ],
        &[("GITHUB_STEP_SUMMARY", summary_env.as_str())],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).expect(p);
    let outputs = [
        ("console", text(&out)),
        ("junit", read("reports/junit.xml")),
        ("json", read("reports/report.json")),
        ("html", read("reports/report.html")),
        ("markdown", read("reports/summary.md")),
        ("badge", read("reports/badge.svg")),
        ("step summary", read("step-summary.md")),
    ];
    for (name, body) in &outputs {
        assert!(!body.contains(CANARY), "the token leaked into {name}");
        assert!(
            !body.contains(SECRET_VAR),
            "the secret var leaked into {name}"
        );
    }
    for (name, body) in &outputs[3..] {
        assert!(!body.contains("<script>alert"), "raw markup in {name}");
    }
    let html = read("reports/report.html");
    // The secrets were on the wire (echoed back) and were redacted, not absent.
    assert!(
        html.contains("Bearer ***"),
        "the echoed token is shown redacted"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"));
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no external assets"
    );
    let md = read("reports/summary.md");
    assert!(
        md.starts_with("## ❌ scimulator: failed (2 blocking failures, fail-on recommended)"),
        "{md}"
    );
    assert!(md.contains("| required | 1 | 1 | 0 | 0 |"), "{md}");
    let step = read("step-summary.md");
    assert!(
        step.starts_with("# earlier step\n## ❌ scimulator: failed"),
        "{step}"
    );
    assert!(read("reports/badge.svg").contains(">1/2 passed</text>"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_html_report_is_pinned() {
    let server = failing_target().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(
        dir.path(),
        &server.uri(),
        &["--report", "html=reports/report.html"],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let html = std::fs::read_to_string(dir.path().join("reports/report.html")).expect("html");
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/insta"),
        prepend_module_to_snapshot => false,
        filters => vec![
            (r"(?s)<style>.*?</style>", "<style>[CSS]</style>"),
            (r"(?s)<script>\n.*?</script>", "<script>[JS]</script>"),
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
            (r"\d+ ms", "N ms"),
            (r"\d+\.\d{3} s", "N s"),
            (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "[TIME]"),
            (r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", "[DATE]"),
            (r"scimulator/\d+\.\d+\.\d+", "scimulator/[VERSION]"),
            (r"scimulator \d+\.\d+\.\d+", "scimulator [VERSION]"),
            (r"<dd>\d+\.\d+\.\d+", "<dd>[VERSION]"),
            (r"/tmp/[^\s<]*", "[TMP]"),
            (r"content-length: \d+", "content-length: [N]"),
        ],
    }, {
        insta::assert_snapshot!("gating__html_report", html);
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_server_run_writes_every_rich_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = scimulator(
        dir.path(),
        &[
            "run",
            "--filter",
            "okta/connector-test",
            "--report",
            "html=reports/report.html",
            "--report",
            "markdown=reports/summary.md",
            "--report",
            "badge=reports/badge.svg",
        ],
        &[],
    )
    .await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("Gate: passed (fail-on recommended: 0 blocking failures)"),
        "{all}"
    );
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).expect(p);
    let html = read("reports/report.html");
    assert!(html.contains("<dt>Server</dt><dd>scimulator's embedded reference server</dd>"));
    assert!(
        html.contains("<tr><th>connector</th><td class=\"num cell-ok\">"),
        "{html}"
    );
    assert!(read("reports/summary.md").contains("| connector | ✅ "));
    assert!(read("reports/badge.svg").contains("fill=\"#4c1\""));
}
