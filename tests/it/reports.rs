//! Console, JUnit and JSON output pinned with insta (durations, ports and
//! dates redacted), and a canary secret searched for in every output.

use scimulator::report::{self, ConsoleReporter, ReportFormat, ReportOptions};
use scimulator::runner::{self, RunOptions, RunReport, ThrottlePolicy};
use scimulator::snapshot::SnapshotMode;
use scimulator::template::Redactor;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CANARY: &str = "canary-token-7f3a9c1e";
const SECRET_VAR: &str = "canary-secret-var-42";

/// Echoes the request's headers in the body, so a leaked token would show up.
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
            "id": "2819c223",
            "userName": "ada@example.com",
            "echo": headers,
        }))
    }
}

const SUITE: &str = r#"
suite: Reporting fixture
tags: [demo]
severity: required
cases:
  - name: a user can be read
    why: Okta reads users back after creating them
    steps:
      - request: { method: GET, path: /Users/2819c223, headers: { X-Secret: "{{ pw }}" } }
        expect: { status: 200 }
        capture: { id: $.id }
  - name: a wrong status fails
    why: an IdP treats anything but 201 as a failed push
    severity: recommended
    steps:
      - request: { method: GET, path: /Users/2819c223 }
        expect: { status: 201 }
  - name: a missing capture fails
    why: the IdP stores the id for every later call
    steps:
      - request: { method: GET, path: /Users/2819c223 }
        capture: { group: $.groups }
  - name: an undefined variable errors
    why: the suite is broken
    steps:
      - request: { method: GET, path: "/Users/{{ nope }}" }
  - name: a revoked token is refused
    why: offboarding a token must take effect
    requires: [revoked_token]
    steps:
      - request: { method: GET, path: /Users, auth: revoked }
        expect: { status: 401 }
"#;

async fn fixture_report() -> (RunReport, String, Vec<String>) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users/2819c223"))
        .respond_with(Echo)
        .mount(&server)
        .await;
    let suite = scimulator::suite::load_str("demo/reporting.yaml", SUITE).expect("loads");
    let opts = RunOptions {
        secret_vars: vec![("pw".into(), SECRET_VAR.into())],
        snapshot_mode: SnapshotMode::No,
        throttle: ThrottlePolicy::default(),
        ..RunOptions::new(server.uri()).with_token(CANARY)
    };
    let mut console = ConsoleReporter::new(Vec::new(), false, opts.secrets());
    let report = runner::run(vec![suite], &opts, &mut console)
        .await
        .expect("the run starts");
    let text = String::from_utf8(console.into_inner()).expect("utf-8");
    (report, text, opts.secrets())
}

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"\[\s*\d+\.\d{3}s\]", "[DURATION]"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r#""duration_ms": \d+"#, r#""duration_ms": 0"#),
        (r"\(\d+ ms\)", "(N ms)"),
        (r#"time="[^"]*""#, r#"time="T""#),
        (r#""started_at": "[^"]*""#, r#""started_at": "[TIME]""#),
        (r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", "[DATE]"),
        (r"scimulator/\d+\.\d+\.\d+", "scimulator/[VERSION]"),
        (r"content-length: \d+", "content-length: [N]"),
        (
            r#""content-length",(\s*)"\d+""#,
            r#""content-length",$1"[N]""#,
        ),
    ]
}

macro_rules! pinned {
    ($name:expr, $text:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/insta"),
            prepend_module_to_snapshot => false,
            filters => filters(),
        }, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

#[tokio::test]
async fn console_output_is_aligned_and_ends_with_the_summary_line() {
    let (_, console, _) = fixture_report().await;
    assert_eq!(
        console.lines().last(),
        Some("Summary: 1 passed, 3 failed, 1 skipped")
    );
    pinned!("reports__console", console);
}

#[tokio::test]
async fn junit_has_a_testcase_per_case_with_failure_error_and_skipped() {
    let (report, _, secrets) = fixture_report().await;
    let xml = report::to_junit(&report, &Redactor::new(secrets)).expect("junit");
    assert!(xml.contains("<failure"));
    assert!(xml.contains("<error"));
    assert!(xml.contains("<skipped"));
    pinned!("reports__junit", xml);
}

#[tokio::test]
async fn json_report_is_versioned_and_holds_every_exchange() {
    let (report, _, secrets) = fixture_report().await;
    let text = report::to_json(&report, &Redactor::new(secrets)).expect("json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(value["format_version"], 1);
    assert_eq!(value["summary"]["errored"], 1);
    pinned!("reports__json", text);
}

#[tokio::test]
async fn no_output_contains_a_secret() {
    let (report, console, secrets) = fixture_report().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let junit = dir.path().join("nested/junit.xml");
    let json = dir.path().join("report.json");
    let ctx = report::ReportContext {
        gate: report::gate::Gate::of_report(
            &report,
            scimulator::suite::model::Severity::Recommended,
            None,
            time::OffsetDateTime::now_utc().date(),
        ),
        profiles: Default::default(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let markdown = report::markdown::to_markdown(&report, &ctx, &Redactor::new(secrets.clone()));
    let written = report::write_files(
        &report,
        &ReportOptions {
            outputs: vec![
                (ReportFormat::Junit, junit.clone()),
                (ReportFormat::Json, json.clone()),
            ],
            secrets,
        },
        &ctx,
        &markdown,
    )
    .expect("reports written");
    assert_eq!(written, vec![junit.clone(), json.clone()]);
    let outputs = [
        ("console", console),
        ("junit", std::fs::read_to_string(&junit).expect("junit")),
        ("json", std::fs::read_to_string(&json).expect("json")),
        ("debug", format!("{report:?}")),
    ];
    for (name, text) in &outputs {
        assert!(!text.contains(CANARY), "the token leaked into {name}");
        assert!(
            !text.contains(SECRET_VAR),
            "the secret var leaked into {name}"
        );
    }
    // The echo proves the secrets were on the wire and were redacted, not absent.
    assert!(outputs[2].1.contains("Bearer ***"));
}

const CANARY_SUITE: &str = r#"
suite: Canary
cases:
  - name: a secret in the header, body, query and expectation
    why: secrets must never reach a report
    steps:
      - request:
          method: POST
          path: /Users
          query: [[filter, 'userName eq "{{ pw }}"']]
          headers: { X-Secret: "{{ pw }}" }
          body: { userName: "{{ pw }}", password: "{{ pw }}" }
        expect:
          status: 201
          json: { $.userName: "{{ pw }}" }
"#;

/// The CLI's flow (one gated console, the gate computed once, every file
/// format) over a case that puts a secret in a request header, the body,
/// the URL query and a failure message (the expected value): no output
/// holds it, and the redaction marks show it was there.
#[tokio::test]
async fn a_secret_in_header_body_query_and_failure_reaches_no_output() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Users"))
        .respond_with(Echo)
        .mount(&server)
        .await;
    let suite = scimulator::suite::load_str("demo/canary.yaml", CANARY_SUITE).expect("loads");
    let opts = RunOptions {
        secret_vars: vec![("pw".into(), SECRET_VAR.into())],
        snapshot_mode: SnapshotMode::No,
        ..RunOptions::new(server.uri()).with_token(CANARY)
    };
    let mut console = ConsoleReporter::new(Vec::new(), false, opts.secrets()).gated();
    let report = runner::run(vec![suite], &opts, &mut console)
        .await
        .expect("the run starts");
    assert_eq!(report.summary.failed, 1, "{report:?}");
    let gate = report::gate::Gate::of_report(
        &report,
        scimulator::suite::model::Severity::Recommended,
        None,
        time::OffsetDateTime::now_utc().date(),
    );
    console.close(&report, &gate);
    let ctx = report::ReportContext {
        gate,
        profiles: Default::default(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let secrets = opts.secrets();
    let markdown = report::markdown::to_markdown(&report, &ctx, &Redactor::new(secrets.clone()));
    let dir = tempfile::tempdir().expect("tempdir");
    let formats = [
        ReportFormat::Junit,
        ReportFormat::Json,
        ReportFormat::Html,
        ReportFormat::Markdown,
        ReportFormat::Badge,
    ];
    let outputs: Vec<_> = formats
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, dir.path().join(format!("report-{i}"))))
        .collect();
    report::write_files(
        &report,
        &ReportOptions {
            outputs: outputs.clone(),
            secrets,
        },
        &ctx,
        &markdown,
    )
    .expect("reports written");
    let mut texts = vec![
        (
            "console".to_owned(),
            String::from_utf8(console.into_inner()).expect("utf-8"),
        ),
        ("debug".to_owned(), format!("{report:?}")),
    ];
    for (format, file) in &outputs {
        texts.push((
            format!("{format:?}"),
            std::fs::read_to_string(file).expect("written"),
        ));
    }
    for (name, text) in &texts {
        assert!(!text.contains(CANARY), "the token leaked into {name}");
        assert!(!text.contains(SECRET_VAR), "the secret leaked into {name}");
    }
    // The secret was in each place, and was redacted there, not absent.
    let step = &report.suites[0].cases[0].steps[0];
    let x = &step.exchanges[0];
    assert!(x.url.contains("%22***%22"), "{}", x.url);
    assert!(
        x.request_headers
            .contains(&("X-Secret".to_owned(), "***".to_owned())),
        "{x:?}"
    );
    assert!(
        x.request_body
            .as_deref()
            .is_some_and(|b| b.contains(r#""password":"***""#)),
        "{x:?}"
    );
    assert!(
        step.failures
            .iter()
            .any(|f| f.expected.as_deref() == Some("\"***\"") || f.message.contains("***")),
        "{:?}",
        step.failures
    );
    assert!(texts[0].1.contains("***"), "{}", texts[0].1);
}
