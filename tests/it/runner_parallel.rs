//! `parallel:` groups: their requests are in flight at once, each is checked
//! by its own `expect`, the report lists them in YAML order whatever order
//! they were answered in, and their captures are there for the steps after.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use scimulator::runner::{Outcome, StepOutcome};
use serde_json::{Value, json};
use tokio::sync::Barrier;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::runner::{opts, run_yaml};

/// A target whose `/Slow/{n}` answers only once three of them are waiting
/// at once (504 after 5 s otherwise), request 1 last; `/Check/1-2-3` is 200.
async fn barrier_target() -> (String, tokio::task::JoinHandle<()>) {
    let barrier = Arc::new(Barrier::new(3));
    let slow = |State(b): State<Arc<Barrier>>, Path(n): Path<u64>| async move {
        match tokio::time::timeout(Duration::from_secs(5), b.wait()).await {
            Ok(_) => {
                if n == 1 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                (StatusCode::OK, axum::Json(json!({ "n": n })))
            }
            Err(_) => (StatusCode::GATEWAY_TIMEOUT, axum::Json(Value::Null)),
        }
    };
    let app = axum::Router::new()
        .route("/Slow/{n}", get(slow))
        .route("/Check/1-2-3", get(|| async { StatusCode::OK }))
        .with_state(barrier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parallel_group_is_in_flight_at_once_and_reported_in_yaml_order() {
    let (target, server) = barrier_target().await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - request: { method: GET, path: /Check/1-2-3 }
      - parallel:
          - request: { method: GET, path: /Slow/1 }
            expect: { status: 200 }
            capture: { a: $.n }
          - request: { method: GET, path: /Slow/2 }
            expect: { status: 200 }
            capture: { b: $.n }
          - request: { method: GET, path: /Slow/3 }
            expect: { status: 200 }
            capture: { c: $.n }
      - request: { method: GET, path: "/Check/{{ a }}-{{ b }}-{{ c }}" }
        expect: { status: 200 }
"#;
    let report = run_yaml(yaml, &opts(&target)).await;
    server.abort();
    let case = report.cases().next().expect("one case");
    assert_eq!(case.outcome, Outcome::Passed, "{case:#?}");
    let steps: Vec<(usize, &str)> = case
        .steps
        .iter()
        .map(|s| (s.index, s.request_line.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (1, "GET /Check/1-2-3"),
            (2, "GET /Slow/1"),
            (3, "GET /Slow/2"),
            (4, "GET /Slow/3"),
            (5, "GET /Check/1-2-3"),
        ]
    );
}

#[tokio::test]
async fn each_request_of_a_group_is_checked_and_reported_and_the_first_failure_stops_the_case() {
    let server = MockServer::start().await;
    for (p, status) in [("/Users/a", 200), ("/Users/b", 404), ("/Users/c", 200)] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({"id": p})))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(path("/after"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/Users/c"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let yaml = r#"
suite: s
cases:
  - name: c
    why: w
    steps:
      - parallel:
          - request: { method: GET, path: /Users/a }
            expect: { status: 200 }
          - request: { method: GET, path: /Users/b }
            expect: { status: 200 }
          - request: { method: GET, path: /Users/c }
            expect: { status: 200 }
            capture: { last: $.id }
      - request: { method: GET, path: /after }
    cleanup:
      - parallel:
          - request: { method: DELETE, path: "{{ last }}" }
"#;
    let report = run_yaml(yaml, &opts(&server.uri())).await;
    let case = report.cases().next().expect("one case");
    let Outcome::Failed(failures) = &case.outcome else {
        panic!("expected a failure: {case:#?}");
    };
    assert!(failures[0].message.contains("404"), "{failures:#?}");
    let outcomes: Vec<&StepOutcome> = case.steps.iter().map(|s| &s.outcome).collect();
    assert_eq!(
        outcomes,
        [
            &StepOutcome::Passed,
            &StepOutcome::Failed,
            &StepOutcome::Passed
        ]
    );
    assert_eq!(case.cleanup.len(), 1);
    assert_eq!(case.cleanup[0].outcome, StepOutcome::Passed, "{case:#?}");
}
