//! The `scimulator` binary: parse the command line, run, map to an exit code.

use std::process::ExitCode;

/// The reference server allocates on every request from two or more tokio
/// workers; glibc's allocator serialises cross-thread frees on arena locks
/// (a third of the server's time under load in `perf`), mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    scimulator::cli::main()
}
