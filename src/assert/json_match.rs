//! Partial-JSON matching (`expect.body`): every expected key must be present
//! and match recursively; every expected array element must match some
//! actual element; scalars must be equal (numbers by value).

use serde_json::Value;

use super::predicate::json_eq;
use super::pretty::compact;

/// The ways `actual` fails to contain `expected`, each prefixed with the
/// JSONPath where it happens (`path` is the prefix, `$` at the top).
pub(crate) fn subset_mismatches(expected: &Value, actual: &Value, path: &str) -> Vec<String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            let mut out = Vec::new();
            for (key, w) in want {
                let sub = child(path, key);
                match got.get(key) {
                    Some(g) => out.extend(subset_mismatches(w, g, &sub)),
                    None => out.push(format!("{sub}: missing (expected {})", compact(w))),
                }
            }
            out
        }
        (Value::Array(want), Value::Array(got)) => want
            .iter()
            .filter(|w| !got.iter().any(|g| subset_mismatches(w, g, path).is_empty()))
            .map(|w| format!("{path}: no element matches {}", compact(w)))
            .collect(),
        (w, g) if json_eq(w, g) => Vec::new(),
        (w, g) => vec![format!(
            "{path}: expected {}, got {}",
            compact(w),
            compact(g)
        )],
    }
}

fn child(path: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_alphanumeric() || c == '_') && !key.is_empty() {
        format!("{path}.{key}")
    } else {
        format!("{path}['{}']", key.replace('\'', "\\'"))
    }
}

/// `actual` restricted to the keys `expected` names (for readable diffs).
pub(crate) fn project(expected: &Value, actual: &Value) -> Value {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => Value::Object(
            want.iter()
                .filter_map(|(k, w)| got.get(k).map(|g| (k.clone(), project(w, g))))
                .collect(),
        ),
        _ => actual.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_table() {
        let actual = json!({
            "id": "1",
            "active": true,
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "a@x", "primary": true}, {"value": "b@x"}],
            "count": 2,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "7"}
        });
        let cases: &[(Value, Vec<&str>)] = &[
            (json!({}), vec![]),
            (
                json!({"active": true, "name": {"givenName": "Ada"}}),
                vec![],
            ),
            (json!({"count": 2.0}), vec![]),
            (json!({"emails": [{"value": "b@x"}]}), vec![]),
            (
                json!({"emails": [{"primary": true, "value": "a@x"}, {"value": "b@x"}]}),
                vec![],
            ),
            (
                json!({"active": false}),
                vec!["$.active: expected false, got true"],
            ),
            (
                json!({"nickName": "x"}),
                vec!["$.nickName: missing (expected \"x\")"],
            ),
            (
                json!({"name": {"givenName": "Bob"}}),
                vec!["$.name.givenName: expected \"Bob\", got \"Ada\""],
            ),
            (
                json!({"emails": [{"value": "c@x"}]}),
                vec!["$.emails: no element matches {\"value\":\"c@x\"}"],
            ),
            (
                json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "8"}}),
                vec![
                    "$['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].employeeNumber: expected \"8\", got \"7\"",
                ],
            ),
            (
                json!({"id": {"x": 1}}),
                vec!["$.id: expected {\"x\":1}, got \"1\""],
            ),
        ];
        for (expected, want) in cases {
            assert_eq!(
                subset_mismatches(expected, &actual, "$"),
                *want,
                "{expected}"
            );
        }
    }

    #[test]
    fn project_keeps_only_expected_keys() {
        let p = project(
            &json!({"a": {"b": 1}}),
            &json!({"a": {"b": 2, "c": 3}, "d": 4}),
        );
        assert_eq!(p, json!({"a": {"b": 2}}));
    }
}
