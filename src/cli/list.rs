//! `scimulator list`: suites, cases, tags and severities. A suite that does
//! not load or whose IdP actions do not expand is reported as by `run` and
//! `validate` (exit 2); the lint is `validate`'s, since variables a run
//! supplies with `--var` would count as undefined here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::cli::args::prepare;
use crate::cli::exit;
use crate::runner::{Plan, PlanOptions};
use crate::suite::model::Severity;

/// Arguments of `scimulator list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Suite files or directories (default: the bundled suites).
    pub paths: Vec<PathBuf>,
}

/// Runs `scimulator list`.
pub fn run(args: &ListArgs) -> ExitCode {
    match prepare(&args.paths, &PlanOptions::default()) {
        Ok(plan) => {
            print!("{}", render(&plan));
            exit::code(exit::SUCCESS)
        }
        Err(code) => code,
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Required => "required",
        Severity::Recommended => "recommended",
        Severity::Advisory => "advisory",
    }
}

/// The listing text.
pub(crate) fn render(plan: &Plan) -> String {
    let mut out = String::new();
    for s in &plan.suites {
        let tags = if s.tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", s.tags.join(", "))
        };
        out.push_str(&format!("{} — {}{tags}\n", s.source, s.title));
        for c in &s.cases {
            let tags = if c.tags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", c.tags.join(", "))
            };
            out.push_str(&format!(
                "    {:<11} {}{tags}\n",
                severity(c.severity),
                c.name
            ));
        }
    }
    out
}
