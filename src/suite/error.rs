//! Suite loading and lint errors, with file, line, column and field path.

use std::fmt;

use thiserror::Error;

/// A suite that could not be read, parsed or linted.
///
/// Displays as `suites/x.yaml:12:5: cases[0].steps[1].expect: unknown field
/// `stauts`, did you mean `status`?` (parts that are unknown are left out).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct LoadError {
    /// The suite's display path.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Field path inside the suite (`cases[0].steps[1].expect`), when known.
    pub field: Option<String>,
    /// What went wrong.
    pub kind: LoadErrorKind,
}

/// The kinds of suite errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The file or directory could not be read.
    Io(String),
    /// The text is not valid YAML.
    Syntax(String),
    /// The YAML does not fit the suite format (unknown key, wrong type, missing field).
    Invalid(String),
    /// The suite parses but is wrong (duplicate names, undefined variable, bad regex…).
    Lint(String),
}

impl LoadErrorKind {
    /// The message without location.
    pub fn message(&self) -> &str {
        match self {
            Self::Io(m) | Self::Syntax(m) | Self::Invalid(m) | Self::Lint(m) => m,
        }
    }
}

impl fmt::Display for LoadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl LoadError {
    /// An error about a whole file (I/O).
    pub fn io(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            line: None,
            column: None,
            field: None,
            kind: LoadErrorKind::Io(message.into()),
        }
    }

    /// A lint error at a field path.
    pub fn lint(
        path: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            line: None,
            column: None,
            field: Some(field.into()),
            kind: LoadErrorKind::Lint(message.into()),
        }
    }
}

/// Rewrites serde's "unknown field `x`, expected one of `a`, `b`" (and the
/// same for variants) into "unknown field `x`, did you mean `a`?" when one
/// candidate is close enough.
pub(crate) fn suggest(message: &str) -> String {
    let kind = if message.starts_with("unknown field") {
        "field"
    } else if message.starts_with("unknown variant") {
        "variant"
    } else {
        return message.to_string();
    };
    let ticks: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let Some((unknown, candidates)) = ticks.split_first() else {
        return message.to_string();
    };
    match closest(unknown, candidates) {
        Some(best) => format!("unknown {kind} `{unknown}`, did you mean `{best}`?"),
        None => message.to_string(),
    }
}

/// The candidate closest to `word`, if any is plausibly a typo of it.
pub(crate) fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_every_part() {
        let e = LoadError {
            path: "suites/x.yaml".into(),
            line: Some(12),
            column: Some(5),
            field: Some("cases[0].steps[1].expect".into()),
            kind: LoadErrorKind::Invalid("unknown field `stauts`, did you mean `status`?".into()),
        };
        assert_eq!(
            e.to_string(),
            "suites/x.yaml:12:5: cases[0].steps[1].expect: unknown field `stauts`, did you mean `status`?"
        );
    }

    #[test]
    fn display_without_location() {
        let e = LoadError::io("x.yaml", "No such file");
        assert_eq!(e.to_string(), "x.yaml: No such file");
    }

    #[test]
    fn suggest_table() {
        let cases = [
            (
                "unknown field `stauts`, expected one of `status`, `headers`, `json`",
                "unknown field `stauts`, did you mean `status`?",
            ),
            (
                "unknown field `zzz`, expected one of `status`, `headers`",
                "unknown field `zzz`, expected one of `status`, `headers`",
            ),
            (
                "unknown variant `revokd`, expected one of `default`, `revoked`",
                "unknown variant `revokd`, did you mean `revoked`?",
            ),
            ("missing field `why`", "missing field `why`"),
        ];
        for (input, want) in cases {
            assert_eq!(suggest(input), want);
        }
    }
}
