//! The before/after diff of one resource: both JSON views are flattened to
//! dotted paths (objects recursed into, arrays compared whole) and every
//! path whose value differs is one [`Change`]. `meta` is left out (its
//! `lastModified` / `version` change on every write and say nothing). Pure:
//! no I/O, no state.

use serde::Serialize;
use serde_json::{Map, Value};

/// One changed attribute.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    /// Dotted attribute path, e.g. `active` or `name.givenName`.
    pub path: String,
    /// The value before (`None`: absent).
    pub before: Option<Value>,
    /// The value after (`None`: absent).
    pub after: Option<Value>,
}

fn flatten(prefix: &str, value: &Value, out: &mut Map<String, Value>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if prefix.is_empty() && key == "meta" {
                    continue;
                }
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, inner, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.clone());
        }
    }
}

/// The changes from `before` to `after` (either may be absent: create /
/// delete), sorted by path.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let mut old = Map::new();
    let mut new = Map::new();
    if let Some(v) = before {
        flatten("", v, &mut old);
    }
    if let Some(v) = after {
        flatten("", v, &mut new);
    }
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| old.get(*p) != new.get(*p))
        .map(|p| Change {
            path: p.clone(),
            before: old.get(p).cloned(),
            after: new.get(p).cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deactivation_is_one_change_and_meta_is_ignored() {
        let before = json!({"id": "1", "active": true, "name": {"givenName": "A"},
            "meta": {"version": "W/\"1\""}});
        let after = json!({"id": "1", "active": false, "name": {"givenName": "A"},
            "meta": {"version": "W/\"2\""}});
        assert_eq!(
            diff(Some(&before), Some(&after)),
            vec![Change {
                path: "active".into(),
                before: Some(json!(true)),
                after: Some(json!(false)),
            }]
        );
    }

    #[test]
    fn nested_added_and_removed_paths_are_reported() {
        let before = json!({"name": {"givenName": "A", "familyName": "B"}, "title": "x"});
        let after =
            json!({"name": {"givenName": "C", "familyName": "B"}, "emails": [{"value": "a@b"}]});
        let changes = diff(Some(&before), Some(&after));
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["emails", "name.givenName", "title"]);
        assert_eq!(changes[2].after, None);
        assert_eq!(changes[0].before, None);
    }

    #[test]
    fn create_and_delete_diff_against_nothing() {
        let user = json!({"userName": "a", "active": true});
        assert_eq!(diff(None, Some(&user)).len(), 2);
        assert_eq!(diff(Some(&user), None).len(), 2);
        assert!(diff(Some(&user), Some(&user)).is_empty());
    }
}
