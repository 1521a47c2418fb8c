//! The runner against misbehaving `wiremock` servers: captures, 429,
//! redirects, unreachable targets, requirements, paging, cleanup (snapshots
//! are in `snapshots.rs`).

use std::time::Duration;

use scimulator::assert::FailureKind;
use scimulator::runner::{
    self, CaseResult, Outcome, RunErrorKind, RunOptions, RunReport, StepOutcome, ThrottlePolicy,
    VecSink,
};
use scimulator::snapshot::SnapshotMode;
use serde_json::json;
use wiremock::matchers::{header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const CANARY: &str = "canary-token-7f3a9c1e";

pub(crate) fn suite(yaml: &str) -> scimulator::suite::Suite {
    scimulator::suite::load_str("fixture.yaml", yaml).expect("the fixture suite loads")
}

pub(crate) fn opts(target: &str) -> RunOptions {
    RunOptions {
        throttle: ThrottlePolicy {
            max_attempts: 10,
            default_wait: Duration::from_millis(5),
            max_wait: Duration::from_millis(20),
            max_total_wait: Duration::from_millis(200),
        },
        snapshot_mode: SnapshotMode::No,
        ..RunOptions::new(target).with_token(CANARY)
    }
}

pub(crate) async fn run_yaml(yaml: &str, opts: &RunOptions) -> RunReport {
    let mut sink = VecSink::default();
    runner::run(vec![suite(yaml)], opts, &mut sink)
        .await
        .expect("the run starts")
}

fn only_case(report: &RunReport) -> &CaseResult {
    let cases: Vec<_> = report.cases().collect();
    assert_eq!(cases.len(), 1, "expected exactly one case");
    cases[0]
}

fn failures(case: &CaseResult) -> &[scimulator::assert::Failure] {
    match &case.outcome {
        Outcome::Failed(f) => f,
        other => panic!("expected a failed case, got {other:?}"),
    }
}

const GET_USER: &str = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: GET, path: /Users/1 }
        capture: { id: $.id }
"#;

#[tokio::test]
async fn a_capture_that_finds_nothing_fails_the_step() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"userName": "a"})))
        .mount(&server)
        .await;
    let report = run_yaml(GET_USER, &opts(&server.uri())).await;
    let f = failures(only_case(&report));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].subject, "capture `id`");
    assert_eq!(f[0].kind, FailureKind::Json);
    assert!(
        f[0].message.contains("$.id selected nothing"),
        "{}",
        f[0].message
    );
}

#[tokio::test]
async fn the_run_token_is_sent_as_a_bearer_header() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", format!("Bearer {CANARY}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(&server)
        .await;
    let report = run_yaml(GET_USER, &opts(&server.uri())).await;
    assert_eq!(only_case(&report).outcome, Outcome::Passed);
}

#[tokio::test]
async fn too_many_requests_is_retried_after_retry_after_and_every_attempt_recorded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let report = run_yaml(GET_USER, &opts(&server.uri())).await;
    let case = only_case(&report);
    assert_eq!(case.outcome, Outcome::Passed);
    let x = &case.steps[0].exchanges;
    let statuses: Vec<_> = x.iter().map(|e| e.status).collect();
    assert_eq!(statuses, vec![Some(429), Some(429), Some(200)]);
    assert_eq!(x[2].note.as_deref(), Some("attempt 3 after 429"));
}

#[tokio::test]
async fn too_many_requests_gives_up_after_the_attempt_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let mut o = opts(&server.uri());
    o.throttle.max_attempts = 4;
    let report = run_yaml(GET_USER, &o).await;
    let case = only_case(&report);
    assert_eq!(case.steps[0].exchanges.len(), 4);
    assert!(matches!(case.outcome, Outcome::Failed(_)));
}

#[tokio::test]
async fn a_redirect_to_another_host_drops_the_authorization_header() {
    let first = MockServer::start().await;
    let second = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users/1"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}/elsewhere", second.uri()).as_str()),
        )
        .mount(&first)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(&second)
        .await;
    let report = run_yaml(GET_USER, &opts(&first.uri())).await;
    assert_eq!(only_case(&report).outcome, Outcome::Passed);
    let to_first = first.received_requests().await.expect("recording");
    assert!(to_first[0].headers.contains_key("authorization"));
    let to_second = second.received_requests().await.expect("recording");
    assert_eq!(to_second.len(), 1);
    assert!(
        !to_second[0].headers.contains_key("authorization"),
        "Authorization leaked to another host"
    );
    assert_eq!(only_case(&report).steps[0].exchanges.len(), 2);
}

#[tokio::test]
async fn a_redirect_on_the_same_host_keeps_the_authorization_header() {
    let server = MockServer::start().await;
    Mock::given(path("/Users/1"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/Users/2"))
        .mount(&server)
        .await;
    Mock::given(path("/Users/2"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "2"})))
        .mount(&server)
        .await;
    let report = run_yaml(GET_USER, &opts(&server.uri())).await;
    assert_eq!(only_case(&report).outcome, Outcome::Passed);
}

#[tokio::test]
async fn an_unreachable_target_errors_the_case() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let report = run_yaml(GET_USER, &opts(&format!("http://127.0.0.1:{port}"))).await;
    match &only_case(&report).outcome {
        Outcome::Errored(e) => assert_eq!(e.kind, RunErrorKind::Unreachable, "{e}"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(report.summary.errored, 1);
}

#[tokio::test]
async fn a_case_needing_a_revoked_token_is_skipped_without_one() {
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    requires: [revoked_token]
    steps:
      - request: { method: GET, path: /Users, auth: revoked }
        expect: { status: 401 }
"#;
    let report = run_yaml(yaml, &opts("http://127.0.0.1:9")).await;
    assert_eq!(
        only_case(&report).outcome,
        Outcome::Skipped("no --revoked-token given".into())
    );
    assert_eq!(report.summary.skipped, 1);
    assert_eq!(report.summary.passed, 0);
}

#[tokio::test]
async fn the_revoked_token_is_sent_when_given() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer revoked-token-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    requires: [revoked_token]
    steps:
      - request: { method: GET, path: /Users, auth: revoked }
"#;
    let report = run_yaml(
        yaml,
        &opts(&server.uri()).with_revoked_token("revoked-token-1"),
    )
    .await;
    assert_eq!(only_case(&report).outcome, Outcome::Passed);
}

#[tokio::test]
async fn capabilities_come_from_service_provider_config_once_per_run() {
    let server = MockServer::start().await;
    Mock::given(path("/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "patch": {"supported": true}, "bulk": {"supported": false}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: patch
    why: w
    requires: [{ capability: patch }]
    steps: [{ request: { method: GET, path: /Users/1 } }]
  - name: bulk
    why: w
    requires: [{ capability: bulk }]
    steps: [{ request: { method: GET, path: /Users/1 } }]
  - name: sort
    why: w
    requires: [{ capability: sort }]
    steps: [{ request: { method: GET, path: /Users/1 } }]
  - name: reference only
    why: w
    requires: [reference_server]
    steps: [{ request: { method: GET, path: /Users/1 } }]
"#;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let outcomes: Vec<_> = report.cases().map(|c| c.outcome.clone()).collect();
    assert_eq!(
        outcomes,
        vec![
            Outcome::Passed,
            Outcome::Skipped("/ServiceProviderConfig says bulk.supported is false".into()),
            Outcome::Skipped("/ServiceProviderConfig does not advertise sort.supported".into()),
            Outcome::Skipped("needs scimulator's reference server (run without --target)".into()),
        ]
    );
}

#[tokio::test]
async fn paginate_fetches_every_page_and_presents_one_synthetic_list() {
    let server = MockServer::start().await;
    for (start, ids) in [
        ("1", vec!["a", "b"]),
        ("3", vec!["c", "d"]),
        ("5", vec!["e"]),
    ] {
        let resources: Vec<_> = ids.iter().map(|i| json!({"id": i})).collect();
        Mock::given(path("/Users"))
            .and(query_param("startIndex", start))
            .and(query_param("count", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "totalResults": 5, "itemsPerPage": resources.len(), "Resources": resources
            })))
            .mount(&server)
            .await;
    }
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: GET, path: /Users, paginate: { count: 2 } }
        capture: { total: $.totalResults, pages: $.pages, last: "$.Resources[4].id" }
      - request: { method: GET, path: "/Users/{{ last }}-{{ pages }}-{{ total }}" }
"#;
    Mock::given(path("/Users/e-3-5"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let case = only_case(&report);
    assert_eq!(case.outcome, Outcome::Passed, "{case:#?}");
    assert_eq!(case.steps[0].exchanges.len(), 3);
    assert_eq!(case.steps[0].exchanges[2].note.as_deref(), Some("page 3"));
}

#[tokio::test]
async fn query_strings_keep_order_and_the_step_encoding() {
    let server = MockServer::start().await;
    Mock::given(path("/Users"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request:
          method: GET
          path: /Users
          query: [[filter, 'userName eq "a@b.c"'], [count, 1]]
      - request:
          method: GET
          path: /Users
          encoding: "+"
          query: [[filter, 'userName eq "a@b.c"']]
"#;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let case = only_case(&report);
    let urls: Vec<_> = case
        .steps
        .iter()
        .map(|s| s.exchanges[0].url.replace(&server.uri(), ""))
        .collect();
    assert_eq!(
        urls,
        vec![
            "/Users?filter=userName%20eq%20%22a%40b.c%22&count=1",
            "/Users?filter=userName+eq+%22a%40b.c%22"
        ]
    );
}

#[tokio::test]
async fn a_false_when_condition_skips_the_step() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
vars: { found: "yes" }
cases:
  - name: c
    why: w
    steps:
      - request: { method: POST, path: /Users, body: { a: 1 } }
        when: { var: found, eq: "no" }
"#;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let case = only_case(&report);
    assert_eq!(case.outcome, Outcome::Passed);
    assert!(matches!(case.steps[0].outcome, StepOutcome::Skipped(_)));
}

#[tokio::test]
async fn cleanup_runs_after_a_failure_and_its_failures_are_warnings() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/Users/7"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "7"})))
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: POST, path: /Users, body: { userName: x } }
        capture: { id: $.id, missing: $.nope }
    cleanup:
      - request: { method: DELETE, path: "/Users/{{ id }}" }
        capture: { gone: $.gone }
"#;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let case = only_case(&report);
    assert!(matches!(case.outcome, Outcome::Failed(_)));
    assert_eq!(case.cleanup.len(), 1);
    assert_eq!(case.warnings.len(), 1, "{:?}", case.warnings);
    assert!(case.warnings[0].starts_with("cleanup step 2 `DELETE /Users/7` failed"));
}

#[tokio::test]
async fn an_undefined_variable_errors_the_case_as_a_template_error() {
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: GET, path: "/Users/{{ nope }}" }
"#;
    let report = run_yaml(yaml, &opts("http://127.0.0.1:9")).await;
    match &only_case(&report).outcome {
        Outcome::Errored(e) => assert_eq!(e.kind, RunErrorKind::Template, "{e}"),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[tokio::test]
async fn secret_captures_and_tokens_never_appear_in_the_report() {
    let server = MockServer::start().await;
    Mock::given(path("/Users/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "1", "password": "hunter2-secret", "echo": CANARY})),
        )
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: GET, path: /Users/1 }
        capture: { pw: { json: $.password, secret: true } }
      - request: { method: GET, path: /Users/1, headers: { X-Pw: "{{ pw }}" } }
"#;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let text = serde_json::to_string(&report).expect("serialises");
    assert!(!text.contains(CANARY), "token leaked");
    assert!(!text.contains("hunter2-secret"), "secret capture leaked");
    assert!(text.contains("Bearer ***"));
}

#[tokio::test]
async fn auth_variants_send_the_right_authorization_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: GET, path: /a, auth: none }
      - request: { method: GET, path: /b, auth: invalid }
      - request: { method: GET, path: /c, auth: { token: "tok-{{ n }}" } }
      - request: { method: GET, path: /d, auth: { raw: non-token } }
      - request: { method: GET, path: /e, headers: { X-Step: one } }
"#;
    let mut o = opts(&server.uri());
    o.vars = vec![("n".into(), "42".into())];
    o.headers = vec![("X-Run".into(), "r".into())];
    o.credentials = runner::Credentials::Basic {
        user: "okta".into(),
        password: "pass-word-1".into(),
    };
    let report = run_yaml(yaml, &o).await;
    assert_eq!(only_case(&report).outcome, Outcome::Passed);
    let got = server.received_requests().await.expect("recording");
    let auth: Vec<Option<String>> = got
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .map(|v| v.to_str().unwrap_or_default().to_owned())
        })
        .collect();
    assert_eq!(auth[0], None);
    let invalid = auth[1].clone().expect("an invalid token is sent");
    assert!(
        invalid.starts_with("Bearer scimulator-invalid-"),
        "{invalid}"
    );
    assert_eq!(auth[2].as_deref(), Some("Bearer tok-42"));
    assert_eq!(auth[3].as_deref(), Some("non-token"));
    assert_eq!(auth[4].as_deref(), Some("Basic b2t0YTpwYXNzLXdvcmQtMQ=="));
    assert_eq!(
        got[4].headers.get("x-step").map(|v| v.as_bytes()),
        Some(&b"one"[..])
    );
    assert!(got.iter().all(|r| r.headers.contains_key("x-run")));
    let text = serde_json::to_string(&report).expect("serialises");
    assert!(
        !text.contains("b2t0YTpwYXNzLXdvcmQtMQ=="),
        "the basic credentials leaked"
    );
}

#[tokio::test]
async fn retry_repeats_a_step_until_its_expectations_hold() {
    let server = MockServer::start().await;
    Mock::given(path("/Users/1"))
        .respond_with(ResponseTemplate::new(404))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/Users/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: GET, path: /Users/1 }
        expect: { status: 200 }
        retry: { times: 3, interval_ms: 1 }
"#;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let case = only_case(&report);
    assert_eq!(case.outcome, Outcome::Passed);
    assert_eq!(case.steps[0].exchanges.len(), 3);
    assert_eq!(case.steps[0].exchanges[2].note.as_deref(), Some("retry 2"));
}

const TWO_CASES: &str = r#"
suite: s
cases:
  - name: first fails
    why: w
    steps:
      - request: { method: GET, path: /x }
        expect: { status: 201 }
  - name: second
    why: w
    steps:
      - request: { method: GET, path: /x }
"#;

#[tokio::test]
async fn fail_fast_stops_after_the_first_failure() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let mut o = opts(&server.uri());
    let report = run_yaml(TWO_CASES, &o).await;
    assert_eq!(report.cases().count(), 2);
    o.fail_fast = true;
    let report = run_yaml(TWO_CASES, &o).await;
    assert_eq!(report.cases().count(), 1);
    assert_eq!(report.summary.failed, 1);
}

#[tokio::test]
async fn parallel_jobs_keep_the_suite_order_in_the_report() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(200)))
        .mount(&server)
        .await;
    Mock::given(path("/fast"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let mk = |name: &str, p: &str| {
        let mut s = suite(&format!(
            "suite: {name}\ncases:\n  - name: c\n    why: w\n    steps:\n      - request: {{ method: GET, path: {p} }}\n"
        ));
        s.source = format!("{name}.yaml");
        s
    };
    let mut o = opts(&server.uri());
    o.jobs = 2;
    let mut sink = VecSink::default();
    let report = runner::run(
        vec![mk("a", "/slow"), mk("b", "/slow"), mk("c", "/fast")],
        &o,
        &mut sink,
    )
    .await
    .expect("runs");
    let order: Vec<_> = report.suites.iter().map(|s| s.source.as_str()).collect();
    assert_eq!(order, vec!["a.yaml", "b.yaml", "c.yaml"]);
    assert_eq!(report.summary.passed, 3);
    let finished = sink
        .0
        .iter()
        .filter(|e| matches!(e, runner::RunEvent::CaseFinished(_)))
        .count();
    assert_eq!(finished, 3);
    // With two jobs, suite b starts before suite a (200 ms) has finished.
    let pos = |pred: &dyn Fn(&runner::RunEvent) -> bool| {
        sink.0.iter().position(pred).expect("event present")
    };
    let b_started =
        pos(&|e| matches!(e, runner::RunEvent::CaseStarted { suite, .. } if suite == "b.yaml"));
    let a_finished =
        pos(&|e| matches!(e, runner::RunEvent::CaseFinished(c) if c.suite == "a.yaml"));
    assert!(
        b_started < a_finished,
        "suites did not overlap: {:?}",
        sink.0
    );
}

#[tokio::test]
async fn after_an_unreachable_target_later_cases_error_without_sending() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let report = run_yaml(TWO_CASES, &opts(&format!("http://127.0.0.1:{port}"))).await;
    let cases: Vec<_> = report.cases().collect();
    assert_eq!(cases[0].steps.len(), 1);
    assert!(cases[1].steps.is_empty(), "the second case sent requests");
    match &cases[1].outcome {
        Outcome::Errored(e) => {
            assert_eq!(e.kind, RunErrorKind::Unreachable);
            assert!(
                e.message.starts_with("not run, the target is unreachable"),
                "{e}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_optional_capture_that_finds_nothing_sets_null_and_does_not_fail() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Resources": []})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/Users/null"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: GET, path: /Users }
        capture: { found: { json: "$.Resources[0].id", optional: true } }
      - request: { method: POST, path: "/Users/{{ found }}", body: {} }
        expect: { status: 201 }
"#;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let case = only_case(&report);
    assert_eq!(case.outcome, Outcome::Passed);
    assert_eq!(case.steps[1].outcome, StepOutcome::Passed);
}
