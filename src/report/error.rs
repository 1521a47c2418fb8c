//! Report errors: writing files, serialising.

use std::path::{Path, PathBuf};

/// A report could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Creating a directory or writing a file failed.
    #[error("writing report {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Serialising the report failed.
    #[error("serialising the {format} report: {message}")]
    Serialize {
        /// `junit` or `json`.
        format: &'static str,
        /// The cause.
        message: String,
    },
}

impl ReportError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}
