//! Errors of the assertion helpers (bad JSONPath, bad regex).

use thiserror::Error;

/// A check that could not even be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssertError {
    /// The JSONPath expression does not parse.
    #[error(transparent)]
    JsonPath(#[from] crate::jsonpath::JsonPathError),
    /// The regular expression does not compile.
    #[error("invalid regex `{regex}`: {message}")]
    Regex {
        /// The expression.
        regex: String,
        /// The compiler's message.
        message: String,
    },
}
