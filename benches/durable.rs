//! The cost of `scimulator serve --data FILE` (issue 16): creates per second
//! against a server whose every write is synced to its data file, as a ratio
//! of creates per second against an in-memory server, both in this process
//! and measured alternately in the same run (so the machine's load weighs
//! on both alike). Reads are served from memory either way and are not
//! measured here (`benches/server.rs` measures them).
//!
//! ```text
//! cargo bench --bench durable
//! BENCH_CREATES=2000 BENCH_CONCURRENCY=16 BENCH_ROUNDS=3 cargo bench --bench durable
//! # without a release build of the dependencies (slower, same ratio idea):
//! cargo bench --profile dev --bench durable
//! ```
//!
//! Each round posts `BENCH_CREATES` users, `BENCH_CONCURRENCY` in flight,
//! first to the in-memory server then to the durable one; the report gives
//! each round's rates and the median ratio. The data file lives in a
//! temporary folder (the disk of `$TMPDIR`).
//!
//! Measured 2026-11-30 23:50 UTC on the shared 2-core build machine (other
//! builds running), `cargo bench --profile dev --bench durable`, defaults:
//!
//! ```text
//! round  memory creates/s  --data creates/s  ratio
//!     0              2585               426   16.5%
//!     1              3314               433   13.1%
//!     2              2300               425   18.5%
//! median: creates/s with --data = 16.5% of in memory
//! ```
//!
//! A durable create costs one synced SQLite commit (about 2.3 ms here); the
//! writes are serialised, so the rate is the disk's sync rate. Batching
//! concurrent commits (group commit) is the known way to raise it.

use std::sync::Arc;
use std::time::Instant;

use scimulator::server::{RunningServer, ServerConfig, start};
use serde_json::json;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn server(data: Option<std::path::PathBuf>) -> RunningServer {
    let config = ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        tokens: vec!["bench".into()],
        data,
        ..ServerConfig::default()
    };
    start(config).await.expect("server starts")
}

/// Posts `n` users, `concurrency` at a time; returns creates per second.
async fn creates(server: &RunningServer, n: usize, concurrency: usize, round: usize) -> f64 {
    let client = reqwest::Client::new();
    let url = format!("{}/Users", server.scim_base());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, url, next) = (client.clone(), url.clone(), Arc::clone(&next));
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let body = json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": format!("bench-{round}-{i}@example.com"),
                    "name": {"givenName": "Bench", "familyName": format!("User {i}")},
                    "emails": [{"value": format!("bench-{round}-{i}@example.com"), "primary": true}],
                });
                let resp = client
                    .post(&url)
                    .bearer_auth("bench")
                    .header("Content-Type", "application/scim+json")
                    .body(body.to_string())
                    .send()
                    .await
                    .expect("POST answered");
                assert_eq!(resp.status().as_u16(), 201, "create");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("client task");
    }
    n as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n = env("BENCH_CREATES", 2000);
    let concurrency = env("BENCH_CONCURRENCY", 16);
    let rounds = env("BENCH_ROUNDS", 3).max(1);
    let dir = tempfile::tempdir().expect("temporary folder");
    let memory = server(None).await;
    let durable = server(Some(dir.path().join("bench.db"))).await;
    println!(
        "{n} creates per round, {concurrency} in flight, data file in {}",
        dir.path().display()
    );
    println!("round  memory creates/s  --data creates/s  ratio");
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let mem = creates(&memory, n, concurrency, round).await;
        let dur = creates(&durable, n, concurrency, round).await;
        ratios.push(dur / mem);
        println!(
            "{round:>5}  {mem:>16.0}  {dur:>16.0}  {:>5.1}%",
            100.0 * dur / mem
        );
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!(
        "median: creates/s with --data = {:.1}% of in memory",
        100.0 * median
    );
    memory.shutdown().await;
    durable.shutdown().await;
}
