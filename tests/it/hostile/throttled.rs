//! Targets answering 429: forever (the breaker, the default bound) or once (retried).

use scimulator::runner::{PreflightError, RunErrorKind};

use super::servers::Hostile;
use super::*;

use crate::support::Reference;
use crate::support::faults::Fault;
use crate::support::proxy::Proxy;

// ---- 429 forever -----------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_answering_429_forever_trips_the_breaker() {
    let target = Hostile::throttling().await;
    let report = within(
        Duration::from_secs(30),
        "the run",
        run_all(&scaled(&target.base())),
    )
    .await;
    // The first request given up on fails its case (429 is not 200); the
    // second trips the breaker, and every later case errors with its reason.
    let reason = "the target answers 429 Too Many Requests to everything: 2 consecutive requests";
    let mut errored = 0;
    for case in report.cases() {
        match &case.outcome {
            Outcome::Errored(e) => {
                errored += 1;
                assert_eq!(e.kind, RunErrorKind::Throttled, "{e}");
                assert!(e.message.contains(reason), "{e}");
            }
            Outcome::Failed(_) | Outcome::Skipped(_) => {}
            Outcome::Passed => panic!("{} › {} passed", case.suite, case.name),
        }
    }
    assert!(errored > 10, "{errored}");
    assert!(report.summary.failed <= 4, "{:?}", report.summary);
}

#[tokio::test(start_paused = true)]
async fn with_the_defaults_a_target_answering_429_forever_ends_within_90_s() {
    let target = Hostile::throttling().await;
    let opts = RunOptions {
        jobs: 1,
        ..defaults(&target.base())
    };
    let started = tokio::time::Instant::now();
    let err = runner::preflight(&opts)
        .await
        .expect_err("429 to everything fails the pre-flight");
    let preflight_took = started.elapsed();
    assert!(matches!(err, PreflightError::Throttled { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the target answers 429 Too Many Requests to everything: GET "),
        "{err}"
    );
    assert!(
        preflight_took <= Duration::from_secs(90),
        "{preflight_took:?}"
    );

    let started = tokio::time::Instant::now();
    let report = run_all(&opts).await;
    let run_took = started.elapsed();
    assert!(report.summary.errored > 10, "{:?}", report.summary);
    assert!(run_took <= Duration::from_secs(90), "{run_took:?}");
    // Retry-After was honoured: two requests waited their 30 s each.
    assert!(run_took >= Duration::from_secs(60), "{run_took:?}");
    assert!(opts.worst_case().throttling <= Duration::from_secs(90));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_says_the_target_answers_429_to_everything_and_exits_3() {
    let target = Hostile::throttling().await;
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
                "--max-throttle-wait",
                "2s",
            ],
        ),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("the target answers 429 Too Many Requests to everything"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_429_with_retry_after_is_retried_and_the_run_passes() {
    let reference = Reference::start().await;
    let proxy = Proxy::start(
        &reference.root(),
        Fault::ThrottleOnce,
        reference.creds.clone(),
    )
    .await;
    let mut opts = RunOptions::new(proxy.scim_base())
        .with_token(reference.creds.valid.clone())
        .with_snapshots(SnapshotMode::No, std::env::temp_dir());
    opts.throttle.max_total_wait = Duration::from_secs(5);
    let info = runner::preflight(&opts)
        .await
        .expect("one 429 with Retry-After does not stop the pre-flight");
    assert!(
        info.probes[0].contains("/ServiceProviderConfig → 200"),
        "{info:?}"
    );
    let suite = scimulator::suite::load_str(
        "throttled.yaml",
        r#"
suite: throttled once
cases:
  - name: list users
    why: w
    steps:
      - request: { method: GET, path: /Users, query: [[count, 1]] }
        expect: { status: 200 }
"#,
    )
    .expect("loads");
    let report = runner::run(vec![suite], &opts, &mut VecSink::default())
        .await
        .expect("the run starts");
    reference.server.shutdown().await;
    assert_eq!(report.summary.passed, 1, "{:?}", report.summary);
}
