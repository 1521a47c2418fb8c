//! Static analysis of a parsed filter: index planning (find an `attr eq
//! "value"` conjunct the store can answer from an index) and the optional
//! strict schema check.

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
    /// The top-level attributes the filter reads (lower-cased), so a store
    /// can evaluate it on just those; `None` when a path names a schema URN
    /// other than `core_urn` (the whole resource is needed then). A value
    /// path or sub-attribute needs its whole top-level attribute.
    pub(crate) fn attributes_read(&self, core_urn: &str) -> Option<Vec<String>> {
        let mut out = Vec::new();
        self.collect_attributes(core_urn, &mut out)?;
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    fn collect_attributes(&self, core_urn: &str, out: &mut Vec<String>) -> Option<()> {
        let mut add = |path: &AttrPath| {
            if path
                .urn
                .as_deref()
                .is_some_and(|u| !u.eq_ignore_ascii_case(core_urn))
            {
                return None;
            }
            out.push(path.attr.to_ascii_lowercase());
            Some(())
        };
        match self {
            Filter::Present(path) | Filter::Compare(path, ..) => add(path),
            // The inner filter reads sub-attributes of `path` only.
            Filter::ValuePath(path, _) => add(path),
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.collect_attributes(core_urn, out)?;
                b.collect_attributes(core_urn, out)
            }
            Filter::Not(a) => a.collect_attributes(core_urn, out),
        }
    }

    /// This filter without the comparison whose path is `lookup` (compared
    /// by identity, as [`equality_lookups`](Self::equality_lookups) returns
    /// it, so it is a conjunct); `None` when nothing is left.
    pub(crate) fn without_conjunct(&self, lookup: &AttrPath) -> Option<Filter> {
        match self {
            Filter::Compare(path, ..) if std::ptr::eq(path, lookup) => None,
            Filter::And(a, b) => match (a.without_conjunct(lookup), b.without_conjunct(lookup)) {
                (None, None) => None,
                (Some(rest), None) | (None, Some(rest)) => Some(rest),
                (Some(a), Some(b)) => Some(Filter::And(Box::new(a), Box::new(b))),
            },
            other => Some(other.clone()),
        }
    }

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

impl Filter {
    /// Optional strict check against a schema (RFC 7644 §3.4.2.2): `gt`,
    /// `ge`, `lt` and `le` on a boolean or binary attribute "SHALL cause a
    /// failed response (HTTP 400 with scimType of invalidFilter)". The
    /// evaluator itself never fails (such comparisons just do not match);
    /// a server that wants the RFC's 400 calls this after [`super::parse`].
    /// The error position is 0 because the syntax tree keeps no offsets.
    pub fn check_against(
        &self,
        schema: &crate::scim::schema::ResourceSchema,
    ) -> Result<(), super::FilterError> {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.check_against(schema)?;
                b.check_against(schema)
            }
            Filter::Not(a) => a.check_against(schema),
            Filter::Present(_) => Ok(()),
            Filter::ValuePath(path, inner) => {
                let parent = schema.resolve_parts(path.urn.as_deref(), &path.attr, None);
                inner.check_in_element(parent.map(|r| r.attr))
            }
            Filter::Compare(path, op, _) => {
                let def = schema
                    .resolve_parts(path.urn.as_deref(), &path.attr, path.sub.as_deref())
                    .map(|r| crate::scim::schema::effective_def(r.def()).kind);
                check_ordering(path, *op, def)
            }
        }
    }

    fn check_in_element(
        &self,
        parent: Option<&crate::scim::schema::AttributeDef>,
    ) -> Result<(), super::FilterError> {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.check_in_element(parent)?;
                b.check_in_element(parent)
            }
            Filter::Not(a) => a.check_in_element(parent),
            Filter::Present(_) | Filter::ValuePath(..) => Ok(()),
            Filter::Compare(path, op, _) => {
                let def = parent
                    .and_then(|p| p.sub_attribute(&path.attr))
                    .map(|d| d.kind);
                check_ordering(path, *op, def)
            }
        }
    }
}

fn check_ordering(
    path: &AttrPath,
    op: CompareOp,
    kind: Option<crate::scim::schema::AttributeType>,
) -> Result<(), super::FilterError> {
    use crate::scim::schema::AttributeType;
    if op.is_ordering() && matches!(kind, Some(AttributeType::Boolean | AttributeType::Binary)) {
        return Err(super::FilterError::new(
            0,
            format!("'{path}' is boolean or binary and cannot be ordered (gt/ge/lt/le)"),
        ));
    }
    Ok(())
}
