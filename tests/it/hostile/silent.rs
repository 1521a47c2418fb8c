//! Targets that never answer, and the run deadline.

use std::sync::atomic::Ordering;

use scimulator::runner::PreflightError;

use super::servers::Hostile;
use super::*;

// ---- never answers -----------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_target_trips_the_breaker_and_every_case_errors_with_one_reason() {
    let target = Hostile::silent().await;
    let opts = scaled(&target.base());
    let report = within(Duration::from_secs(30), "the run", run_all(&opts)).await;
    all_errored_with(
        &report,
        "the target stopped answering: 3 consecutive requests timed out after 300ms (--request-timeout); last: GET http://127.0.0.1:",
        2,
    );
    // About `jobs` requests in flight when it tripped, and none after.
    let accepted = target.accepted.load(Ordering::SeqCst);
    assert!(
        accepted <= 8,
        "{accepted} connections: requests went on after the breaker tripped"
    );
}

#[tokio::test(start_paused = true)]
async fn with_the_defaults_a_silent_target_ends_the_run_within_2_minutes() {
    let target = Hostile::silent().await;
    // Worst case: one suite at a time, no pre-flight.
    let opts = RunOptions {
        jobs: 1,
        ..defaults(&target.base())
    };
    let started = tokio::time::Instant::now();
    let report = run_all(&opts).await;
    let took = started.elapsed();
    all_errored_with(&report, "3 consecutive requests timed out after 30s", 2);
    assert!(took <= Duration::from_secs(120), "{took:?}");
    // The clock really ran the three 30 s timeouts out (not a shortcut).
    assert!(took >= Duration::from_secs(90), "{took:?}");
    assert!(opts.worst_case().silent <= Duration::from_secs(120));
}

#[tokio::test(start_paused = true)]
async fn with_the_defaults_the_preflight_stops_a_silent_target_after_one_timeout() {
    let target = Hostile::silent().await;
    let started = tokio::time::Instant::now();
    let err = runner::preflight(&defaults(&target.base()))
        .await
        .expect_err("a silent target fails the pre-flight");
    let took = started.elapsed();
    assert!(matches!(err, PreflightError::Timeout { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("did not answer GET http://127.0.0.1:")
            && message.contains("/scim/v2/ServiceProviderConfig within 30s (--request-timeout)"),
        "{message}"
    );
    assert!(took <= Duration::from_secs(31), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_diagnoses_a_silent_target_in_the_preflight_and_exits_3() {
    let target = Hostile::silent().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = within(
        Duration::from_secs(60),
        "the binary",
        scimulator(
            dir.path(),
            &[
                "run",
                "--target",
                &target.base(),
                "--token",
                TOKEN,
                "--request-timeout",
                "1s",
            ],
        ),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("error: pre-flight: the target did not answer GET")
            && stderr.contains("within 1s (--request-timeout)"),
        "{stderr}"
    );
    assert!(!stdout.contains("ERROR ["), "no case should run: {stdout}");
    assert!(
        !format!("{stdout}{stderr}").contains(TOKEN),
        "the token leaked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_preflight_the_binary_stops_a_silent_target_writes_reports_and_exits_3() {
    let target = Hostile::silent().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = within(
        Duration::from_secs(90),
        "the binary",
        scimulator(
            dir.path(),
            &[
                "run",
                "--no-preflight",
                "--target",
                &target.base(),
                "--token",
                TOKEN,
                "--request-timeout",
                "1s",
                "--jobs",
                "4",
            ],
        ),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("the target stopped answering: 3 consecutive requests timed out after 1s"),
        "{stdout}"
    );
    let json = std::fs::read_to_string(dir.path().join("reports/report.json"))
        .expect("the report is written");
    assert!(json.contains("not run, the target stopped answering"));
}

// ---- the deadline --------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_abandons_requests_in_flight_and_errors_the_remaining_cases() {
    let target = Hostile::silent().await;
    let opts = RunOptions {
        request_timeout: Duration::from_secs(60),
        deadline: Duration::from_millis(500),
        ..scaled(&target.base())
    };
    let report = within(Duration::from_secs(20), "the run", run_all(&opts)).await;
    all_errored_with(
        &report,
        "the run deadline of 500ms was reached (--deadline)",
        0,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_writes_its_reports_when_the_deadline_passes() {
    let target = Hostile::silent().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = within(
        Duration::from_secs(60),
        "the binary",
        scimulator(
            dir.path(),
            &[
                "run",
                "--no-preflight",
                "--target",
                &target.base(),
                "--deadline",
                "1s",
            ],
        ),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("the run deadline of 1s was reached"),
        "{stdout}"
    );
    assert!(dir.path().join("reports/junit.xml").exists());
    assert!(dir.path().join("reports/report.json").exists());
}
