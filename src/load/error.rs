//! Typed errors of `load`: what stops a load run before or while it drives
//! the target. Verification findings are not errors; they are
//! [`super::verify::Finding`]s in the report.

use thiserror::Error;

/// Why a load run could not drive the target (exit code 3 in the CLI) or
/// could not start (bad parameters: exit code 2).
#[derive(Debug, Error)]
pub enum LoadError {
    /// The parameters make no sense (zero users, a concurrency of 0…).
    #[error("invalid load parameters: {0}")]
    Params(String),
    /// The HTTP client could not be built.
    #[error("building the HTTP client: {0}")]
    Client(String),
    /// The target did not answer the pre-flight like a SCIM endpoint.
    #[error("the target cannot be driven: {0}")]
    Unreachable(String),
    /// The outcome could not be read back (the verification itself failed).
    #[error("the outcome could not be verified: {0}")]
    Unverifiable(String),
    /// Writing a report or the Locust file failed.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}
