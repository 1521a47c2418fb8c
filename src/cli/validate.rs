//! `scimulator validate`: load and lint suites (and expand IdP actions), send nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::cli::args::load;
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
    let suites = match load(&args.paths) {
        Ok(s) => s,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("{} error(s)", errors.len());
            return exit::code(exit::USAGE);
        }
    };
    let names: Vec<String> = args
        .vars
        .iter()
        .map(|v| v.split('=').next().unwrap_or(v).to_owned())
        .collect();
    let mut errors: Vec<String> = crate::suite::validate_with_vars(&suites, &names)
        .iter()
        .map(ToString::to_string)
        .collect();
    for suite in &suites {
        if let Err(e) = crate::idp::expand_suite(suite, None) {
            errors.push(e.to_string());
        }
    }
    if errors.is_empty() {
        let cases: usize = suites.iter().map(|s| s.cases.len()).sum();
        println!("{} suites, {cases} cases: OK", suites.len());
        exit::code(exit::SUCCESS)
    } else {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!("{} error(s)", errors.len());
        exit::code(exit::USAGE)
    }
}
