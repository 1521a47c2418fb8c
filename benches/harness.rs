//! Benchmarks of the conformance harness itself (issue 3).
//!
//! ```text
//! cargo bench --bench harness                      # both measurements
//! cargo bench --bench harness -- overhead          # only the harness overhead
//! cargo bench --bench harness -- startup           # only `scimulator run` start-up
//! BENCH_REPEATS=7 cargo bench --bench harness
//! ```
//!
//! **Overhead.** Each repetition starts a fresh reference server (sequential
//! ids, so every repetition sees the same ids) and runs the bundled suites
//! with `scimulator::runner::run` (one job, snapshots checked, nothing
//! written); then starts another fresh server and sends the very same HTTP
//! requests, taken from the exchanges recorded in the first run's
//! `RunReport` (method, URL, headers, body), from a bare sequential reqwest
//! loop. The tokens are shorter than the redaction threshold (4 characters),
//! so the recorded exchanges carry them verbatim and the replay is exact. The
//! suites tagged `rate-limit` are left out: their case sleeps one second on a
//! `Retry-After` by design, which a replay would not. Reported: the medians
//! of `BENCH_REPEATS` (default 9) and their ratio (target ≤ 1.5).
//!
//! **Start-up.** A tiny TCP listener on 127.0.0.1 records when the first
//! request arrives; the bench spawns the bench-profile binary
//! (`CARGO_BIN_EXE_scimulator`, built by `cargo bench`) as
//! `scimulator run --target http://127.0.0.1:PORT/scim/v2 --token x
//! suites/okta/connector-test.yaml` in a scratch directory and takes the time
//! from `spawn` to the first request's bytes (target < 200 ms), median of
//! `BENCH_REPEATS`, then kills that child. It also reports the median total
//! time of a complete `scimulator run suites/okta/connector-test.yaml`
//! against the embedded server (process start to exit).
//!
//! Measured 2026-11-24 04:51–05:03 UTC on the shared 2-core machine (13
//! suites, 65 cases, 318 exchanges; four runs):
//!
//! ```text
//! harness / bare replay (medians)   1.44  1.77  1.14  1.07   (57.8/40.1 … 97.4/91.2 ms)
//! spawn to first request            8.0   4.6   3.6   4.3 ms
//! whole `run connector-test.yaml`   14.1  20.7  13.2  16.9 ms
//! ```

use std::io::Read as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scimulator::runner::{self, Credentials, Exchange, NullSink, RunOptions, RunReport};
use scimulator::server::clock::{SequentialIds, SystemClock};
use scimulator::server::{AppState, RunningServer, ServerConfig, start_with_state};
use scimulator::snapshot::SnapshotMode;
use scimulator::suite::Suite;

/// Live and revoked tokens: under 4 characters, so never redacted.
const LIVE: &str = "tk1";
const REVOKED: &str = "rv2";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh reference server like the embedded one, with sequential ids and
/// the tokens `LIVE` and `REVOKED` (revoked).
async fn fresh_server() -> RunningServer {
    let config = ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        tokens: vec![LIVE.into(), REVOKED.into()],
        ..ServerConfig::default()
    };
    let state = AppState::with_sources(
        &config,
        "bench-admin",
        Arc::new(SystemClock),
        Arc::new(SequentialIds::default()),
    );
    assert!(state.tokens.revoke("cli-2"), "the second token is cli-2");
    start_with_state(config.addr, state, "bench-admin".into())
        .await
        .expect("start")
}

fn run_options(target: String) -> RunOptions {
    RunOptions {
        credentials: Credentials::Bearer(LIVE.into()),
        revoked_token: Some(REVOKED.into()),
        reference_server: true,
        snapshot_mode: SnapshotMode::No,
        snapshot_dir: Some(manifest_dir().join("snapshots")),
        ..RunOptions::new(target)
    }
}

async fn harness_run(suites: &[Suite]) -> (Duration, RunReport) {
    let server = fresh_server().await;
    let opts = run_options(server.scim_base());
    let started = Instant::now();
    let report = runner::run(suites.to_vec(), &opts, &mut NullSink)
        .await
        .expect("run starts");
    let elapsed = started.elapsed();
    server.shutdown().await;
    (elapsed, report)
}

/// Every exchange in the order it was sent.
fn exchanges(report: &RunReport) -> Vec<Exchange> {
    report
        .cases()
        .flat_map(|c| c.steps.iter().chain(c.cleanup.iter()))
        .flat_map(|s| s.exchanges.iter().cloned())
        .collect()
}

async fn bare_replay(recorded: &[Exchange], recorded_base: &str) -> (Duration, usize) {
    let server = fresh_server().await;
    let base = server.scim_base();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut same_status = 0;
    let started = Instant::now();
    for x in recorded {
        let url = x.url.replacen(recorded_base, &base, 1);
        let method = reqwest::Method::from_bytes(x.method.as_bytes()).expect("method");
        let mut request = client.request(method, url);
        for (k, v) in &x.request_headers {
            if k.eq_ignore_ascii_case("host") || k.eq_ignore_ascii_case("content-length") {
                continue;
            }
            request = request.header(k, v);
        }
        if let Some(body) = &x.request_body {
            request = request.body(body.clone());
        }
        if let Ok(resp) = request.send().await {
            let status = resp.status().as_u16();
            if resp.bytes().await.is_ok() && Some(status) == x.status {
                same_status += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    server.shutdown().await;
    (elapsed, same_status)
}

async fn overhead(repeats: usize) {
    let suites: Vec<Suite> = scimulator::suite::bundled()
        .expect("bundled suites")
        .into_iter()
        .filter(|s| !s.tags.iter().any(|t| t == "rate-limit"))
        .collect();
    let (_, first) = harness_run(&suites).await;
    let recorded = exchanges(&first);
    let s = first.summary;
    println!(
        "harness overhead: {} suites, {} cases (pass {} fail {} error {} skip {}), {} HTTP exchanges, {repeats} repetitions",
        suites.len(),
        s.passed + s.failed + s.errored + s.skipped,
        s.passed,
        s.failed,
        s.errored,
        s.skipped,
        recorded.len()
    );
    let mut harness = Vec::new();
    let mut bare = Vec::new();
    for _ in 0..repeats {
        let (h, report) = harness_run(&suites).await;
        harness.push(h);
        let (b, same) = bare_replay(&recorded, &first.target).await;
        bare.push(b);
        println!(
            "  runner::run {:>8.1?}  bare reqwest replay {:>8.1?}  ({} exchanges, {same} same status)",
            h,
            b,
            exchanges(&report).len()
        );
    }
    let (h, b) = (median(harness), median(bare));
    println!(
        "OVERHEAD harness_ms={:.1} bare_ms={:.1} ratio={:.2}",
        h.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        h.as_secs_f64() / b.as_secs_f64()
    );
}

/// Time from spawning `scimulator run --target …` to its first request.
fn first_request_latency(bin: &str, suite: &PathBuf, scratch: &std::path::Path) -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let started = Instant::now();
    let mut child = Command::new(bin)
        .current_dir(scratch)
        .args(["run", "--target"])
        .arg(format!("http://127.0.0.1:{port}/scim/v2"))
        .args(["--token", "x"])
        .arg(suite)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn scimulator");
    let (mut conn, _) = listener.accept().expect("accept");
    let mut byte = [0u8; 1];
    let _ = conn.read(&mut byte);
    let elapsed = started.elapsed();
    drop(conn);
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

fn startup(repeats: usize) {
    let bin = env!("CARGO_BIN_EXE_scimulator");
    let suite = manifest_dir().join("suites/okta/connector-test.yaml");
    let scratch = tempfile::tempdir().expect("tempdir");
    // One unmeasured start warms the page cache.
    let _ = first_request_latency(bin, &suite, scratch.path());
    let firsts: Vec<Duration> = (0..repeats)
        .map(|_| first_request_latency(bin, &suite, scratch.path()))
        .collect();
    let mut totals = Vec::new();
    for _ in 0..repeats {
        let started = Instant::now();
        let status = Command::new(bin)
            .current_dir(scratch.path())
            .arg("run")
            .arg(&suite)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run scimulator");
        totals.push(started.elapsed());
        assert!(status.success(), "scimulator run failed: {status}");
    }
    println!("start-up: {bin}");
    println!("  spawn to first request: {firsts:.1?}");
    println!("  whole `scimulator run connector-test.yaml` (embedded server): {totals:.1?}");
    println!(
        "STARTUP first_request_ms={:.1} total_run_ms={:.1}",
        median(firsts).as_secs_f64() * 1e3,
        median(totals).as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let repeats = env_usize("BENCH_REPEATS", 9).max(1);
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let only = args.first().map(String::as_str);
    if only.is_none() || only == Some("overhead") {
        overhead(repeats).await;
    }
    if only.is_none() || only == Some("startup") {
        // Blocking process work: off the async worker threads.
        tokio::task::spawn_blocking(move || startup(repeats))
            .await
            .expect("startup bench");
    }
}
