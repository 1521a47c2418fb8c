//! Index planning: find an `attr eq "value"` conjunct the store can answer
//! from an index.

use super::ast::{AttrPath, CompValue, CompareOp, Filter};

/// An equality the store may answer from an index (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EqualityLookup<'a> {
    /// The attribute compared, as written in the filter.
    pub path: &'a AttrPath,
    /// The string value it must equal.
    pub value: &'a str,
}

impl Filter {
    /// If the filter is `attr eq "v"`, or an `and` in which one side (at any
    /// depth of nested `and`s) is such an `eq`, returns that attribute and
    /// value. Every match of the whole filter then has `attr` equal to `v`
    /// (case-insensitively unless the attribute is `caseExact`), so the store
    /// can fetch candidates from an index and evaluate the whole filter on
    /// them. `or`, `not` and value paths never yield a lookup.
    pub fn equality_lookups(&self) -> Option<EqualityLookup<'_>> {
        match self {
            Filter::Compare(path, CompareOp::Eq, CompValue::Str(value)) => Some(EqualityLookup {
                path,
                value: value.as_str(),
            }),
            Filter::And(a, b) => a.equality_lookups().or_else(|| b.equality_lookups()),
            _ => None,
        }
    }
}
