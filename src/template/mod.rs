//! Templating: `{{ name }}` substitution in strings and JSON values, the
//! variable [`Scope`] (public and secret values plus built-ins such as
//! `uuid`, `now`, `random(n)`, `env("X")` and `unique.*`) and the
//! [`Redactor`] that hides secrets in output. Pure apart from the clock,
//! randomness and environment reads of the built-ins; it never performs I/O
//! and never imports the runner.

mod error;
mod functions;
mod redact;
mod render;
mod scope;

pub use error::TemplateError;
pub use redact::Redactor;
pub use render::{referenced_vars, render_str, render_value};
pub use scope::Scope;
