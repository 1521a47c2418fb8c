//! `scimulator load`: flags → [`crate::load`] parameters, the embedded
//! server as the default target, the reports and the Locust file written,
//! and the exit code (0 verified, 1 a write lost / duplicated / failed, 2
//! usage, 3 the target could not be driven).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use super::embedded::Embedded;
use super::exit;
use crate::load::{self, LoadError, LoadReport, Params, Plan, Scenario, Target, render};

/// Arguments of `scimulator load`.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// The scenario (see --list).
    #[arg(required_unless_present = "list")]
    pub scenario: Option<String>,
    /// List the scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// SCIM base URL (default: the embedded reference server, started in-process).
    #[arg(long, env = "SCIMULATOR_TARGET")]
    pub target: Option<String>,
    /// Bearer token for the target.
    #[arg(long, env = "SCIMULATOR_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Requests per second on the open-model schedule (0 = as fast as --concurrency allows).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Requests in flight at most.
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// How long the scenario is held (entra-cycle, import, read-user), e.g. 30s, 2m, 500ms.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Users provisioned.
    #[arg(long)]
    pub users: Option<usize>,
    /// Groups pushed.
    #[arg(long)]
    pub groups: Option<usize>,
    /// Members per group (member-storm: member changes per group).
    #[arg(long)]
    pub members: Option<usize>,
    /// Report to write (repeatable): json=FILE or html=FILE.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub reports: Vec<(String, PathBuf)>,
    /// Write the scenario as a Locust file instead of running it: --emit locust FILE.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"])]
    pub emit: Vec<String>,
    /// Only verify the outcome of an earlier run (e.g. a Locust run) with the same --run-id and sizes.
    #[arg(long)]
    pub verify: bool,
    /// Names the run's users and groups (load-<run id>-…) [default: random].
    #[arg(long)]
    pub run_id: Option<String>,
    /// Longest total wait on 429s for one request before its write counts as not applied.
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub max_retry_wait: Duration,
    /// Timeout of one request.
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    pub timeout: Duration,
}

fn parse_report(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((f @ ("json" | "html"), path)) if !path.is_empty() => {
            Ok((f.to_owned(), PathBuf::from(path)))
        }
        _ => Err(format!("expected json=FILE or html=FILE, got `{s}`")),
    }
}

/// `30s`, `500ms`, `2m`, `1h` or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("not a duration: `{s}` (e.g. 30s, 500ms, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("unknown unit in `{s}` (ms, s, m, h)")),
    };
    if !secs.is_finite() || !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("duration out of range: `{s}`"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn random_run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

impl LoadArgs {
    fn params(&self, scenario: Scenario) -> Params {
        let d = Params::defaults(scenario);
        Params {
            users: self.users.unwrap_or(d.users),
            groups: self.groups.unwrap_or(d.groups),
            members: self.members.unwrap_or(d.members),
            rate: self.rate.unwrap_or(d.rate),
            concurrency: self.concurrency.unwrap_or(d.concurrency),
            duration: self.duration.unwrap_or(d.duration),
            run_id: self.run_id.clone().unwrap_or_else(random_run_id),
            max_retry_wait: self.max_retry_wait,
            timeout: self.timeout,
        }
    }
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    exit::code(exit::USAGE)
}

/// Runs `scimulator load`.
pub async fn run(args: LoadArgs) -> anyhow::Result<ExitCode> {
    if args.list {
        for s in Scenario::ALL {
            println!("{:<18} {}", s.name(), s.describe());
        }
        return Ok(exit::code(exit::SUCCESS));
    }
    let name = args.scenario.clone().unwrap_or_default();
    let Some(scenario) = Scenario::from_name(&name) else {
        let names: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
        return Ok(usage(format!(
            "unknown scenario `{name}`; one of: {}",
            names.join(", ")
        )));
    };
    let plan = match Plan::build(scenario, args.params(scenario)) {
        Ok(p) => p,
        Err(e) => return Ok(usage(e)),
    };
    if !args.emit.is_empty() {
        let [format, file] = args.emit.as_slice() else {
            return Ok(usage("--emit takes FORMAT FILE"));
        };
        if format != "locust" {
            return Ok(usage(format!(
                "--emit: unknown format `{format}` (only `locust`)"
            )));
        }
        let text = match load::locust::emit(&plan) {
            Ok(t) => t,
            Err(e) => return Ok(usage(e)),
        };
        std::fs::write(file, text).with_context(|| format!("writing {file}"))?;
        println!(
            "wrote {file}: {} (run id {})",
            scenario.name(),
            plan.params.run_id
        );
        println!(
            "verify afterwards with: scimulator load {} --verify --run-id {} --users {} --groups {} --members {} --target URL --token T",
            scenario.name(),
            plan.params.run_id,
            plan.params.users,
            plan.params.groups,
            plan.params.members
        );
        return Ok(exit::code(exit::SUCCESS));
    }
    if args.verify && args.target.is_none() {
        return Ok(usage(
            "--verify needs --target (the server the earlier run wrote to)",
        ));
    }
    let (target, embedded) = match &args.target {
        Some(url) => {
            let token = args.token.clone().unwrap_or_default();
            (
                Target {
                    base: url.clone(),
                    token,
                },
                None,
            )
        }
        None => {
            let e = match Embedded::start().await {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    return Ok(exit::code(exit::RUNTIME));
                }
            };
            (
                Target {
                    base: e.target.clone(),
                    token: e.token.clone(),
                },
                Some(e),
            )
        }
    };
    let result = if args.verify {
        load::verify_only(&plan, &target).await
    } else {
        load::run(&plan, &target).await
    };
    if let Some(e) = embedded {
        e.shutdown().await;
    }
    let report = match result {
        Ok(r) => r,
        Err(e @ LoadError::Params(_)) => return Ok(usage(e)),
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::code(exit::RUNTIME));
        }
    };
    print!("{}", render::console(&report));
    write_reports(&args.reports, &report)?;
    Ok(exit::code(if report.passed() {
        exit::SUCCESS
    } else {
        exit::FAILURES
    }))
}

fn write_reports(reports: &[(String, PathBuf)], report: &LoadReport) -> anyhow::Result<()> {
    for (format, path) in reports {
        let text = if format == "html" {
            render::html(report)
        } else {
            render::json(report)
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("  report: {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_issue_spells_them() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("3 weeks").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
