//! RFC 7644 §3.4.2.2 filter language: parser and evaluator. Pure functions
//! on `&str` and `serde_json::Value`; no HTTP or store types. The server maps
//! a [`FilterError`] to `400 invalidFilter`.
//!
//! # Grammar
//!
//! A hand-written recursive-descent parser over this grammar (RFC 7644
//! Figure 1, with the precedence `not` > `and` > `or` made explicit).
//! Keywords, operators and attribute names are case-insensitive; any
//! whitespace separates tokens.
//!
//! ```text
//! filter     = orExpr
//! orExpr     = andExpr *("or" andExpr)
//! andExpr    = unary *("and" unary)
//! unary      = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath
//! valuePath  = attrPath "[" valFilter "]"          ; valFilter = filter without valuePath
//! attrExp    = attrPath "pr" / attrPath compareOp compValue
//! compareOp  = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "ge" / "lt" / "le"
//! compValue  = "false" / "null" / "true" / number / string   ; JSON literals, JSON escapes
//! attrPath   = [URI ":"] ATTRNAME ["." subAttr]            ; e.g. urn:…:enterprise:2.0:User:manager.value
//! ATTRNAME   = (ALPHA / "$") *(ALPHA / DIGIT / "_" / "-")   ; "$" admits "$ref"
//! ```
//!
//! A URN prefix is everything up to the last `:` of a path that starts with
//! `urn:`. Inputs longer than [`MAX_LENGTH`] bytes or nested deeper than
//! [`MAX_DEPTH`] levels (`(`, `not (`, `[`) are rejected with an error, so
//! the parser cannot overflow the stack. Errors carry the byte position.
//!
//! # Evaluation ([`Filter::matches`])
//!
//! - Attribute names are case-insensitive; string comparisons honour the
//!   schema's `caseExact` (`userName` ignores case, `id` and `externalId` do not).
//!   Attributes unknown to the schema compare case-insensitively.
//! - A multi-valued attribute matches if any element matches; a complex
//!   attribute named without a sub-attribute compares its `value` sub-attribute.
//! - Booleans and numbers compare by type; a `dateTime` attribute compares as
//!   instants (RFC 3339) for `eq ne gt ge lt le`; strings order lexicographically.
//! - `gt ge lt le co sw ew` on booleans, and any comparison on a complex
//!   attribute without a `value`, simply do not match (RFC 7644 allows a 400
//!   here; we choose "no match" so that evaluation never fails).
//! - `ne v` is `not (eq v)`: it matches when the attribute is absent.
//!   `eq null` matches an absent or null attribute; `ne null` a present one.
//! - `pr` means present, non-null and non-empty (`""`, `[]`, `{}` are absent).
//!
//! # Index planning ([`Filter::equality_lookups`])
//!
//! For `attr eq "v"`, or an `and` with such a conjunct, the store can look up
//! candidates by `(attr, v)` in an index (folding case unless the attribute is
//! `caseExact`) and then run [`Filter::matches`] on each candidate only.

mod ast;
mod error;
mod eval;
mod parser;
mod plan;
#[cfg(test)]
mod tests;

pub use ast::{AttrPath, CompValue, CompareOp, Filter};
pub use error::FilterError;
pub(crate) use parser::parse_attr_path;
pub use parser::{MAX_DEPTH, MAX_LENGTH, parse};
pub use plan::EqualityLookup;
