//! Command-line interface: clap definitions and the mapping from arguments
//! to library options (`run`, `serve`, `validate`, `list`, `snapshots`,
//! `load`).
//! Nothing else in the crate depends on this module; it is the only place
//! that uses `anyhow` and prints.

mod args;
mod embedded;
pub mod exit;
mod import;
mod list;
mod load;
mod record;
mod run;
mod serve;
mod snapshots;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// SCIM 2.0 conformance harness, mock identity provider and reference SCIM server.
#[derive(Debug, Parser)]
#[command(name = "scimulator", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run suites against a SCIM server (the embedded reference server when no --target is given).
    Run(Box<run::RunArgs>),
    /// Run the reference SCIM server until Ctrl-C.
    Serve(serve::ServeArgs),
    /// Load and lint suites without sending anything.
    Validate(validate::ValidateArgs),
    /// List suites, cases, tags and severities.
    List(list::ListArgs),
    /// Replay an IdP's load shape against a target, then verify nothing was lost.
    Load(Box<load::LoadArgs>),
    /// Review, accept, reject or prune stored snapshots.
    #[command(subcommand)]
    Snapshots(snapshots::SnapshotsCommand),
    /// Record an IdP's traffic through a proxy and write it as a replayable suite.
    Record(Box<record::RecordArgs>),
    /// Turn recorded traffic (HAR) into a replayable suite.
    #[command(subcommand)]
    Import(import::ImportCommand),
}

/// Entry point of the binary: parses arguments, runs, maps to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return exit::code(u8::try_from(e.exit_code()).unwrap_or(exit::USAGE));
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return exit::code(exit::RUNTIME);
        }
    };
    let result = runtime.block_on(dispatch(cli));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::code(exit::RUNTIME)
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(*args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Validate(args) => Ok(validate::run(&args)),
        Command::List(args) => Ok(list::run(&args)),
        Command::Snapshots(cmd) => snapshots::run(cmd),
        Command::Record(args) => record::run(*args).await,
        Command::Import(cmd) => import::run(cmd),
        Command::Load(args) => load::run(*args).await,
    }
}
