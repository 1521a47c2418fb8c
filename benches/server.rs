//! Loopback benchmarks of the reference SCIM server (issue 2).
//!
//! One bench binary, three modes (arguments after `--`):
//!
//! ```text
//! # everything below, driven by wrk, in one go (installs wrk if missing):
//! scripts/bench.sh
//!
//! # in-process: reqwest client and server in one process (client-bound)
//! cargo bench --bench server
//! BENCH_USERS=100000 BENCH_REQUESTS=20000 BENCH_CONCURRENCY=32 cargo bench --bench server
//!
//! # --serve: load BENCH_USERS (100,000) users into one reference server and
//! # BENCH_SMALL_USERS (1,000) into a second, start a trivial axum handler,
//! # print one `READY ...` line with the three base URLs and the resident
//! # memory before/after loading, then serve until killed (at most
//! # BENCH_SERVE_SECS, default 1800 s). Bearer token: `bench`. User i has
//! # id `u{i}` and userName `user{i}@example.com`.
//! cargo bench --bench server -- --serve
//!
//! # --creates BASE N [TRIVIAL]: N sequential POST /Users over ONE keep-alive
//! # connection (reqwest, pool_max_idle_per_host(1), one request in flight);
//! # with TRIVIAL, first N sequential GETs of that URL the same way (baseline)
//! cargo bench --bench server -- --creates http://127.0.0.1:PORT/scim/v2 10000 http://127.0.0.1:PORT2/
//! ```
//!
//! `scripts/bench.sh` starts `--serve`, then drives it with
//! `wrk -t1 -c32 -d10s --latency -s benches/wrk/scim.lua` per scenario,
//! interleaving the trivial handler before and after each scenario so every
//! ratio is taken against a baseline measured seconds apart; the indexed
//! filter's latency is compared at 1,000 and 100,000 users with
//! `wrk -t1 -c1 -d10s --latency`; the creates run with `--creates`; resident
//! memory is the server process's VmRSS.
//!
//! `scripts/bench.sh`, measured 2026-11-24 07:50–08:25 UTC on the shared
//! 2-core build machine (load average 1.5–2.2; wrk takes one core, the
//! server the other), four full runs (each ratio the median of 5 rounds):
//!
//! ```text
//! scenario (100,000 users, wrk -t1 -c32 -d5s)     ratio to trivial (runs 1-3)
//! GET /Users/{id}                                 59.5% 58.6% 58.0% 59.9%
//! filter=userName eq "..."                        58.3% 54.0% 54.0% 53.2%
//! filter=userName eq "..." and active eq true     50.7% 52.1% 51.1% 48.9%
//! indexed filter, -c1, p50 100k/1k users          1.15 1.08 0.89 1.00
//! indexed filter, -c1, p99 100k/1k users          2.29 1.77 1.13 0.99 (scheduler tail)
//! 10,000 sequential creates, one connection       3.10 s, 2.37 s, 2.77 s, 8.10 s
//!   (10,000 sequential trivial GETs, same client: 1.79, 1.38, 1.54, 3.63 s)
//! VmRSS after loading 100,000 users               149 MiB (1.5 KB/user; as
//!   serde_json trees they took 4.2 KB/user, 410 MiB)
//! --handler, no sockets (trivial router 1.1 us): GET 6.4-8.2 us,
//!   filter 8.1-9.8 us, filter and active 10.3-12.1 us
//! ```
//!
//! In-process mode, measured 2026-11-24 on the shared 2-core build machine
//! (client and server in one process, so the figures are client-bound):
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

/// The allocator the `scimulator` binary ships with (see `src/main.rs`), so
/// the bench measures the server as users run it; the trivial handler runs
/// in this same process with the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

async fn in_process() {
    let users = env_usize("BENCH_USERS", 100_000);
    let requests = env_usize("BENCH_REQUESTS", 20_000);
    let concurrency = env_usize("BENCH_CONCURRENCY", 32);
    let config = bench_config();
    let load = Instant::now();
    let state = loaded_state(&config, users);
    println!("loaded {users} users in {:.2?}", load.elapsed());
    let server = start_with_state(config.addr, state, "bench-admin".into())
        .await
        .expect("start");
    let trivial_addr = start_trivial().await;
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

/// A server state holding `users` users: id `u{i}`, userName `user{i}@example.com`.
fn loaded_state(config: &ServerConfig, users: usize) -> AppState {
    let state = AppState::new(config, "bench-admin");
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
    state
}

/// The ceiling every ratio is taken against: a handler that answers `ok`.
fn trivial_router() -> axum::Router {
    axum::Router::new().route("/", axum::routing::get(|| async { "ok" }))
}

/// Serves [`trivial_router`] on a free loopback port; returns its address.
async fn start_trivial() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, trivial_router()).await;
    });
    addr
}

/// This process's resident set size in KiB (`VmRSS` in `/proc/self/status`).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn bench_config() -> ServerConfig {
    ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        tokens: vec!["bench".into()],
        ..ServerConfig::default()
    }
}

/// `--serve`: the reference server with 100,000 users, one with 1,000 and a
/// trivial handler, on loopback, until killed or BENCH_SERVE_SECS elapse.
async fn serve() {
    let users = env_usize("BENCH_USERS", 100_000);
    let small_users = env_usize("BENCH_SMALL_USERS", 1_000);
    let lifetime = Duration::from_secs(env_usize("BENCH_SERVE_SECS", 1800) as u64);
    let config = bench_config();
    let rss_before = rss_kib();
    let load = Instant::now();
    let big = loaded_state(&config, users);
    let load_time = load.elapsed();
    let rss_big = rss_kib();
    if std::env::var_os("BENCH_RSS_BREAKDOWN").is_some() {
        // What the users would take as serde_json trees (how the store kept
        // them before records became text): a decoded copy of every stored
        // user, as `get` returns it, held in a plain Vec.
        let copies: Vec<_> = (0..users)
            .filter_map(|i| big.store.get(Kind::User, &format!("u{i}")))
            .collect();
        println!(
            "BREAKDOWN store_kib={} json_copies_kib={} per_user_store_b={} per_user_json_b={}",
            rss_big.saturating_sub(rss_before),
            rss_kib().saturating_sub(rss_big),
            (rss_big.saturating_sub(rss_before) * 1024) / users.max(1) as u64,
            (rss_kib().saturating_sub(rss_big) * 1024) / users.max(1) as u64,
        );
        drop(copies);
    }
    let small = loaded_state(&config, small_users);
    let big = start_with_state(config.addr, big, "bench-admin".into())
        .await
        .expect("start");
    let small = start_with_state(config.addr, small, "bench-admin".into())
        .await
        .expect("start");
    let trivial_addr = start_trivial().await;
    println!(
        "READY trivial=http://{trivial_addr} big={} small={} users={users} small_users={small_users} \
         load_secs={:.2} rss_before_kib={rss_before} rss_loaded_kib={rss_big}",
        big.scim_base(),
        small.scim_base(),
        load_time.as_secs_f64(),
    );
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    tokio::select! {
        _ = tokio::time::sleep(lifetime) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    big.shutdown().await;
    small.shutdown().await;
}

/// `--handler`: the server's own cost per request, without sockets: each
/// scenario's request is sent `BENCH_REQUESTS` times (default 200,000)
/// through the router in this thread (`tower::ServiceExt::oneshot`), next
/// to a trivial axum router the same way. Loopback TCP and the load
/// generator are left out, so the figures move little with the machine's
/// load; the ratio is the trivial router's time per request over the scenario's.
async fn handler() {
    use axum::body::Body;
    use tower::ServiceExt as _;

    let users = env_usize("BENCH_USERS", 100_000);
    let requests = env_usize("BENCH_REQUESTS", 200_000);
    let config = bench_config();
    let scim = scimulator::server::router(loaded_state(&config, users));
    let trivial = trivial_router();
    let request = |path: String| {
        axum::http::Request::builder()
            .uri(path)
            .header("host", "127.0.0.1")
            .header("authorization", "Bearer bench")
            .body(Body::empty())
            .expect("request")
    };
    let time = async |router: &axum::Router, path: &dyn Fn(usize) -> String| {
        let started = Instant::now();
        let mut errors = 0usize;
        for i in 0..requests {
            let n = i.wrapping_mul(7919) % users.max(1);
            let response = router
                .clone()
                .oneshot(request(path(n)))
                .await
                .expect("infallible");
            let ok = response.status().is_success();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;
            errors += usize::from(!ok || body.is_err());
        }
        (
            started.elapsed().as_nanos() as f64 / requests as f64,
            errors,
        )
    };
    let (base_ns, _) = time(&trivial, &|_| "/".to_owned()).await;
    println!(
        "{:<48} {:>9} {:>8} {:>7}",
        "scenario (no sockets)", "ns/req", "ratio", "errors"
    );
    println!(
        "{:<48} {base_ns:>9.0} {:>8} {:>7}",
        "trivial axum router", "-", 0
    );
    let scenarios: [(&str, &dyn Fn(usize) -> String); 3] = [
        ("GET /Users/{id}", &|n| format!("/scim/v2/Users/u{n}")),
        ("filter=userName eq \"...\"", &|n| {
            format!("/scim/v2/Users?filter=userName%20eq%20%22user{n}%40example.com%22")
        }),
        ("filter=userName eq \"...\" and active eq true", &|n| {
            format!(
                "/scim/v2/Users?filter=userName%20eq%20%22user{n}%40example.com%22%20and%20active%20eq%20true"
            )
        }),
    ];
    // BENCH_ONLY=<text>: only the scenarios whose name contains it (for `perf`).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    for (name, path) in scenarios.into_iter().filter(|(n, _)| n.contains(&only)) {
        let (ns, errors) = time(&scim, path).await;
        println!(
            "{name:<48} {ns:>9.0} {:>7.0}% {errors:>7}",
            100.0 * base_ns / ns
        );
    }
}

/// `--creates BASE N [TRIVIAL]`: N sequential creates over one keep-alive
/// connection; with TRIVIAL, first N sequential GETs of the trivial handler
/// over one connection, the same client's floor on this machine right now.
async fn creates(base: &str, n: usize, trivial: Option<&str>) {
    let client = || {
        reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .expect("client")
    };
    if let Some(trivial) = trivial {
        let client = client();
        let started = Instant::now();
        let mut errors = 0usize;
        for _ in 0..n {
            let ok = match client.get(trivial).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            errors += usize::from(!ok);
        }
        let elapsed = started.elapsed();
        println!(
            "TRIVIAL_SEQUENTIAL n={n} secs={:.3} rps={:.0} errors={errors}",
            elapsed.as_secs_f64(),
            n as f64 / elapsed.as_secs_f64()
        );
    }
    let client = client();
    let tag = std::process::id();
    let mut errors = 0usize;
    let started = Instant::now();
    for i in 0..n {
        let resp = client
            .post(format!("{base}/Users"))
            .bearer_auth("bench")
            .json(&json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": format!("create-{tag}-{i}@example.com"),
                "name": {"givenName": "Created", "familyName": format!("User{i}")},
                "emails": [{"value": format!("create-{tag}-{i}@example.com"), "primary": true}],
                "active": true,
            }))
            .send()
            .await;
        let ok = match resp {
            Ok(r) => r.status().as_u16() == 201 && r.bytes().await.is_ok(),
            Err(_) => false,
        };
        errors += usize::from(!ok);
    }
    let elapsed = started.elapsed();
    println!(
        "CREATES n={n} secs={:.3} rps={:.0} errors={errors}",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench` appends `--bench`; ignore it.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("--serve") => serve().await,
        Some("--handler") => handler().await,
        Some("--creates") => {
            let base = args.get(1).expect("--creates BASE N");
            let n = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
            creates(base, n, args.get(3).map(String::as_str)).await;
        }
        _ => in_process().await,
    }
}
