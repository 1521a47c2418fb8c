//! `scimulator validate`: load and lint suites (and expand IdP actions), send nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::cli::args::{prepare, suite_errors};
use crate::cli::exit;

/// Arguments of `scimulator validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Suite files or directories (default: the bundled suites).
    pub paths: Vec<PathBuf>,
    /// Variable names supplied at run time with --var/--secret (so they count as defined).
    #[arg(long = "var", value_name = "NAME")]
    pub vars: Vec<String>,
}

/// Runs `scimulator validate`; prints every error; exit 2 on any.
pub fn run(args: &ValidateArgs) -> ExitCode {
    let names: Vec<String> = args
        .vars
        .iter()
        .map(|v| v.split('=').next().unwrap_or(v).to_owned())
        .collect();
    match prepare(&args.paths, Some(&names), None) {
        Ok(suites) => {
            let cases: usize = suites.iter().map(|s| s.cases.len()).sum();
            println!("{} suites, {cases} cases: OK", suites.len());
            exit::code(exit::SUCCESS)
        }
        Err(errors) => suite_errors(&errors),
    }
}
