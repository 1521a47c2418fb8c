//! `scimulator validate`: load and lint suites (and expand IdP actions), send nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::cli::args::{prepare, profile_file};
use crate::cli::exit;
use crate::runner::PlanOptions;

/// Arguments of `scimulator validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Suite files or directories (default: the bundled suites).
    pub paths: Vec<PathBuf>,
    /// Variable names supplied at run time with --var/--secret (so they count as defined).
    #[arg(long = "var", value_name = "NAME")]
    pub vars: Vec<String>,
    /// A profile file (as `run --idp-file`): IdP-neutral suites expand under it.
    #[arg(long, value_name = "FILE")]
    pub idp_file: Option<PathBuf>,
}

/// Runs `scimulator validate`; prints every error; exit 2 on any.
pub fn run(args: &ValidateArgs) -> ExitCode {
    let names: Vec<String> = args
        .vars
        .iter()
        .map(|v| v.split('=').next().unwrap_or(v).to_owned())
        .collect();
    let profile_file = match profile_file(args.idp_file.as_ref()) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let opts = PlanOptions {
        lint: Some(names),
        profile_file,
        ..PlanOptions::default()
    };
    match prepare(&args.paths, &opts) {
        Ok(plan) => {
            println!("{} suites, {} cases: OK", plan.suites.len(), plan.cases());
            exit::code(exit::SUCCESS)
        }
        Err(code) => code,
    }
}
