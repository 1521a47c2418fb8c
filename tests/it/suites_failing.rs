//! Every suite under `tests/fixtures/failing/` runs against a misbehaving
//! server; every case must fail, and the failure list is pinned with insta
//! (hurl's `tests_failed`).

use scimulator::assert::Failure;
use scimulator::runner::{self, Outcome, RunOptions, VecSink};
use scimulator::snapshot::SnapshotMode;
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn misbehaving_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/Users/1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(
                json!({
                    "id": "1",
                    "userName": "Ada@Example.com",
                    "active": "false",
                    "password": "p",
                    "name": {"givenName": "Ada"},
                    "emails": [{"value": "a@x.io"}, {"value": "a@x.io"}],
                    "groups": [],
                    "loginCount": 3,
                    "userType": "Guest",
                    "meta": {"resourceType": "User"}
                })
                .to_string(),
                "application/json",
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/text"))
        .respond_with(ResponseTemplate::new(200).set_body_string("plain text"))
        .mount(&server)
        .await;
    server
}

fn render(failures: &[Failure]) -> String {
    failures
        .iter()
        .map(|f| {
            let mut s = format!("[{:?}] {}: {}", f.kind, f.subject, f.message);
            if let Some(e) = &f.expected {
                s.push_str(&format!("\n    expected: {e}"));
            }
            if let Some(a) = &f.actual {
                s.push_str(&format!("\n    actual: {a}"));
            }
            if let Some(d) = &f.diff {
                s.push_str(&format!("\n    diff:\n{d}"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn every_failing_fixture_fails_with_the_pinned_failures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/failing");
    let suites = scimulator::suite::load_paths(&[dir.into()]).expect("fixtures load");
    assert!(suites.len() >= 5, "fixtures missing");
    let server = misbehaving_server().await;
    let opts = RunOptions {
        snapshot_mode: SnapshotMode::No,
        ..RunOptions::new(server.uri()).with_token("fixture-token")
    };
    for suite in suites {
        let source = suite.source.clone();
        let report = runner::run(vec![suite], &opts, &mut VecSink::default())
            .await
            .expect("the run starts");
        let mut text = String::new();
        for case in report.cases() {
            let Outcome::Failed(failures) = &case.outcome else {
                panic!("{source} › {} did not fail: {:?}", case.name, case.outcome);
            };
            text.push_str(&format!("## {}\n{}\n\n", case.name, render(failures)));
        }
        let name = format!(
            "failing__{}",
            source.trim_end_matches(".yaml").replace('/', "__")
        );
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/insta"),
            prepend_module_to_snapshot => false,
            filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]")],
        }, {
            insta::assert_snapshot!(name, text);
        });
    }
}
