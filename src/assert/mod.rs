//! Assertions: status, headers, JSONPath predicates and partial-JSON matching
//! of one response. Pure functions; they report [`Failure`]s, never errors.
pub mod failure;
pub use failure::{Failure, FailureKind, ResponseView};
