//! The exit codes of `scimulator` (a public contract, documented in the README).
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | every selected case passed (or was skipped) |
//! | 1 | at least one case failed at or above `--fail-on` severity |
//! | 2 | usage or suite error: bad flags, invalid YAML, unknown matcher |
//! | 3 | harness or runtime error: the pre-flight stopped the run, the target is unreachable or stopped answering (circuit breaker), the run deadline passed, a case errored, report I/O |

use std::process::ExitCode;

/// Every selected case passed.
pub const SUCCESS: u8 = 0;
/// At least one case failed (at or above `--fail-on`).
pub const FAILURES: u8 = 1;
/// Usage or suite error.
pub const USAGE: u8 = 2;
/// Harness or runtime error.
pub const RUNTIME: u8 = 3;

/// `code` as an [`ExitCode`].
pub fn code(code: u8) -> ExitCode {
    ExitCode::from(code)
}
