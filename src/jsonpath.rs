//! JSONPath (RFC 9535, via `serde_json_path`): parsing an expression with a
//! hint for names that need bracket notation, and evaluating it on a body.
//!
//! A leaf shared by the suite lint (`suite::validate`), the checks
//! (`assert`) and captures (`runner`): it imports no other module of the
//! crate and does no I/O.

use serde_json::Value;
use serde_json_path::JsonPath;
use thiserror::Error;

/// A JSONPath expression that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid JSONPath `{path}`: {message}")]
pub struct JsonPathError {
    /// The expression.
    pub path: String,
    /// The parser's message, with a hint when bracket notation is needed.
    pub message: String,
}

/// Parses a JSONPath expression.
pub fn parse_path(path: &str) -> Result<JsonPath, JsonPathError> {
    JsonPath::parse(path).map_err(|e| {
        let mut message = e.to_string();
        let tail = path.get(1..).unwrap_or_default();
        if tail.contains(['$', ':', '-']) {
            message.push_str(
                "; names with `$`, `:` or `-` need bracket notation, e.g. `$.members[0]['$ref']` or `$['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].employeeNumber`",
            );
        }
        JsonPathError {
            path: path.to_string(),
            message,
        }
    })
}

/// Evaluates `path` on `body`: exactly one match gives that value, several
/// give a JSON array of them, none gives `None`.
pub fn query(path: &str, body: &Value) -> Result<Option<Value>, JsonPathError> {
    let compiled = parse_path(path)?;
    let nodes = compiled.query(body).all();
    Ok(match nodes.as_slice() {
        [] => None,
        [one] => Some((*one).clone()),
        many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
    })
}

/// Evaluates `path` on `body` and returns every matched node.
pub fn query_all<'v>(path: &str, body: &'v Value) -> Result<Vec<&'v Value>, JsonPathError> {
    Ok(parse_path(path)?.query(body).all())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_table() {
        let body = json!({
            "id": "1",
            "emails": [{"value": "a@x", "primary": true}, {"value": "b@x"}],
            "name": {"givenName": "Ada"}
        });
        let cases: &[(&str, Option<Value>)] = &[
            ("$.id", Some(json!("1"))),
            ("$.name.givenName", Some(json!("Ada"))),
            ("$.emails[*].value", Some(json!(["a@x", "b@x"]))),
            ("$.emails[?@.primary == true].value", Some(json!("a@x"))),
            ("$.missing", None),
            ("$.emails[5]", None),
        ];
        for (path, want) in cases {
            assert_eq!(query(path, &body).as_ref(), Ok(want), "{path}");
        }
    }

    #[test]
    fn bad_path_is_an_error() {
        assert!(matches!(
            query("$.[", &json!({})),
            Err(JsonPathError { .. })
        ));
        assert!(query("id", &json!({})).is_err());
        let hint = query("$.members[0].$ref", &json!({})).expect_err("invalid");
        assert!(hint.to_string().contains("['$ref']"), "{hint}");
        let ok = query("$.members[0]['$ref']", &json!({"members": [{"$ref": "u"}]}));
        assert_eq!(ok, Ok(Some(json!("u"))));
    }
}
