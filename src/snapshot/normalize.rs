//! Normalising a response before it is snapshotted: sorted keys, SCIM
//! volatiles replaced (`id`, `externalId`, `meta` times, version and
//! location), every known variable value replaced by `[name]`,
//! secrets by `***`.

use serde_json::{Map, Value, json};

/// What to normalise.
#[derive(Debug, Clone, Copy)]
pub struct NormalizeInput<'a> {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: &'a [(String, String)],
    /// Body text.
    pub body: &'a str,
    /// Variable values to replace, as `(name, value)`; values shorter than 4 are ignored.
    pub vars: &'a [(String, String)],
    /// Secret values, replaced by `***`.
    pub secrets: &'a [String],
}

/// Headers kept in a snapshot (others vary by server stack).
const KEPT_HEADERS: &[&str] = &["content-type", "location", "etag"];

/// The normalised form: `{"status", "headers", "body"}` with sorted keys.
pub fn normalize(input: &NormalizeInput<'_>) -> Value {
    let mut headers = Map::new();
    for (k, v) in input.headers {
        let name = k.to_ascii_lowercase();
        if !KEPT_HEADERS.contains(&name.as_str()) {
            continue;
        }
        let value = match name.as_str() {
            "location" => "[location]".to_owned(),
            "etag" => "[version]".to_owned(),
            _ => v.clone(),
        };
        headers.insert(name, Value::String(value));
    }
    let mut body = match serde_json::from_str::<Value>(input.body) {
        Ok(v) => v,
        Err(_) if input.body.is_empty() => Value::Null,
        Err(_) => Value::String(input.body.to_owned()),
    };
    redact_volatiles(&mut body);
    let mut vars: Vec<(&str, &str)> = input
        .vars
        .iter()
        .filter(|(_, v)| v.chars().count() >= 4)
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // Longest first so a value containing another is replaced whole.
    vars.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let secrets: Vec<&str> = input
        .secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .map(String::as_str)
        .collect();
    let mut out = json!({
        "status": input.status,
        "headers": Value::Object(headers),
        "body": body,
    });
    replace_strings(&mut out, &|s| {
        let mut s = s.to_owned();
        for secret in &secrets {
            s = s.replace(secret, "***");
        }
        for (name, value) in &vars {
            s = s.replace(value, &format!("[{name}]"));
        }
        s
    });
    out
}

fn redact_volatiles(body: &mut Value) {
    match body {
        Value::Object(map) => {
            if map.contains_key("id") && map.get("id").is_some_and(|v| !v.is_null()) {
                map.insert("id".to_owned(), Value::String("[id]".to_owned()));
            }
            // IdP-assigned (Okta sends its own user id, `00u…`): varies by run.
            if map.get("externalId").is_some_and(Value::is_string) {
                map.insert(
                    "externalId".to_owned(),
                    Value::String("[externalId]".to_owned()),
                );
            }
            if let Some(Value::Object(meta)) = map.get_mut("meta") {
                for (key, placeholder) in [
                    ("created", "[timestamp]"),
                    ("lastModified", "[timestamp]"),
                    ("version", "[version]"),
                    ("location", "[location]"),
                ] {
                    if meta.contains_key(key) {
                        meta.insert(key.to_owned(), Value::String(placeholder.to_owned()));
                    }
                }
            }
            for (key, v) in map.iter_mut() {
                if key != "meta" {
                    redact_volatiles(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_volatiles),
        _ => {}
    }
}

fn replace_strings(v: &mut Value, f: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(items) => items.iter_mut().for_each(|i| replace_strings(i, f)),
        Value::Object(map) => map.values_mut().for_each(|i| replace_strings(i, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatiles_headers_vars_and_secrets_are_replaced() {
        let body = r#"{"id":"2819c223","userName":"scim-run-1@example.com","meta":{"created":"2026-01-01T00:00:00Z","version":"W/\"3\"","resourceType":"User"},"members":[{"value":"g1","display":"tok-secret-1"}],"groups":[{"id":"x"}]}"#;
        let headers = vec![
            ("Location".to_owned(), "http://h/Users/2819c223".to_owned()),
            ("ETag".to_owned(), "W/\"3\"".to_owned()),
            ("Date".to_owned(), "today".to_owned()),
            (
                "Content-Type".to_owned(),
                "application/scim+json".to_owned(),
            ),
        ];
        let vars = vec![
            ("user".to_owned(), "scim-run-1@example.com".to_owned()),
            ("g".to_owned(), "g1".to_owned()),
        ];
        let secrets = vec!["tok-secret-1".to_owned()];
        let out = normalize(&NormalizeInput {
            status: 201,
            headers: &headers,
            body,
            vars: &vars,
            secrets: &secrets,
        });
        assert_eq!(
            out,
            json!({
                "status": 201,
                "headers": {"content-type": "application/scim+json", "location": "[location]", "etag": "[version]"},
                "body": {
                    "id": "[id]",
                    "userName": "[user]",
                    "meta": {"created": "[timestamp]", "version": "[version]", "resourceType": "User"},
                    "members": [{"value": "g1", "display": "***"}],
                    "groups": [{"id": "[id]"}]
                }
            })
        );
    }

    #[test]
    fn a_non_json_body_is_kept_as_text() {
        let out = normalize(&NormalizeInput {
            status: 500,
            headers: &[],
            body: "oops",
            vars: &[],
            secrets: &[],
        });
        assert_eq!(out["body"], json!("oops"));
    }
}
