//! Command-line interface: clap definitions and the mapping from arguments
//! to library options. Nothing else in the crate depends on this module.

use std::process::ExitCode;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
