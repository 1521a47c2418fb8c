//! Hostile targets: servers that never answer, answer 429 forever, stream an
//! endless body, answer garbage, answer an HTML login page, or redirect to
//! another host. Each run must end within its bound, with one clear reason
//! and exit 3, and memory must stay bounded. The library is driven with
//! scaled-down options (short timeouts, a small cap); the default bounds are
//! proven with tokio's paused clock (reqwest's timeouts are tokio timers, so
//! virtual time runs them out without waiting); the real binary is run
//! against a few of them.

mod bodies;
mod preflight;
mod servers;
mod silent;
mod throttled;

use std::future::Future;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use scimulator::runner::{self, Outcome, RunOptions, RunReport, ThrottlePolicy, VecSink};
use scimulator::snapshot::SnapshotMode;

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");
const TOKEN: &str = "canary-hostile-token-93b1";

// ---- helpers -----------------------------------------------------------

fn bundled() -> Vec<scimulator::suite::Suite> {
    scimulator::suite::bundled().expect("bundled suites load")
}

/// Options scaled down so hostile runs take a second or two.
fn scaled(target: &str) -> RunOptions {
    RunOptions {
        snapshot_mode: SnapshotMode::No,
        connect_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(300),
        throttle: ThrottlePolicy {
            max_attempts: 10,
            default_wait: Duration::from_millis(50),
            max_wait: Duration::from_millis(100),
            max_total_wait: Duration::from_millis(300),
        },
        jobs: 4,
        ..RunOptions::new(target).with_token(TOKEN)
    }
}

/// Options at their defaults (but snapshots off).
fn defaults(target: &str) -> RunOptions {
    RunOptions {
        snapshot_mode: SnapshotMode::No,
        ..RunOptions::new(target).with_token(TOKEN)
    }
}

async fn run_all(opts: &RunOptions) -> RunReport {
    runner::run(bundled(), opts, &mut VecSink::default())
        .await
        .expect("the run starts")
}

/// Every case that was not skipped errored, all with a message containing
/// `reason` but at most `others` (the requests before the breaker tripped
/// error with their own message); returns how many cases errored.
fn all_errored_with(report: &RunReport, reason: &str, others: usize) -> usize {
    let mut errored = 0;
    let mut different = Vec::new();
    for case in report.cases() {
        match &case.outcome {
            Outcome::Errored(e) => {
                errored += 1;
                if !e.message.contains(reason) {
                    different.push(format!("{} › {}: {e}", case.suite, case.name));
                }
            }
            Outcome::Skipped(_) => {}
            other => panic!(
                "{} › {}: expected an error, got {other:?}",
                case.suite, case.name
            ),
        }
    }
    assert!(errored > 10, "{errored} cases errored");
    assert!(
        different.len() <= others,
        "errors without `{reason}`:\n{}",
        different.join("\n")
    );
    errored
}

async fn scimulator(dir: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("CI", "true")
        .env_remove("SCIMULATOR_TARGET")
        .env_remove("SCIMULATOR_TOKEN")
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
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

/// Runs `fut`, failing the test if it takes longer than `bound` (real time).
async fn within<T>(bound: Duration, what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(bound, fut).await {
        Ok(v) => v,
        Err(_) => panic!("{what} did not end within {bound:?}"),
    }
}
