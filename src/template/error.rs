//! Template errors.

use thiserror::Error;

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    /// `{{ name }}` names no variable and no built-in.
    #[error("undefined variable `{name}`")]
    Undefined {
        /// The variable (or dotted path) that was not found.
        name: String,
    },
    /// `{{ env("X") }}` but `X` is not set.
    #[error("environment variable `{name}` is not set")]
    EnvUnset {
        /// The environment variable.
        name: String,
    },
    /// The template text is malformed (unclosed `{{`, empty expression, bad call).
    #[error("bad template `{template}`: {message}")]
    Syntax {
        /// The offending template text.
        template: String,
        /// What is wrong.
        message: String,
    },
}
