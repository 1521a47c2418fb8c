//! Sort keys for `sortBy` (RFC 7644 §3.4.2.3): resolves a dotted attribute
//! path case-insensitively (first value of a multi-valued attribute, the
//! primary one if marked) and orders strings case-insensitively.

use std::cmp::Ordering;

use serde_json::Value;

/// A comparable value extracted from a resource.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SortKey {
    /// Booleans sort false < true.
    Bool(bool),
    /// Numbers.
    Num(f64),
    /// Strings, lower-cased.
    Str(String),
}

impl SortKey {
    /// Total order: Bool < Num < Str, then by value.
    pub(crate) fn cmp_key(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Bool(a), Self::Bool(b)) => a.cmp(b),
            (Self::Num(a), Self::Num(b)) => a.total_cmp(b),
            (Self::Str(a), Self::Str(b)) => a.cmp(b),
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Self::Bool(_) => 0,
            Self::Num(_) => 1,
            Self::Str(_) => 2,
        }
    }
}

fn get_ci<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn pick(value: &Value) -> Option<&Value> {
    match value {
        Value::Array(items) => items
            .iter()
            .find(|i| get_ci(i, "primary") == Some(&Value::Bool(true)))
            .or_else(|| items.first()),
        other => Some(other),
    }
}

/// The sort key of `resource` at `path` (e.g. `name.familyName`, `emails`,
/// or a URN-qualified path), or `None` when absent.
pub(crate) fn sort_key(resource: &Value, path: &str) -> Option<SortKey> {
    let mut current = resource;
    let mut rest = path;
    if let Some(obj) = resource.as_object() {
        // URN-qualified: the longest schema-URN key that prefixes the path.
        if let Some((urn, value)) =
            obj.iter()
                .filter(|(k, _)| k.starts_with("urn:"))
                .find(|(k, _)| {
                    path.len() > k.len()
                        && path
                            .get(..k.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(k))
                })
        {
            current = value;
            rest = path.get(urn.len() + 1..).unwrap_or("");
        }
    }
    for segment in rest.split('.') {
        current = pick(get_ci(pick(current)?, segment)?)?;
    }
    let leaf = match current {
        Value::Object(_) => get_ci(current, "value")?,
        other => other,
    };
    match leaf {
        Value::Bool(b) => Some(SortKey::Bool(*b)),
        Value::Number(n) => n.as_f64().map(SortKey::Num),
        Value::String(s) => Some(SortKey::Str(s.to_lowercase())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sort_key_resolves_nested_paths_case_insensitively() {
        let user = json!({"name": {"familyName": "Lovelace"}});
        assert_eq!(
            sort_key(&user, "NAME.familyname"),
            Some(SortKey::Str("lovelace".into()))
        );
    }

    #[test]
    fn sort_key_prefers_the_primary_value() {
        let user = json!({"emails": [{"value": "b@x"}, {"value": "a@x", "primary": true}]});
        assert_eq!(sort_key(&user, "emails"), Some(SortKey::Str("a@x".into())));
        assert_eq!(
            sort_key(&user, "emails.value"),
            Some(SortKey::Str("a@x".into()))
        );
    }

    #[test]
    fn sort_key_reads_urn_qualified_paths() {
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let user = json!({ urn: {"department": "R&D"} });
        assert_eq!(
            sort_key(&user, &format!("{urn}:department")),
            Some(SortKey::Str("r&d".into()))
        );
        assert_eq!(sort_key(&user, "missing"), None);
    }
}
