//! Bodies: endless (the cap), dense JSON (the check cost), and peak memory of the binary.

use scimulator::runner::PreflightError;

use super::servers::Hostile;
use super::*;

// ---- an endless body ---------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_at_the_cap_and_kept_short_in_the_transcript() {
    let target = Hostile::endless().await;
    let opts = RunOptions {
        max_body: 64 * 1024,
        request_timeout: Duration::from_secs(10),
        ..scaled(&target.base())
    };
    let report = within(Duration::from_secs(30), "the run", run_all(&opts)).await;
    let first = report
        .cases()
        .find_map(|c| c.steps.iter().find(|s| !s.exchanges.is_empty()))
        .expect("a request was sent");
    let exchange = &first.exchanges[0];
    assert!(
        exchange.response_body.len() <= 64 * 1024 + 300,
        "{}",
        exchange.response_body.len()
    );
    assert!(
        exchange
            .response_body
            .contains("exceeds the 64 KiB cap (--max-body)"),
        "{}",
        &exchange.response_body[exchange.response_body.len() - 200..]
    );
    all_errored_with(
        &report,
        "the target stopped answering: 3 consecutive requests got no usable answer",
        2,
    );
    assert!(
        report
            .cases()
            .any(|c| matches!(&c.outcome, Outcome::Errored(e)
            if e.message.contains("response body of GET http://127.0.0.1:")
                && e.message.contains("exceeds the 64 KiB cap (--max-body)"))),
        "the reason names the cap and the request"
    );

    let err = runner::preflight(&opts).await.expect_err("too large");
    assert!(matches!(err, PreflightError::TooLarge { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dense_json_body_under_the_cap_is_refused_before_it_is_parsed() {
    // 60 KiB of `0,` under a 64 KiB cap: 30,000 items would parse into
    // 1.5 MiB of `Value`, more than 3 × the cap.
    let body = format!("[{}0]", "0,".repeat(30 * 1024));
    let target = Hostile::answering(format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ))
    .await;
    let opts = RunOptions {
        max_body: 64 * 1024,
        ..scaled(&target.base())
    };
    let report = within(Duration::from_secs(30), "the run", run_all(&opts)).await;
    assert!(
        report
            .cases()
            .any(|c| matches!(&c.outcome, Outcome::Errored(e)
            if e.message.contains("(61 KiB of JSON) would take about")
                && e.message.contains("over the 192 KiB allowed (3 × --max-body 64 KiB)"))),
        "{:?}",
        report
            .cases()
            .map(|c| c.outcome.clone())
            .take(3)
            .collect::<Vec<_>>()
    );
    all_errored_with(
        &report,
        "the target stopped answering: 3 consecutive requests got no usable answer",
        2,
    );
}

/// The binary with the default 16 MiB cap against an endless body, every
/// suite in parallel: its peak resident memory stays under 256 MiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_stays_under_256_mib_against_an_endless_body() {
    let target = Hostile::endless().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let stdout = std::fs::File::create(dir.path().join("stdout")).expect("file");
    let mut child = tokio::process::Command::new(BIN)
        .args([
            "run",
            "--no-preflight",
            "--target",
            &target.base(),
            "--jobs",
            "4",
        ])
        .current_dir(dir.path())
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .stdout(stdout)
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let pid = child.id().expect("a pid");
    let mut peak_kib = 0u64;
    let status = within(Duration::from_secs(120), "the binary", async {
        loop {
            if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                && let Some(kib) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let out = std::fs::read_to_string(dir.path().join("stdout")).unwrap_or_default();
    assert_eq!(status.code(), Some(3), "{out}");
    assert!(out.contains("exceeds the 16 MiB cap (--max-body)"), "{out}");
    assert!(peak_kib > 0, "VmHWM was never read");
    assert!(peak_kib < 256 * 1024, "peak resident memory {peak_kib} KiB");
}
