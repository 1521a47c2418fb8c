//! Errors of the filter parser.

use thiserror::Error;

/// A filter could not be parsed. The server maps it to `400 invalidFilter`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid filter at byte {position}: {message}")]
pub struct FilterError {
    /// Byte offset into the filter string where the problem was found.
    pub position: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl FilterError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }

    /// The RFC 7644 §3.12 `scimType` for this error: always `invalidFilter`.
    pub fn scim_type(&self) -> &'static str {
        "invalidFilter"
    }
}
