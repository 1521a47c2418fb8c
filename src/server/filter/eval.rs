//! Filter evaluation against a resource's JSON (see the module root for the rules).

use std::cmp::Ordering;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::schema::{
    AttributeDef, AttributeType, ResourceSchema, effective_def, get_ci, parse_bool,
};

/// Where paths are resolved: at the resource root, or inside one element of a
/// value path (`emails[type eq "work"]`), where names are sub-attributes.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Root(&'a ResourceSchema),
    Element(Option<&'a AttributeDef>),
}

impl Filter {
    /// Whether `resource` matches this filter, using `schema` for `caseExact`
    /// and attribute types. Never panics; unknown attributes are absent.
    pub fn matches(&self, resource: &Value, schema: &ResourceSchema) -> bool {
        eval(self, resource, Scope::Root(schema))
    }

    /// Whether one element of a multi-valued attribute matches this filter
    /// as the inside of a value path (`emails[type eq "work"]`): names are
    /// sub-attributes of `parent`, whose definitions give `caseExact`.
    pub(crate) fn matches_element(&self, element: &Value, parent: Option<&AttributeDef>) -> bool {
        eval(self, element, Scope::Element(parent))
    }
}

fn eval(f: &Filter, node: &Value, scope: Scope<'_>) -> bool {
    match f {
        Filter::And(a, b) => eval(a, node, scope) && eval(b, node, scope),
        Filter::Or(a, b) => eval(a, node, scope) || eval(b, node, scope),
        Filter::Not(a) => !eval(a, node, scope),
        Filter::Present(path) => {
            let (top, _) = lookup(path, node, scope);
            match (&path.sub, top) {
                (_, None) => false,
                (None, Some(v)) => !is_empty(v),
                (Some(sub), Some(v)) => sub_values(v, sub).iter().any(|v| !is_empty(v)),
            }
        }
        Filter::Compare(path, op, value) => {
            let (top, def) = lookup(path, node, scope);
            let leaves: Vec<&Value> = match (&path.sub, top) {
                (_, None) => Vec::new(),
                (Some(sub), Some(v)) => sub_values(v, sub),
                (None, Some(v)) => plain_values(v),
            };
            let def = def.map(effective_def);
            match (op, value) {
                (CompareOp::Eq, CompValue::Null) => leaves.iter().all(|v| v.is_null()),
                (CompareOp::Ne, CompValue::Null) => leaves.iter().any(|v| !v.is_null()),
                (CompareOp::Ne, _) => !leaves.iter().any(|l| compare(l, CompareOp::Eq, value, def)),
                _ => leaves.iter().any(|l| compare(l, *op, value, def)),
            }
        }
        Filter::ValuePath(path, inner) => {
            let (top, def) = lookup(path, node, scope);
            let elems: Vec<&Value> = match top {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(v @ Value::Object(_)) => vec![v],
                _ => Vec::new(),
            };
            elems
                .into_iter()
                .any(|e| eval(inner, e, Scope::Element(def)))
        }
    }
}

/// Finds the value of the path's top-level attribute and the definition of
/// the attribute the whole path designates.
fn lookup<'v, 's>(
    path: &AttrPath,
    node: &'v Value,
    scope: Scope<'s>,
) -> (Option<&'v Value>, Option<&'s AttributeDef>) {
    let Some(obj) = node.as_object() else {
        return (None, None);
    };
    match scope {
        Scope::Root(schema) => {
            let resolved =
                schema.resolve_parts(path.urn.as_deref(), &path.attr, path.sub.as_deref());
            let container: Option<&Map<String, Value>> = match &path.urn {
                None => Some(obj),
                Some(urn) if urn.eq_ignore_ascii_case(&schema.core.id) => Some(obj),
                Some(urn) => get_ci(obj, urn).and_then(Value::as_object),
            };
            let top = container.and_then(|c| get_ci(c, &path.attr));
            (top, resolved.map(|r| r.def()))
        }
        Scope::Element(parent) => {
            let def = parent.and_then(|p| p.sub_attribute(&path.attr));
            let def = match (&path.sub, def) {
                (Some(s), Some(d)) => d.sub_attribute(s),
                (None, d) => d,
                (Some(_), None) => None,
            };
            (get_ci(obj, &path.attr), def)
        }
    }
}

/// Values of `sub` inside a (multi-valued) complex value.
fn sub_values<'v>(v: &'v Value, sub: &str) -> Vec<&'v Value> {
    match v {
        Value::Object(o) => get_ci(o, sub).map(plain_values).unwrap_or_default(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_object().and_then(|o| get_ci(o, sub)))
            .flat_map(plain_values)
            .collect(),
        _ => Vec::new(),
    }
}

/// The comparable values of an attribute named without a sub-attribute:
/// array elements, and for complex values their `value` sub-attribute
/// (RFC 7644 §3.4.2.2).
fn plain_values(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().filter_map(plain_one).collect(),
        other => plain_one(other).into_iter().collect(),
    }
}

fn plain_one(x: &Value) -> Option<&Value> {
    match x {
        Value::Object(o) => get_ci(o, "value"),
        other => Some(other),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty() || a.iter().all(is_empty),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn ordering_matches(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn compare(leaf: &Value, op: CompareOp, value: &CompValue, def: Option<&AttributeDef>) -> bool {
    let kind = def.map(|d| d.kind);
    match value {
        CompValue::Null => false,
        CompValue::Bool(b) => {
            if op.is_ordering() || !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                return false;
            }
            let actual = match leaf {
                Value::Bool(x) => Some(*x),
                Value::String(s) => parse_bool(s),
                _ => None,
            };
            actual.is_some_and(|a| ordering_matches(op, a.cmp(b)))
        }
        CompValue::Number(n) => {
            let Some(actual) = leaf.as_f64() else {
                return false;
            };
            let want = n.as_f64().unwrap_or(f64::NAN);
            let ord = match (leaf.as_i64(), n.as_i64()) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => actual.partial_cmp(&want),
            };
            ord.is_some_and(|o| ordering_matches(op, o))
        }
        CompValue::Str(want) => {
            let Some(actual) = leaf.as_str() else {
                return false;
            };
            if matches!(kind, Some(AttributeType::Complex | AttributeType::Boolean)) {
                return false;
            }
            if kind == Some(AttributeType::DateTime)
                && !matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
            {
                if let (Ok(a), Ok(b)) = (
                    OffsetDateTime::parse(actual, &Rfc3339),
                    OffsetDateTime::parse(want, &Rfc3339),
                ) {
                    return ordering_matches(op, a.cmp(&b));
                }
            }
            let exact = def.is_some_and(AttributeDef::is_case_exact);
            let (a, b) = if exact {
                (actual.to_owned(), want.clone())
            } else {
                (actual.to_lowercase(), want.to_lowercase())
            };
            match op {
                CompareOp::Co => a.contains(&b),
                CompareOp::Sw => a.starts_with(&b),
                CompareOp::Ew => a.ends_with(&b),
                _ => ordering_matches(op, a.cmp(&b)),
            }
        }
    }
}
