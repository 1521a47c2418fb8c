//! `scimulator snapshots review|accept|reject|prune`: insta's review flow for
//! the harness's own `.snap` files. Snapshots belong to a target (see
//! [`crate::snapshot::SnapshotStore`]): `--target URL` picks that target's
//! folder, `--snapshot-dir DIR` any folder; without either, every target's
//! folder under `.scimulator/snapshots/` and a `snapshots/` folder in the
//! working directory (a scimulator checkout's bundled snapshots, or one
//! written by an older scimulator) are used.

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::args::prepare;
use crate::cli::exit;
use crate::runner::PlanOptions;
use crate::snapshot::{self, PendingSnapshot};

/// The `snapshots` subcommands.
#[derive(Debug, Subcommand)]
pub enum SnapshotsCommand {
    /// Show each pending `.snap.new` diff and accept (a), reject (r) or skip (s) it; lists them when not on a terminal.
    Review(PendingArgs),
    /// Accept every pending snapshot.
    Accept(PendingArgs),
    /// Reject (delete) every pending snapshot.
    Reject(PendingArgs),
    /// Delete stored snapshots that no suite references.
    Prune(PruneArgs),
}

/// Which snapshot folders a subcommand works on.
#[derive(Debug, Args)]
pub struct FolderArgs {
    /// The snapshot folder of this target (.scimulator/snapshots/<host>_<port>_<path>/).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// A snapshot folder (as given to `run --snapshot-dir`).
    #[arg(long, value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,
}

impl FolderArgs {
    /// The folders named by the flags, else every default folder that exists.
    fn roots(&self) -> Vec<PathBuf> {
        let mut roots: Vec<PathBuf> = self.snapshot_dir.iter().cloned().collect();
        if let Some(t) = &self.target {
            roots.push(snapshot::per_target_dir(std::path::Path::new(""), t));
        }
        if !roots.is_empty() {
            return roots;
        }
        default_roots()
    }
}

/// Every per-target folder under `.scimulator/snapshots/`, then `snapshots/`, when they exist.
fn default_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Ok(entries) = std::fs::read_dir(snapshot::PER_TARGET_ROOT) {
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        roots.extend(dirs);
    }
    let legacy = PathBuf::from("snapshots");
    if legacy.is_dir() {
        roots.push(legacy);
    }
    roots
}

/// Where pending snapshots are looked for.
#[derive(Debug, Args)]
pub struct PendingArgs {
    /// Snapshot files or directories (default: the --target / --snapshot-dir folder, else every
    /// folder under .scimulator/snapshots/ and ./snapshots/).
    pub paths: Vec<PathBuf>,
    /// Which folders.
    #[command(flatten)]
    pub folders: FolderArgs,
}

/// `prune` arguments.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Suite files or directories whose snapshots are kept (default: the bundled suites).
    pub paths: Vec<PathBuf>,
    /// Which folders.
    #[command(flatten)]
    pub folders: FolderArgs,
    /// Only print what would be deleted.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs a `snapshots` subcommand.
pub fn run(cmd: SnapshotsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SnapshotsCommand::Review(a) => review(&pending_list(&a)?),
        SnapshotsCommand::Accept(a) => {
            let list = pending_list(&a)?;
            for p in &list {
                snapshot::accept(p)?;
                println!("accepted {}", p.snap_path.display());
            }
            println!("{} snapshot(s) accepted", list.len());
            Ok(exit::code(exit::SUCCESS))
        }
        SnapshotsCommand::Reject(a) => {
            let list = pending_list(&a)?;
            for p in &list {
                snapshot::reject(p)?;
                println!("rejected {}", p.new_path.display());
            }
            println!("{} snapshot(s) rejected", list.len());
            Ok(exit::code(exit::SUCCESS))
        }
        SnapshotsCommand::Prune(a) => prune(&a),
    }
}

fn pending_list(a: &PendingArgs) -> anyhow::Result<Vec<PendingSnapshot>> {
    let mut dirs = a.paths.clone();
    if dirs.is_empty() || a.folders.target.is_some() || a.folders.snapshot_dir.is_some() {
        dirs.extend(a.folders.roots());
    }
    Ok(snapshot::pending(&dirs)?)
}

fn review(list: &[PendingSnapshot]) -> anyhow::Result<ExitCode> {
    if list.is_empty() {
        println!("no pending snapshots");
        return Ok(exit::code(exit::SUCCESS));
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !interactive {
        for p in list {
            println!("{}\n{}", p.new_path.display(), p.diff);
        }
        println!(
            "{} pending snapshot(s); not a terminal, so nothing was changed: use `scimulator snapshots accept` or `reject`",
            list.len()
        );
        return Ok(exit::code(exit::SUCCESS));
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let (mut accepted, mut rejected, mut skipped) = (0, 0, 0);
    for p in list {
        println!("\n{}\n{}", p.new_path.display(), p.diff);
        loop {
            print!("[a]ccept, [r]eject, [s]kip? ");
            std::io::stdout().flush()?;
            let Some(line) = lines.next() else {
                skipped += 1;
                break;
            };
            match line?.trim() {
                "a" => {
                    snapshot::accept(p)?;
                    accepted += 1;
                    break;
                }
                "r" => {
                    snapshot::reject(p)?;
                    rejected += 1;
                    break;
                }
                "s" => {
                    skipped += 1;
                    break;
                }
                _ => {}
            }
        }
    }
    println!("{accepted} accepted, {rejected} rejected, {skipped} skipped");
    Ok(exit::code(exit::SUCCESS))
}

fn prune(a: &PruneArgs) -> anyhow::Result<ExitCode> {
    let plan = match prepare(&a.paths, &PlanOptions::default()) {
        Ok(plan) => plan,
        Err(code) => return Ok(code),
    };
    let mut referenced = Vec::new();
    for suite in &plan.suites {
        for case in &suite.cases {
            let requests = case.steps.iter().chain(&case.cleanup);
            for step in requests.flat_map(|s| s.requests()) {
                if let Some(name) = &step.expect.snapshot {
                    referenced.push((suite.source.clone(), case.name.clone(), name.clone()));
                }
            }
        }
    }
    let mut removed = 0;
    for root in a.folders.roots() {
        let keep: BTreeSet<PathBuf> = referenced
            .iter()
            .map(|(suite, case, name)| snapshot::snapshot_path(&root, suite, case, name))
            .collect();
        for path in snapshot::stored(&root.join("suites"))? {
            if keep.contains(&path) {
                continue;
            }
            if a.dry_run {
                println!("would delete {}", path.display());
            } else {
                std::fs::remove_file(&path)
                    .map_err(|e| anyhow::anyhow!("deleting {}: {e}", path.display()))?;
                println!("deleted {}", path.display());
            }
            removed += 1;
        }
    }
    println!("{removed} unreferenced snapshot(s)");
    Ok(exit::code(exit::SUCCESS))
}
