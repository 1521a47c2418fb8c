//! Harness errors: the run could not do what a step asked (connection refused,
//! undefined variable, unreadable snapshot, a target that stopped answering).
//! Test failures are not errors.

use serde::{Deserialize, Serialize};

/// What kind of harness error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunErrorKind {
    /// The target could not be reached (DNS, connect refused, TLS).
    Unreachable,
    /// The request timed out.
    Timeout,
    /// A response body was larger than the cap (`--max-body`).
    TooLarge,
    /// The target kept answering `429` after the whole 429 policy.
    Throttled,
    /// The run's deadline passed (`--deadline`).
    Deadline,
    /// Any other transport error.
    Http,
    /// A template could not be rendered (undefined variable, bad function).
    Template,
    /// A step is malformed at run time (bad URL, bad header, bad JSONPath).
    Step,
    /// Reading or writing a file failed (snapshots).
    Io,
    /// IdP expansion failed.
    Plan,
}

/// A harness error with a human message (already naming the path, URL or variable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct RunError {
    /// The kind, which decides the exit code.
    pub kind: RunErrorKind,
    /// What went wrong and what to fix.
    pub message: String,
}

impl RunError {
    /// A new error.
    pub fn new(kind: RunErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Maps a transport error, naming the URL.
    pub(crate) fn from_reqwest(url: &str, err: &reqwest::Error) -> Self {
        let kind = if err.is_timeout() {
            RunErrorKind::Timeout
        } else if err.is_connect() {
            RunErrorKind::Unreachable
        } else {
            RunErrorKind::Http
        };
        let mut message = format!("{url}: {err}");
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        Self::new(kind, message)
    }
}
