//! Replacing secret values with `***` in text and JSON.

use serde_json::Value;

/// Secrets shorter than this are not redacted (they would mangle output).
const MIN_SECRET_LEN: usize = 4;

/// Replaces every secret value with `***`.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret containing another is replaced whole.
    needles: Vec<String>,
}

impl Redactor {
    /// A redactor for these secrets; empty and very short ones (< 4 chars) are ignored.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut needles: Vec<String> = Vec::new();
        for secret in secrets {
            if secret.chars().count() < MIN_SECRET_LEN {
                continue;
            }
            // The JSON-escaped form too, so secrets inside serialized JSON go.
            let escaped = Value::String(secret.clone()).to_string();
            let escaped = escaped[1..escaped.len() - 1].to_string();
            if escaped != secret {
                needles.push(escaped);
            }
            needles.push(secret);
        }
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        Self { needles }
    }

    /// True when there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// `text` with every secret (and so every `Bearer <secret>`) replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), "***");
            }
        }
        out
    }

    /// `value` with secrets redacted in every string and object key.
    pub fn redact_value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.redact(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.redact_value(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.redact(k), self.redact_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redact_table() {
        let r = Redactor::new(["s3cr3t-token".to_string(), "abc".to_string(), String::new()]);
        let cases: &[(&str, &str)] = &[
            (
                "Authorization: Bearer s3cr3t-token",
                "Authorization: Bearer ***",
            ),
            ("s3cr3t-tokens3cr3t-token", "******"),
            ("abc is too short to redact", "abc is too short to redact"),
            ("nothing here", "nothing here"),
        ];
        for (input, want) in cases {
            assert_eq!(r.redact(input), *want, "{input}");
        }
    }

    #[test]
    fn longer_secret_wins_over_its_prefix() {
        let r = Redactor::new(["tokenA".to_string(), "tokenABCDEF".to_string()]);
        assert_eq!(r.redact("x tokenABCDEF y tokenA"), "x *** y ***");
    }

    #[test]
    fn secrets_with_quotes_are_redacted_in_json_text() {
        let r = Redactor::new(["pa\"ss".to_string()]);
        let text = json!({"p": "pa\"ss"}).to_string();
        assert_eq!(r.redact(&text), r#"{"p":"***"}"#);
    }

    #[test]
    fn redact_value_walks_strings_and_keys() {
        let r = Redactor::new(["hunter22".to_string()]);
        let v = json!({"a": ["Bearer hunter22", 1], "hunter22": true});
        assert_eq!(
            r.redact_value(&v),
            json!({"a": ["Bearer ***", 1], "***": true})
        );
    }

    proptest::proptest! {
        #[test]
        fn no_secret_survives_redaction(
            secret in "[A-Za-z0-9._~+/-]{4,40}",
            before in ".{0,40}",
            after in ".{0,40}",
        ) {
            let r = Redactor::new([secret.clone()]);
            let out = r.redact(&format!("{before}Bearer {secret}{after}"));
            proptest::prop_assert!(!out.contains(&secret), "{out}");
        }
    }
}
