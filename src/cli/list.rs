//! `scimulator list`: suites, cases, tags and severities. A suite that does
//! not load or whose IdP actions do not expand is reported as by `run` and
//! `validate` (exit 2); the lint is `validate`'s, since variables a run
//! supplies with `--var` would count as undefined here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::cli::args::{prepare, profile_file};
use crate::cli::exit;
use crate::runner::{Plan, PlanOptions};
use crate::suite::model::Severity;

/// Arguments of `scimulator list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Suite files or directories (default: the bundled suites).
    pub paths: Vec<PathBuf>,
    /// List the IdP profiles `--idp` accepts instead: what each imitates and where its habits come from.
    #[arg(long)]
    pub profiles: bool,
    /// A profile file (as `run --idp-file`): IdP-neutral suites expand under it.
    #[arg(long, value_name = "FILE", conflicts_with = "profiles")]
    pub idp_file: Option<PathBuf>,
}

/// Runs `scimulator list`.
pub fn run(args: &ListArgs) -> ExitCode {
    if args.profiles {
        return match profiles() {
            Ok(text) => {
                print!("{text}");
                exit::code(exit::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit::code(exit::USAGE)
            }
        };
    }
    let opts = match profile_file(args.idp_file.as_ref()) {
        Ok(profile_file) => PlanOptions {
            profile_file,
            ..PlanOptions::default()
        },
        Err(code) => return code,
    };
    match prepare(&args.paths, &opts) {
        Ok(plan) => {
            print!("{}", render(&plan));
            exit::code(exit::SUCCESS)
        }
        Err(code) => code,
    }
}

/// Every profile in the shared vocabulary: name, what it imitates, sources.
fn profiles() -> Result<String, crate::idp::ExpandError> {
    let mut out = String::new();
    for p in crate::suite::model::Profile::ALL {
        let spec = crate::idp::profile::describe(p)?;
        let kind = if p.is_data() { "data" } else { "code" };
        out.push_str(&format!("{} ({kind}) — {}\n", spec.name, spec.imitates));
        for source in &spec.sources {
            out.push_str(&format!("    {source}\n"));
        }
    }
    Ok(out)
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
