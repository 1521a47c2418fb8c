//! Issue 15 through the binary and at the edges: a HAR fixture imports into
//! a suite that replays green; a canary token, cookie and password sent
//! through `scimulator record` appear in no file and no output; SIGTERM
//! writes the suite and exits 0, and the periodic write leaves a valid
//! suite before that; a 50 MiB response streams through with only the
//! capped prefix kept; a sloppy client is graded with each violation named.

use std::path::Path;
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body::Frame;
use serde_json::{Value, json};

use scimulator::record::{self, Grader, RecorderConfig};

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/record/okta-deactivate.har"
);

fn load_and_lint(path: &Path) -> scimulator::suite::model::Suite {
    let text = std::fs::read_to_string(path).expect("the suite exists");
    let suite = scimulator::suite::load_str("recorded.yaml", &text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let errors = scimulator::suite::validate(std::slice::from_ref(&suite));
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    suite
}

#[test]
fn a_har_fixture_imports_into_a_suite_that_replays_green() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("imported.yaml");
    let import = Command::new(BIN)
        .args(["import", "har", FIXTURE, "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(import.status.success(), "{import:?}");
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(!text.contains("HAR-CANARY"), "a token leaked:\n{text}");
    assert!(text.contains("idp: okta"), "{text}");
    assert!(
        text.contains("{{ user_id }}") && text.contains("unique.email"),
        "{text}"
    );
    let suite = load_and_lint(&out);
    assert_eq!(suite.cases.len(), 1, "one flow:\n{text}");
    let validate = Command::new(BIN)
        .arg("validate")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(validate.status.success(), "{validate:?}");
    // Replayed against the embedded server, twice in a row (unique values).
    for _ in 0..2 {
        let run = Command::new(BIN)
            .current_dir(dir.path())
            .env("CI", "true")
            .arg("run")
            .arg(&out)
            .output()
            .expect("runs");
        assert!(
            run.status.success(),
            "{}\n{}\n{text}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

/// Waits (bounded) until `addr` accepts connections.
async fn wait_listening(addr: &str) {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing listens on {addr}");
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn terminate(child: &mut std::process::Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..300 {
        if let Ok(Some(status)) = child.try_wait() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("the recorder did not stop on SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canary_token_never_leaves_the_recorder_and_sigterm_writes_the_suite() {
    const TOKEN: &str = "CANARY-TOKEN-5f1e9a";
    const COOKIE: &str = "CANARY-COOKIE-77ab";
    const PASSWORD: &str = "CANARY-PASSWORD-99cd";
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("rec.yaml");
    let grade_json = dir.path().join("grade.json");
    let grade_html = dir.path().join("grade.html");
    let listen = "127.0.0.1:18711";
    let mut child = Command::new(BIN)
        .args([
            "record",
            "--listen",
            listen,
            "--token",
            TOKEN,
            "--write-every",
            "2",
        ])
        .arg("--out")
        .arg(&out)
        .arg("--grade")
        .arg(format!("--report=json={}", grade_json.display()))
        .arg(format!("--report=html={}", grade_html.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the recorder starts");
    wait_listening(listen).await;
    let base = format!("http://{listen}");
    let client = reqwest::Client::new();
    let send = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut rb = client
            .request(method, format!("{base}{path}"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Cookie", format!("session={COOKIE}"))
            .header("User-Agent", "Okta SCIM Client 1.0.0");
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/scim+json; charset=utf-8")
                .body(b.to_string());
        }
        rb.send()
    };
    let created: Value = send(
        reqwest::Method::POST,
        "/Users",
        Some(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": "canary.user@example.com", "password": PASSWORD,
                    "name": {"givenName": "C", "familyName": "U"}, "active": true}),
        ),
    )
    .await
    .expect("the recorder answers")
    .json()
    .await
    .expect("JSON");
    let id = created["id"].as_str().expect("an id").to_owned();
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "value": {"active": false}}]});
    for (method, body) in [
        (reqwest::Method::GET, None),
        (reqwest::Method::PATCH, Some(patch)),
        (reqwest::Method::GET, None),
    ] {
        let status = send(method, &format!("/Users/{id}"), body)
            .await
            .expect("answers")
            .status();
        assert!(status.is_success(), "{status}");
    }
    // Written every 2 exchanges: a recorder killed now leaves a valid suite.
    for _ in 0..100 {
        if out.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    load_and_lint(&out);
    let status = terminate(&mut child);
    assert!(status.success(), "SIGTERM exits 0: {status:?}");
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let suite = load_and_lint(&out);
    assert_eq!(suite.idp.map(|p| p.name()), Some("okta"));
    let mut texts = vec![("stdout", stdout.clone()), ("stderr", stderr)];
    for p in [&out, &grade_json, &grade_html] {
        texts.push(("file", std::fs::read_to_string(p).expect("written")));
    }
    for (what, text) in &texts {
        for canary in [TOKEN, COOKIE, PASSWORD] {
            assert!(!text.contains(canary), "{canary} in {what}:\n{text}");
        }
    }
    assert!(stdout.contains("client grade: PASS"), "{stdout}");
    let yaml = std::fs::read_to_string(&out).expect("suite");
    assert!(
        yaml.contains("{{ cookie }}") && yaml.contains("{{ password }}"),
        "{yaml}"
    );
    // The suite replays against the embedded server.
    let run = Command::new(BIN)
        .current_dir(dir.path())
        .env("CI", "true")
        .env("SCIMULATOR_RECORDED_COOKIE", "session=replayed")
        .arg("run")
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}\n{yaml}",
        String::from_utf8_lossy(&run.stdout)
    );
}

/// A response body of `left` zero bytes, produced 64 KiB at a time.
struct Zeros {
    left: usize,
}

impl http_body::Body for Zeros {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = self.left.min(64 * 1024);
        self.left -= n;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'0'; n])))))
    }
}

const FIFTY_MIB: usize = 50 * 1024 * 1024;

/// An upstream: `/big` streams 50 MiB, `/huge` 100 MiB, `/throttled` answers 429 with
/// Retry-After: 30, anything else an empty ListResponse.
async fn upstream() -> (String, tokio::task::JoinHandle<()>) {
    let app = axum::Router::new().fallback(|req: axum::extract::Request| async move {
        let path = req.uri().path().to_owned();
        let mut resp = if path.ends_with("/huge") {
            axum::response::Response::new(Body::new(Zeros { left: 2 * FIFTY_MIB }))
        } else if path.ends_with("/big") {
            axum::response::Response::new(Body::new(Zeros { left: FIFTY_MIB }))
        } else if path.ends_with("/throttled") {
            let mut r = axum::response::Response::new(Body::empty());
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            r.headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("30"));
            r
        } else {
            axum::response::Response::new(Body::from(
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#,
            ))
        };
        resp.headers_mut().insert(
            "content-type",
            axum::http::HeaderValue::from_static("application/scim+json"),
        );
        resp
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), task)
}

async fn drain(url: &str) -> usize {
    let mut resp = reqwest::get(url).await.expect("answers");
    let mut n = 0;
    while let Some(chunk) = resp.chunk().await.expect("streams") {
        n += chunk.len();
    }
    n
}

#[tokio::test]
async fn a_50_mib_response_streams_through_and_only_the_capped_prefix_is_kept() {
    let (up, task) = upstream().await;
    let mut config = RecorderConfig::new("127.0.0.1:0".parse().expect("addr"), up);
    config.body_cap = 64 * 1024;
    let recorder = record::start(config, None).await.expect("starts");
    let got = drain(&format!("{}/scim/v2/big", recorder.base_url())).await;
    assert_eq!(got, FIFTY_MIB, "every byte passes through");
    let mut log = recorder.log().snapshot();
    for _ in 0..50 {
        if !log.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        log = recorder.log().snapshot();
    }
    let ex = log.first().expect("the exchange is recorded");
    assert_eq!(ex.response_body.total, FIFTY_MIB as u64);
    assert_eq!(
        ex.response_body.bytes.len(),
        64 * 1024,
        "the buffer cap holds"
    );
    assert!(ex.response_body.truncated);
    assert_eq!(ex.upstream_error, None);
    recorder.shutdown().await;
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recorder_process_streams_100_mib_without_holding_it() {
    let (up, task) = upstream().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let listen = "127.0.0.1:18712";
    let mut child = Command::new(BIN)
        .args(["record", "--listen", listen, "--upstream", &up, "--out"])
        .arg(dir.path().join("big.yaml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    wait_listening(listen).await;
    let before = vm_hwm_kib(child.id()).expect("/proc is readable");
    let got = drain(&format!("http://{listen}/scim/v2/huge")).await;
    assert_eq!(got, 2 * FIFTY_MIB);
    let peak = vm_hwm_kib(child.id()).expect("/proc is readable");
    let status = terminate(&mut child);
    task.abort();
    assert!(status.success());
    println!("recorder VmHWM: {before} KiB before, {peak} KiB after streaming 100 MiB");
    // Holding the body would add 100 MiB to the peak; the runtime's own
    // start-up (worker threads, buffers) measures about 20 MiB.
    assert!(
        peak.saturating_sub(before) < 40 * 1024,
        "peak RSS grew from {before} KiB to {peak} KiB while streaming 100 MiB"
    );
}

#[tokio::test]
async fn a_sloppy_client_fails_the_grade_with_each_violation_named() {
    let (up, task) = upstream().await;
    let grader = std::sync::Arc::new(Grader::new());
    let recorder = record::start(
        RecorderConfig::new("127.0.0.1:0".parse().expect("addr"), up),
        Some(grader.clone()),
    )
    .await
    .expect("starts");
    let base = format!("{}/scim/v2", recorder.base_url());
    let c = reqwest::Client::new();
    // No credentials, a broken filter, a count that is not a number.
    c.get(format!("{base}/Users?filter=userName%20eq&count=ten"))
        .send()
        .await
        .expect("answers");
    // A non-bearer scheme, text/plain, a client-chosen id, no schemas.
    c.post(format!("{base}/Users"))
        .header("Authorization", "token abc")
        .header("Content-Type", "text/plain")
        .body(r#"{"id":"1","userName":"sloppy"}"#)
        .send()
        .await
        .expect("answers");
    // An unknown op, a remove without path, a write to meta.
    c.patch(format!("{base}/Users/1"))
        .bearer_auth("abc")
        .header("Content-Type", "application/scim+json")
        .body(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                   "Operations": [{"op": "delete", "path": "x"}, {"op": "remove"},
                                  {"op": "replace", "path": "meta.created", "value": 1}]})
            .to_string(),
        )
        .send()
        .await
        .expect("answers");
    // A retry that ignores Retry-After: 30, and an Accept that refuses JSON.
    for _ in 0..2 {
        c.get(format!("{base}/Users/throttled"))
            .bearer_auth("abc")
            .send()
            .await
            .expect("answers");
    }
    c.get(format!("{base}/Users"))
        .bearer_auth("abc")
        .header("Accept", "text/html")
        .send()
        .await
        .expect("answers");
    let report = grader.report();
    recorder.shutdown().await;
    task.abort();
    assert!(!report.passed());
    assert_eq!(
        report.rules(),
        vec![
            "accept",
            "authorization",
            "content-type",
            "filter",
            "paging",
            "patch-op",
            "read-only",
            "retry-after",
            "schemas"
        ],
        "{}",
        record::grade_report::console(&report)
    );
    let console = record::grade_report::console(&report);
    assert!(
        console.contains("GET /scim/v2/Users/throttled"),
        "{console}"
    );
    assert!(console.contains("client grade: FAIL"), "{console}");
    let html = record::grade_report::html(&report);
    let json: Value = serde_json::from_str(&record::grade_report::json(&report)).expect("JSON");
    assert_eq!(json["passed"], false);
    for v in &report.violations {
        assert!(html.contains(v.rule));
    }
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_recorded_502_with_a_scim_error() {
    // A port that was just free: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let recorder = record::start(
        RecorderConfig::new(
            "127.0.0.1:0".parse().expect("addr"),
            format!("http://{closed}"),
        ),
        None,
    )
    .await
    .expect("starts");
    let resp = reqwest::get(format!("{}/scim/v2/Users", recorder.base_url()))
        .await
        .expect("the recorder answers");
    assert_eq!(resp.status().as_u16(), 502);
    let body: Value = resp.json().await.expect("a SCIM error body");
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(body["status"], "502");
    let log = recorder.log().snapshot();
    assert_eq!(log.len(), 1, "the failed exchange is recorded");
    assert_eq!(log[0].status, 502);
    assert!(log[0].upstream_error.is_some());
    recorder.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_grade_writes_a_client_report_naming_the_sloppy_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("client.json");
    let listen = "127.0.0.1:18713";
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            listen,
            "--token",
            "serve-grade-token",
            "--grade",
        ])
        .arg(format!("--report=json={}", report.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    wait_listening(listen).await;
    let c = reqwest::Client::new();
    let ok = c
        .get(format!(
            "http://{listen}/scim/v2/Users?startIndex=1&count=1"
        ))
        .bearer_auth("serve-grade-token")
        .send()
        .await
        .expect("answers");
    assert_eq!(ok.status().as_u16(), 200);
    c.get(format!("http://{listen}/scim/v2/Users?count=many"))
        .bearer_auth("serve-grade-token")
        .send()
        .await
        .expect("answers");
    let status = terminate(&mut child);
    assert!(status.success());
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("serve-grade-token"), "{stdout}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("written")).expect("JSON");
    assert_eq!(json["requests"], 2, "{json}");
    assert_eq!(json["rules"], json!(["paging"]), "{json}");
    assert!(
        json["violations"][0]["request"]
            .as_str()
            .is_some_and(|r| r.contains("count=many")),
        "{json}"
    );
}

#[test]
fn snapshot_adds_snapshots_to_successful_json_steps_only() {
    let text = std::fs::read_to_string(FIXTURE).expect("fixture");
    let exchanges = record::har::parse("okta-deactivate.har", &text, 64 * 1024).expect("parses");
    let plain = record::generate(&exchanges, &record::GenerateOptions::default());
    assert!(!plain.yaml.contains("snapshot:"), "{}", plain.yaml);
    let snap = record::generate(
        &exchanges,
        &record::GenerateOptions {
            snapshot: true,
            ..record::GenerateOptions::default()
        },
    );
    assert_eq!(
        snap.yaml.matches("snapshot: recorded-1-").count(),
        4,
        "{}",
        snap.yaml
    );
    let suite = scimulator::suite::load_str("snap.yaml", &snap.yaml).expect("loads");
    assert!(scimulator::suite::validate(std::slice::from_ref(&suite)).is_empty());
}
