//! `scimulator import har FILE --out SUITE`: a HAR file through the same
//! generator as `record`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::record::{self, GenerateOptions};

/// What to import.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ImportCommand {
    /// A HAR 1.2 file (browser dev tools, proxies, the hosted validators' exports).
    Har(HarArgs),
}

/// Arguments of `import har`.
#[derive(Debug, Clone, clap::Args)]
pub struct HarArgs {
    /// The HAR file.
    pub file: PathBuf,
    /// The suite file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write `snapshot:` expectations for successful JSON responses.
    #[arg(long)]
    pub snapshot: bool,
    /// Suite title.
    #[arg(long)]
    pub title: Option<String>,
    /// A pause of this many seconds starts a new case.
    #[arg(long, default_value_t = 5)]
    pub gap_secs: u64,
}

/// Runs `import`.
pub fn run(cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Har(args) = cmd;
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            return Ok(super::exit::code(super::exit::USAGE));
        }
    };
    let exchanges = match record::har::parse(
        &args.file.display().to_string(),
        &text,
        record::proxy::DEFAULT_BODY_CAP,
    ) {
        Ok(e) if !e.is_empty() => e,
        Ok(_) => {
            eprintln!(
                "error: {}: the HAR file has no entries",
                args.file.display()
            );
            return Ok(super::exit::code(super::exit::USAGE));
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(super::exit::code(super::exit::USAGE));
        }
    };
    let opts = GenerateOptions {
        title: args
            .title
            .clone()
            .unwrap_or_else(|| format!("Imported from {}", file_name(&args.file))),
        origin: format!("Imported from the HAR file {}", file_name(&args.file)),
        snapshot: args.snapshot,
        gap_ms: args.gap_secs.saturating_mul(1000),
        ..GenerateOptions::default()
    };
    let generated = record::generate(&exchanges, &opts);
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &generated.yaml)?;
    println!(
        "imported {} entries into {} ({} cases)",
        exchanges.len(),
        args.out.display(),
        generated.suite.cases.len()
    );
    for note in &generated.notes {
        println!("  note: {note}");
    }
    Ok(ExitCode::SUCCESS)
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
