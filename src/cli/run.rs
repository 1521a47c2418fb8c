//! `scimulator run`: arguments → `RunOptions` + `ReportOptions`, the embedded
//! server when no `--target` is given, the pre-flight when one is, the
//! console reporter, report files and the exit code.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::cli::args::{parse_basic, parse_header, parse_report, parse_var, prepare};
use crate::cli::embedded::Embedded;
use crate::cli::exit;
use crate::report::baseline::Baseline;
use crate::report::gate::{Gate, GateOutcome};
use crate::report::progress;
use crate::report::{ConsoleReporter, ReportContext, ReportFormat, ReportOptions};
use crate::runner::{Credentials, OAuthSettings, OAuthSource, PlanOptions, RunOptions};
use crate::snapshot::SnapshotMode;
use crate::suite::model::Severity;

/// Arguments of `scimulator run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Suite files or directories (default: the bundled suites).
    pub paths: Vec<PathBuf>,
    /// SCIM base URL, e.g. https://app.example.com/scim/v2 (default: the embedded reference server).
    #[arg(long, env = "SCIMULATOR_TARGET")]
    pub target: Option<String>,
    /// Bearer token for the target.
    #[arg(long, env = "SCIMULATOR_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// A token the target has revoked (cases needing one are skipped without it).
    #[arg(long, value_name = "T")]
    pub revoked_token: Option<String>,
    /// OAuth 2.0 token endpoint: the bearer token comes from the client-credentials
    /// grant (RFC 6749 §4.4), refreshed when it expires or is refused (instead of --token).
    #[arg(long, value_name = "URL", env = "SCIMULATOR_OAUTH_TOKEN_URL")]
    pub oauth_token_url: Option<String>,
    /// OAuth client id (with --oauth-token-url).
    #[arg(long, value_name = "ID", env = "SCIMULATOR_CLIENT_ID")]
    pub client_id: Option<String>,
    /// OAuth client secret (with --oauth-token-url); redacted in every output.
    #[arg(
        long,
        value_name = "SECRET",
        env = "SCIMULATOR_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,
    /// OAuth scopes to ask for, space-separated (with --oauth-token-url).
    #[arg(long, value_name = "SCOPES", env = "SCIMULATOR_OAUTH_SCOPE")]
    pub scope: Option<String>,
    /// SCIM base URL of a second tenant of the same service (suites/security tenant
    /// isolation; the variable `second_target`).
    #[arg(long, value_name = "URL", env = "SCIMULATOR_SECOND_TARGET")]
    pub second_target: Option<String>,
    /// Bearer token of the second tenant (the secret variable `second_token`).
    #[arg(
        long,
        value_name = "T",
        env = "SCIMULATOR_SECOND_TOKEN",
        hide_env_values = true
    )]
    pub second_token: Option<String>,
    /// A token of the target that has expired (the secret variable `expired_token`).
    #[arg(long, value_name = "T")]
    pub expired_token: Option<String>,
    /// A valid token of the target lacking the scope SCIM needs (the secret variable `unscoped_token`).
    #[arg(long, value_name = "T")]
    pub unscoped_token: Option<String>,
    /// HTTP Basic credentials instead of a bearer token (takes precedence over --token).
    #[arg(long, value_name = "USER:PASS", value_parser = parse_basic)]
    pub basic: Option<(String, String)>,
    /// Extra header sent with every request (repeatable).
    #[arg(long = "header", value_name = "'K: V'", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// IdP profile overriding each suite's default; `all` runs every IdP-neutral
    /// suite (one written with `idp.*` actions) under every profile.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(
        crate::suite::model::Profile::NAMES.iter().copied().chain([crate::runner::ALL_PROFILES])
    ))]
    pub idp: Option<String>,
    /// A profile file (YAML, the vocabulary of `profiles/*.yaml`) that `idp.*` actions use.
    #[arg(long, value_name = "FILE", conflicts_with = "idp")]
    pub idp_file: Option<PathBuf>,
    /// Only cases with this tag (suite or case tags; repeatable, any matches).
    #[arg(long = "tag", value_name = "T")]
    pub tags: Vec<String>,
    /// Only cases whose `<suite file> › <case name>` contains EXPR (case-insensitive).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// A variable for the templates (repeatable).
    #[arg(long = "var", value_name = "k=v", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// A secret variable, redacted in every output (repeatable).
    #[arg(long = "secret", value_name = "k=v", value_parser = parse_var)]
    pub secrets: Vec<(String, String)>,
    /// Snapshot update mode (auto: `no` when CI is set, else `new`).
    #[arg(long, value_enum, default_value = "auto")]
    pub snapshots: SnapshotArg,
    /// Directory of stored snapshots (default: .scimulator/snapshots/<host>_<port>_<path>/
    /// for a target; the bundled snapshots for the embedded server).
    #[arg(long, value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,
    /// Make snapshot drift (a response that differs from its stored snapshot) fail the run (exit 1).
    #[arg(long)]
    pub fail_on_drift: bool,
    /// Report to write (repeatable): junit=FILE, json=FILE, html=FILE, markdown=FILE or badge=FILE
    /// (default: reports/junit.xml and reports/report.json).
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub reports: Vec<(ReportFormat, PathBuf)>,
    /// Lowest severity whose failures make the exit code 1.
    #[arg(long, value_enum, default_value = "recommended")]
    pub fail_on: FailOn,
    /// A baseline of known failures (YAML or JSON): they are reported as `known` and do not fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current failures as a starting baseline (YAML, or JSON for `.json`).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Stop starting new cases after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Suites run in parallel (cases of a suite always run in order). Every
    /// bundled case holds on a server with other data and other traffic, so
    /// the verdicts are those of `--jobs 1`, only sooner.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Do not check every response against the target's own /Schemas.
    #[arg(long)]
    pub no_schema_audit: bool,
    /// Do not probe the target before the suites (GET /ServiceProviderConfig and /Users?count=1).
    #[arg(long)]
    pub no_preflight: bool,
    /// Largest response body read (e.g. 16MiB, 512KiB, 100000); a larger one errors the step.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = parse_size)]
    pub max_body: usize,
    /// Timeout of one request, body included (e.g. 30s, 2m).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Longest one request waits in all on 429 Too Many Requests before giving up.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub max_throttle_wait: Duration,
    /// The whole run ends by then: remaining cases error, reports are still written (e.g. 20m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration)]
    pub deadline: Duration,
    /// Do not write every declared writable User/Group attribute and read it back
    /// (the `schema-round-trip` case; it creates and deletes one user and one group).
    #[arg(long)]
    pub no_round_trip: bool,
}

/// `--snapshots`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SnapshotArg {
    /// `no` on CI, else `new`.
    Auto,
    /// Record missing snapshots and write `.snap.new` for drift.
    New,
    /// Record missing snapshots and overwrite drifted ones.
    Always,
    /// Write and delete nothing: a missing snapshot skips its check.
    No,
}

impl From<SnapshotArg> for SnapshotMode {
    fn from(a: SnapshotArg) -> Self {
        match a {
            SnapshotArg::Auto => Self::Auto,
            SnapshotArg::New => Self::New,
            SnapshotArg::Always => Self::Always,
            SnapshotArg::No => Self::No,
        }
    }
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only failures of required cases.
    Required,
    /// Failures of recommended and required cases.
    Recommended,
    /// Every failure.
    Advisory,
}

impl FailOn {
    fn threshold(self) -> Severity {
        match self {
            Self::Required => Severity::Required,
            Self::Recommended => Severity::Recommended,
            Self::Advisory => Severity::Advisory,
        }
    }
}

/// The security pack's variables from their flags: (public, secret).
type Vars = Vec<(String, String)>;
fn security_vars(args: &RunArgs) -> (Vars, Vars) {
    let mut public = Vec::new();
    let mut secret = Vec::new();
    if let Some(t) = &args.second_target {
        public.push((
            "second_target".to_owned(),
            t.trim_end_matches('/').to_owned(),
        ));
    }
    for (name, value) in [
        ("second_token", &args.second_token),
        ("expired_token", &args.expired_token),
        ("unscoped_token", &args.unscoped_token),
    ] {
        if let Some(v) = value {
            secret.push((name.to_owned(), v.clone()));
        }
    }
    (public, secret)
}

/// The OAuth settings from `--oauth-token-url` and friends, or a usage error.
fn oauth_settings(args: &RunArgs) -> Result<Option<OAuthSettings>, String> {
    let Some(url) = &args.oauth_token_url else {
        if args.client_id.is_some() || args.client_secret.is_some() || args.scope.is_some() {
            return Err("--client-id, --client-secret and --scope need --oauth-token-url".into());
        }
        return Ok(None);
    };
    if args.target.is_none() {
        return Err("--oauth-token-url needs --target (the embedded server uses its own)".into());
    }
    if args.token.is_some() || args.basic.is_some() {
        return Err("--oauth-token-url replaces --token and --basic: give one of them".into());
    }
    let (Some(client_id), Some(client_secret)) = (&args.client_id, &args.client_secret) else {
        return Err("--oauth-token-url needs --client-id and --client-secret".into());
    };
    Ok(Some(OAuthSettings {
        token_url: url.clone(),
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        scope: args.scope.clone(),
    }))
}

/// Runs `scimulator run`.
pub async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let baseline = match &args.baseline {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some((path.display().to_string(), b)),
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(exit::code(exit::USAGE));
            }
        },
        None => None,
    };
    let oauth = match oauth_settings(&args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(exit::code(exit::USAGE));
        }
    };
    let plan = match plan(&args) {
        Ok(plan) => plan,
        Err(code) => return Ok(code),
    };
    let profiles = plan
        .suites
        .iter()
        .map(|s| (s.source.clone(), s.profile.clone()))
        .collect();
    let mut opts = run_options(&args);
    if let Some(message) = snapshot_dir_conflict(&args) {
        eprintln!("error: {message}");
        return Ok(exit::code(exit::USAGE));
    }
    let embedded = connect(&args, &mut opts, oauth).await?;
    if embedded.is_none() && !args.no_preflight && !preflight(&opts).await {
        return Ok(exit::code(exit::RUNTIME));
    }

    let mut console = ConsoleReporter::new(
        std::io::stdout(),
        ConsoleReporter::<std::io::Stdout>::stdout_wants_color(),
        opts.secrets(),
    )
    .with_progress(progress::wanted())
    .gated();
    let outcome = crate::runner::run_plan(plan, &opts, &mut console).await;
    if let Some(server) = embedded {
        server.shutdown().await;
    }
    let report = match outcome {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::code(exit::RUNTIME));
        }
    };
    // The gate, computed once from the report: the console's closing lines,
    // every file report and the exit code below all read this one.
    let gate = Gate::of_report(
        &report,
        args.fail_on.threshold(),
        baseline.as_ref().map(|(p, b)| (p.as_str(), b)),
        time::OffsetDateTime::now_utc().date(),
    )
    .with_fail_on_drift(args.fail_on_drift);
    console.close(&report, &gate);
    let ctx = ReportContext {
        gate,
        profiles,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    // Tokens issued during the run are secrets too: read them after it.
    if let Err(code) = write_outputs(&args, &report, &ctx, &opts, baseline.as_ref()) {
        return Ok(code);
    }
    Ok(exit::code(match ctx.gate.outcome() {
        GateOutcome::Passed => exit::SUCCESS,
        GateOutcome::Failed => exit::FAILURES,
        GateOutcome::Errored => exit::RUNTIME,
    }))
}

/// Loads, lints, expands IdP actions and selects cases as `validate` and
/// `list` do: a suite error exits 2 before anything starts or is sent.
fn plan(args: &RunArgs) -> Result<crate::runner::Plan, ExitCode> {
    let (security_vars, security_secrets) = security_vars(args);
    let extra: Vec<String> = args
        .vars
        .iter()
        .chain(args.secrets.iter())
        .chain(security_vars.iter())
        .chain(security_secrets.iter())
        .map(|(k, _)| k.clone())
        .collect();
    let profile_file = crate::cli::args::profile_file(args.idp_file.as_ref())?;
    let plan_opts = PlanOptions {
        lint: Some(extra),
        idp: args.idp.clone(),
        tags: args.tags.clone(),
        filter: args.filter.clone(),
        profile_file,
    };
    prepare(&args.paths, &plan_opts)
}

/// The run's options from its flags (the target and credentials are set by
/// [`connect`]).
fn run_options(args: &RunArgs) -> RunOptions {
    // `all` and `--idp-file` are expanded in the plan; the runner only
    // needs a single profile name.
    let run_idp = args
        .idp
        .clone()
        .filter(|p| p != crate::runner::ALL_PROFILES);
    let mut opts = RunOptions {
        headers: args.headers.clone(),
        idp: run_idp,
        tags: args.tags.clone(),
        filter: args.filter.clone(),
        vars: args.vars.clone(),
        secret_vars: args.secrets.clone(),
        snapshot_mode: args.snapshots.into(),
        snapshot_dir: args.snapshot_dir.clone(),
        fail_fast: args.fail_fast,
        jobs: usize::from(args.jobs),
        audit_declared_schemas: !args.no_schema_audit,
        max_body: args.max_body,
        request_timeout: args.request_timeout,
        deadline: args.deadline,
        round_trip: !args.no_round_trip,
        ..RunOptions::default()
    };
    opts.throttle.max_wait = args.max_throttle_wait;
    opts.throttle.max_total_wait = args.max_throttle_wait;
    opts
}

/// Points `opts` at `--target` with its credentials, or starts the embedded
/// reference server (two tenants, OAuth) and returns it.
async fn connect(
    args: &RunArgs,
    opts: &mut RunOptions,
    oauth: Option<OAuthSettings>,
) -> anyhow::Result<Option<Embedded>> {
    let Some(target) = &args.target else {
        let server = Embedded::start().await?;
        opts.target = server.target.clone();
        opts.credentials = Credentials::Bearer(server.token.clone());
        opts.revoked_token = Some(server.revoked_token.clone());
        opts.reference_server = true;
        server.security_vars(opts);
        opts.oauth = Some(Arc::new(OAuthSource::new(
            server.oauth.clone(),
            args.request_timeout,
        )?));
        return Ok(Some(server));
    };
    let (security_vars, security_secrets) = security_vars(args);
    opts.target = target.clone();
    opts.credentials = match (&args.basic, &args.token) {
        (Some((user, password)), _) => Credentials::Basic {
            user: user.clone(),
            password: password.clone(),
        },
        (None, Some(t)) => Credentials::Bearer(t.clone()),
        (None, None) => Credentials::None,
    };
    opts.revoked_token = args.revoked_token.clone();
    opts.vars.extend(security_vars);
    opts.secret_vars.extend(security_secrets);
    if let Some(settings) = oauth {
        opts.oauth = Some(Arc::new(OAuthSource::new(settings, args.request_timeout)?));
    }
    Ok(None)
}

/// The pre-flight against `--target`; false (after saying why) when the
/// target is not a SCIM endpoint.
async fn preflight(opts: &RunOptions) -> bool {
    let redactor = crate::template::Redactor::new(opts.secrets());
    match crate::runner::preflight(opts).await {
        Ok(info) => {
            eprintln!("Pre-flight passed: {}", info.probes.join("; "));
            for note in &info.notes {
                eprintln!("Pre-flight note: {note}");
            }
            true
        }
        Err(e) => {
            eprintln!(
                "error: pre-flight: {}\n(no suite was run; skip this check with --no-preflight)",
                redactor.redact(&e.to_string())
            );
            false
        }
    }
}

/// The report files, `$GITHUB_STEP_SUMMARY` and `--write-baseline`.
fn write_outputs(
    args: &RunArgs,
    report: &crate::runner::RunReport,
    ctx: &ReportContext,
    opts: &RunOptions,
    baseline: Option<&(String, Baseline)>,
) -> Result<(), ExitCode> {
    let outputs = if args.reports.is_empty() {
        ReportOptions::defaults_in(std::path::Path::new("reports"))
    } else {
        args.reports.clone()
    };
    let secrets = opts.secrets();
    let redactor = crate::template::Redactor::new(secrets.clone());
    let summary = crate::report::markdown::to_markdown(report, ctx, &redactor);
    let report_opts = ReportOptions { outputs, secrets };
    if let Err(e) = crate::report::write_files(report, &report_opts, ctx, &summary) {
        eprintln!("error: {e}");
        return Err(exit::code(exit::RUNTIME));
    }
    if let Err(e) = crate::report::append_step_summary(&summary) {
        eprintln!("warning: {e}");
    }
    if let Some(path) = &args.write_baseline {
        let written = Baseline::from_failures(report, baseline.map(|(_, b)| b));
        if let Err(e) = written.write(path) {
            eprintln!("error: {e}");
            return Err(exit::code(exit::RUNTIME));
        }
        eprintln!(
            "Wrote baseline {} ({} failing case{}): give each entry a reason before committing it",
            path.display(),
            written.entries.len(),
            if written.entries.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// Refuses `--snapshot-dir` naming the bundled snapshots of a scimulator
/// checkout for a run against another target: they hold the reference
/// server's responses and must never be overwritten by a foreign server's.
fn snapshot_dir_conflict(args: &RunArgs) -> Option<String> {
    let dir = args.snapshot_dir.as_ref()?;
    args.target.as_ref()?;
    let bundled = crate::snapshot::checkout_snapshots(std::path::Path::new("."))?;
    let same = |a: &std::path::Path, b: &std::path::Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b);
    same(dir, &bundled).then(|| {
        format!(
            "--snapshot-dir {} holds scimulator's bundled snapshots of its reference server; \
             a run against --target records its own (default: {})",
            dir.display(),
            crate::snapshot::PER_TARGET_ROOT
        )
    })
}

/// `--max-body`: bytes, or a number with `KiB`/`MiB`/`GiB` (also `K`, `M`,
/// `G`, binary) or `KB`/`MB`/`GB` (decimal); case-insensitive.
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("expected a size like 16MiB, 512KiB or 100000, got `{s}`"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{s}` (use KiB, MiB or GiB)"
            ));
        }
    };
    let bytes = n
        .checked_mul(factor)
        .and_then(|b| usize::try_from(b).ok())
        .ok_or_else(|| format!("`{s}` is too large"))?;
    if bytes == 0 {
        return Err("the size must be more than 0".to_owned());
    }
    Ok(bytes)
}

/// `--request-timeout`, `--deadline`, `--max-throttle-wait`: a number with
/// `ms`, `s`, `m` or `h` (seconds without a unit).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("expected a duration like 30s, 20m or 1h, got `{s}`"))?;
    let d = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "" | "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        other => {
            return Err(format!(
                "unknown duration unit `{other}` in `{s}` (use ms, s, m or h)"
            ));
        }
    };
    if d.is_zero() {
        return Err("the duration must be more than 0".to_owned());
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        assert_eq!(parse_size("16MiB"), Ok(16 * 1024 * 1024));
        assert_eq!(parse_size("512kib"), Ok(512 * 1024));
        assert_eq!(parse_size("1MB"), Ok(1_000_000));
        assert_eq!(parse_size("100000"), Ok(100_000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("20m"), Ok(Duration::from_secs(1200)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 days").is_err());
    }

    #[test]
    fn the_flag_defaults_are_the_library_defaults() {
        use crate::runner::{
            DEFAULT_DEADLINE, DEFAULT_MAX_BODY, DEFAULT_MAX_THROTTLE_WAIT, DEFAULT_REQUEST_TIMEOUT,
        };
        assert_eq!(parse_size("16MiB"), Ok(DEFAULT_MAX_BODY));
        assert_eq!(parse_duration("30s"), Ok(DEFAULT_REQUEST_TIMEOUT));
        assert_eq!(parse_duration("30s"), Ok(DEFAULT_MAX_THROTTLE_WAIT));
        assert_eq!(parse_duration("30m"), Ok(DEFAULT_DEADLINE));
    }

    fn jobs(argv: &[&str]) -> u16 {
        match crate::cli::Cli::try_parse_from(argv).map(|c| c.command) {
            Ok(crate::cli::Command::Run(args)) => args.jobs,
            other => panic!("`{argv:?}` parses as a run: {other:?}"),
        }
    }

    #[test]
    fn four_suites_run_in_parallel_unless_asked_otherwise() {
        assert_eq!(jobs(&["scimulator", "run"]), 4);
        assert_eq!(jobs(&["scimulator", "run", "--jobs", "1"]), 1);
        assert!(crate::cli::Cli::try_parse_from(["scimulator", "run", "--jobs", "0"]).is_err());
    }
}
