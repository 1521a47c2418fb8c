//! Rendering values for humans: compact JSON (cut by [`crate::text::clip`]),
//! unified diffs.

use serde_json::Value;
use similar::TextDiff;

use crate::text::{Mark, clip};

/// Longest rendered value (or body) kept in a failure message.
pub(crate) const MAX_RENDER: usize = 300;
/// Longest diff kept in a failure.
const MAX_DIFF_LINES: usize = 200;

/// Compact JSON, cut to a readable length.
pub(crate) fn compact(value: &Value) -> String {
    clip(&value.to_string(), MAX_RENDER, Mark::Length)
}

/// Pretty JSON (sorted keys, as serde_json's map is a BTreeMap).
pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// A unified diff from `expected` to `actual`, or `None` when both render alike.
pub(crate) fn unified_diff(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    // Both sides end in a newline, so the diff has no "\ No newline" noise.
    let (expected, actual) = (format!("{expected}\n"), format!("{actual}\n"));
    let diff = TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    let lines: Vec<&str> = diff.lines().collect();
    if lines.len() > MAX_DIFF_LINES {
        let mut kept = lines[..MAX_DIFF_LINES].join("\n");
        kept.push_str(&format!(
            "\n… ({} more lines)",
            lines.len() - MAX_DIFF_LINES
        ));
        Some(kept)
    } else {
        Some(diff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_truncates_huge_values() {
        let big = json!("x".repeat(1000));
        let out = compact(&big);
        assert!(out.len() < 400);
        assert!(out.ends_with("(1002 chars)"));
        assert_eq!(compact(&json!({"a": 1})), r#"{"a":1}"#);
    }

    #[test]
    fn unified_diff_marks_changed_lines() {
        let d = unified_diff("a\nb\n", "a\nc\n").expect("differs");
        assert!(d.contains("-b") && d.contains("+c"), "{d}");
        assert_eq!(unified_diff("a\n", "a\n"), None);
    }
}
