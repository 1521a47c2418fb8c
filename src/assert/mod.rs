//! Assertions: status, headers, JSONPath predicates and partial-JSON matching
//! of one response. Pure functions; they report [`Failure`]s, never errors.
//! Schema validation lives in `schema_check` and snapshots in `snapshot`; the
//! runner calls those itself.

mod check;
mod error;
pub mod failure;
mod header;
mod json_match;
mod predicate;
mod pretty;

pub use check::check;
pub use error::AssertError;
pub use failure::{Failure, FailureKind, ResponseView};
pub use predicate::json_eq;
