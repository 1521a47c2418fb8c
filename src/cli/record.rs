//! `scimulator record`: the recording proxy in front of an upstream (or of
//! the embedded reference server), writing the generated suite every N
//! exchanges and on SIGINT/SIGTERM; `serve --grade` (the grading proxy in
//! front of the reference server); and the client report files.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::record::{self, GenerateOptions, Grader, RecorderConfig};
use crate::server::{RunningServer, ServerConfig};

/// Arguments of `scimulator record`.
#[derive(Debug, Clone, clap::Args)]
pub struct RecordArgs {
    /// Address to listen on; give `http://ADDR` (through your tunnel) to the IdP as the SCIM base URL.
    #[arg(long)]
    pub listen: SocketAddr,
    /// Base URL to forward to (`https://app.example.com/scim/v2`) [default: an embedded reference server].
    #[arg(long)]
    pub upstream: Option<String>,
    /// The suite file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The client's bearer token: accepted by the embedded server (generated and printed when
    /// omitted); with --upstream, the credential replayed as `auth: default`.
    #[arg(long, env = "SCIMULATOR_RECORD_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Also write `snapshot:` expectations for successful JSON responses.
    #[arg(long)]
    pub snapshot: bool,
    /// Rewrite the suite after every N exchanges (so a killed recorder leaves a valid suite).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub write_every: u64,
    /// Bytes of each body kept for the suite (the rest streams through unrecorded).
    #[arg(long, default_value_t = record::proxy::DEFAULT_BODY_CAP)]
    pub body_cap: usize,
    /// A pause of this many seconds starts a new case.
    #[arg(long, default_value_t = 5)]
    pub gap_secs: u64,
    /// Suite title.
    #[arg(long)]
    pub title: Option<String>,
    /// Grade every request as a SCIM client request.
    #[arg(long)]
    pub grade: bool,
    /// Client report to write with --grade (repeatable): json=FILE or html=FILE.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_grade_report)]
    pub reports: Vec<(GradeFormat, PathBuf)>,
}

/// A client report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeFormat {
    /// JSON.
    Json,
    /// HTML.
    Html,
}

/// Parses `json=FILE` / `html=FILE`.
pub(crate) fn parse_grade_report(s: &str) -> Result<(GradeFormat, PathBuf), String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, got {s:?}"))?;
    let format = match format {
        "json" => GradeFormat::Json,
        "html" => GradeFormat::Html,
        other => {
            return Err(format!(
                "unknown client report format {other:?} (json, html)"
            ));
        }
    };
    if path.is_empty() {
        return Err("empty report path".to_owned());
    }
    Ok((format, PathBuf::from(path)))
}

/// The embedded server behind the recorder, with the token it accepts and
/// a revoked one (so a recording of revocation checks replays as such).
struct Behind {
    server: RunningServer,
    revoked: Option<String>,
}

async fn start_embedded(token: &str) -> anyhow::Result<Behind> {
    let config = ServerConfig {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        tokens: vec![token.to_owned()],
        ..ServerConfig::default()
    };
    let server = crate::server::start(config)
        .await
        .context("starting the embedded reference server")?;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()?;
    let admin = server.admin_base();
    let issued: Value = client
        .post(format!("{admin}/tokens"))
        .bearer_auth(server.admin_token())
        .json(&json!({"name": "recorder-revoked"}))
        .send()
        .await?
        .json()
        .await?;
    let revoked = match (issued["id"].as_str(), issued["token"].as_str()) {
        (Some(id), Some(t)) => {
            let ok = client
                .delete(format!("{admin}/tokens/{id}"))
                .bearer_auth(server.admin_token())
                .send()
                .await?
                .status()
                .is_success();
            ok.then(|| t.to_owned())
        }
        _ => None,
    };
    Ok(Behind { server, revoked })
}

fn generated_token() -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    (0..40)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.random_range(0..36)]))
        .collect()
}

/// Generates the suite from `log` and writes it atomically (temp file +
/// rename), so a reader never sees half a suite.
pub(crate) fn write_suite(
    out: &Path,
    log: &record::ExchangeLog,
    opts: &GenerateOptions,
) -> anyhow::Result<usize> {
    let exchanges = log.snapshot();
    if exchanges.is_empty() {
        return Ok(0);
    }
    let generated = record::generate(&exchanges, opts);
    write_atomic(out, &generated.yaml)?;
    Ok(generated.suite.cases.len())
}

fn write_atomic(out: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut tmp = out.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("renaming to {}", out.display()))?;
    Ok(())
}

/// Waits for SIGINT or SIGTERM.
async fn stopped() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("cannot listen for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("cannot listen for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")?;
    Ok(())
}

/// Writes the client report: console always, files as asked.
fn write_grade(grader: &Grader, reports: &[(GradeFormat, PathBuf)]) -> anyhow::Result<()> {
    let report = grader.report();
    print!("{}", record::grade_report::console(&report));
    for (format, path) in reports {
        let text = match format {
            GradeFormat::Json => record::grade_report::json(&report),
            GradeFormat::Html => record::grade_report::html(&report),
        };
        write_atomic(path, &text)?;
        println!("client report: {}", path.display());
    }
    Ok(())
}

/// Runs `scimulator record` until SIGINT/SIGTERM.
pub async fn run(args: RecordArgs) -> anyhow::Result<ExitCode> {
    if !args.reports.is_empty() && !args.grade {
        eprintln!("error: --report needs --grade");
        return Ok(super::exit::code(super::exit::USAGE));
    }
    let (behind, upstream, primary) = match &args.upstream {
        Some(url) => (None, url.clone(), args.token.clone()),
        None => {
            let (token, generated) = match &args.token {
                Some(t) => (t.clone(), false),
                None => (generated_token(), true),
            };
            let behind = start_embedded(&token).await?;
            let upstream = behind.server.scim_base();
            if generated {
                println!("SCIM token (generated): {token}");
            }
            (Some(behind), upstream, Some(token))
        }
    };
    let grader = args.grade.then(|| Arc::new(Grader::new()));
    let mut config = RecorderConfig::new(args.listen, upstream);
    config.body_cap = args.body_cap;
    let recorder = record::start(config, grader.clone()).await?;
    let opts = GenerateOptions {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| "Recorded IdP traffic".to_owned()),
        origin: format!(
            "Recorded by scimulator record in front of {}",
            if args.upstream.is_some() {
                "the upstream server"
            } else {
                "the embedded reference server"
            }
        ),
        snapshot: args.snapshot,
        gap_ms: args.gap_secs.saturating_mul(1000),
        primary_auth: primary,
        revoked_tokens: behind.iter().filter_map(|b| b.revoked.clone()).collect(),
    };
    println!("scimulator record");
    println!("  SCIM base URL: {}", recorder.base_url());
    match &args.upstream {
        Some(_) => println!("  forwarding to the upstream given with --upstream"),
        None => println!("  forwarding to the embedded reference server"),
    }
    println!("  suite:         {}", args.out.display());
    println!("Press Ctrl-C to stop and write the suite.");

    let log = recorder.log().clone();
    let writer = {
        let log = log.clone();
        let out = args.out.clone();
        let opts = opts.clone();
        let every = args.write_every;
        tokio::spawn(async move {
            let mut changes = log.watch();
            let mut written = 0u64;
            while changes.changed().await.is_ok() {
                let n = *changes.borrow_and_update() as u64;
                if n >= written + every {
                    written = n;
                    if let Err(e) = write_suite(&out, &log, &opts) {
                        eprintln!("warning: {e:#}");
                    }
                }
            }
        })
    };
    stopped().await?;
    recorder.shutdown().await;
    writer.abort();
    let cases = write_suite(&args.out, &log, &opts)?;
    println!(
        "recorded {} exchanges into {} ({cases} cases)",
        log.len(),
        args.out.display()
    );
    if let Some(grader) = &grader {
        write_grade(grader, &args.reports)?;
    }
    if let Some(b) = behind {
        b.server.shutdown().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// `serve --grade`: the reference server on a loopback port behind the
/// grading proxy on the requested address; the client report at Ctrl-C.
pub(crate) async fn serve_graded(
    mut config: ServerConfig,
    reports: &[(GradeFormat, PathBuf)],
) -> anyhow::Result<ExitCode> {
    let front = config.addr;
    config.addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = crate::server::start(config)
        .await
        .context("cannot start the SCIM server")?;
    let grader = Arc::new(Grader::new());
    let mut rc = RecorderConfig::new(front, format!("http://{}", server.local_addr()));
    rc.record = false;
    let proxy = record::start(rc, Some(grader.clone())).await?;
    println!("scimulator reference SCIM server (grading clients)");
    println!("  SCIM base URL: {}/scim/v2", proxy.base_url());
    println!("  admin API:     {}/admin", proxy.base_url());
    println!("  admin token:   {}", server.admin_token());
    println!("Press Ctrl-C to stop and print the client report.");
    stopped().await?;
    proxy.shutdown().await;
    write_grade(&grader, reports)?;
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
