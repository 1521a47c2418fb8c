//! Loopback benchmark of the reference SCIM server.
//!
//! ```text
//! cargo bench --bench server
//! BENCH_USERS=100000 BENCH_REQUESTS=20000 BENCH_CONCURRENCY=32 cargo bench --bench server
//! ```
//!
//! Loads `BENCH_USERS` users straight into the store (in-process), starts the
//! server on 127.0.0.1:0, then for each scenario sends `BENCH_REQUESTS`
//! requests from `BENCH_CONCURRENCY` tasks (a bounded loop; reqwest over
//! loopback only) and prints throughput, p50/p99 latency and the ratio to a
//! trivial axum handler (the ceiling of this machine and client).
//!
//! Measured 2026-11-24 on the shared 2-core build machine (client and
//! server in one process, so the figures are client-bound and noisy):
//!
//! ```text
//! loaded 100000 users in 4.32s
//! scenario                                            req/s    p50      p99  ceiling
//! trivial axum handler (ceiling)                      19033  0.71ms  16.8ms   100%
//! GET /Users/{id}                                      5088  4.95ms  26.8ms    27%
//! GET /Users?filter=userName eq                        6235  2.86ms  20.1ms    33%
//! GET /Users?filter=userName eq and active eq true     6890  2.42ms  18.8ms    36%
//! POST /Users                                          3812  7.14ms  29.6ms    20%
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use scimulator::server::store::Kind;
use scimulator::server::{AppState, ServerConfig, start_with_state};
use serde_json::json;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Copy)]
enum Scenario {
    Trivial,
    GetById,
    FilterUserName,
    FilterUserNameAndActive,
    Create,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::Trivial => "trivial axum handler (ceiling)",
            Self::GetById => "GET /Users/{id}",
            Self::FilterUserName => "GET /Users?filter=userName eq",
            Self::FilterUserNameAndActive => "GET /Users?filter=userName eq and active eq true",
            Self::Create => "POST /Users",
        }
    }
}

struct Outcome {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

async fn run(
    scenario: Scenario,
    scim_base: &str,
    trivial: &str,
    users: usize,
    requests: usize,
    concurrency: usize,
) -> Outcome {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, next, errors) = (client.clone(), next.clone(), errors.clone());
        let (base, trivial) = (scim_base.to_owned(), trivial.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let n = (i.wrapping_mul(7919)) % users.max(1);
                let request = match scenario {
                    Scenario::Trivial => client.get(&trivial),
                    Scenario::GetById => client.get(format!("{base}/Users/u{n}")),
                    Scenario::FilterUserName => client.get(format!(
                        "{base}/Users?filter=userName%20eq%20%22user{n}@example.com%22"
                    )),
                    Scenario::FilterUserNameAndActive => client.get(format!(
                        "{base}/Users?filter=userName%20eq%20%22user{n}@example.com%22%20and%20active%20eq%20true"
                    )),
                    Scenario::Create => client
                        .post(format!("{base}/Users"))
                        .json(&json!({"userName": format!("new{i}@example.com")})),
                };
                let t = Instant::now();
                let ok = match request.bearer_auth("bench").send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                latencies.push(t.elapsed());
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::with_capacity(requests);
    for t in tasks {
        all.extend(t.await.expect("join"));
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Outcome {
        rps: all.len() as f64 / elapsed.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
        errors: errors.load(Ordering::Relaxed),
    }
}

#[tokio::main]
async fn main() {
    let users = env_usize("BENCH_USERS", 100_000);
    let requests = env_usize("BENCH_REQUESTS", 20_000);
    let concurrency = env_usize("BENCH_CONCURRENCY", 32);
    let config = ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        tokens: vec!["bench".into()],
        ..ServerConfig::default()
    };
    let state = AppState::new(&config, "bench-admin");
    let load = Instant::now();
    let now = state.now();
    for i in 0..users {
        state
            .store
            .create(
                Kind::User,
                format!("u{i}"),
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": format!("user{i}@example.com"),
                    "name": {"givenName": "Bench", "familyName": format!("User{i}")},
                    "emails": [{"value": format!("user{i}@example.com"), "primary": true}],
                    "active": true,
                }),
                now,
            )
            .expect("load");
    }
    println!("loaded {users} users in {:.2?}", load.elapsed());
    let server = start_with_state(config.addr, state, "bench-admin".into())
        .await
        .expect("start");
    let trivial_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let trivial_addr = trivial_listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let _ = axum::serve(trivial_listener, app).await;
    });
    let trivial = format!("http://{trivial_addr}/");
    println!("{requests} requests per scenario, {concurrency} concurrent tasks, loopback");
    println!(
        "{:<52} {:>10} {:>10} {:>10} {:>8} {:>7}",
        "scenario", "req/s", "p50", "p99", "ceiling", "errors"
    );
    let mut ceiling = None;
    for scenario in [
        Scenario::Trivial,
        Scenario::GetById,
        Scenario::FilterUserName,
        Scenario::FilterUserNameAndActive,
        Scenario::Create,
    ] {
        let o = run(
            scenario,
            &server.scim_base(),
            &trivial,
            users,
            requests,
            concurrency,
        )
        .await;
        let base = *ceiling.get_or_insert(o.rps);
        println!(
            "{:<52} {:>10.0} {:>10.2?} {:>10.2?} {:>7.0}% {:>7}",
            scenario.name(),
            o.rps,
            o.p50,
            o.p99,
            100.0 * o.rps / base,
            o.errors
        );
    }
    server.shutdown().await;
}
