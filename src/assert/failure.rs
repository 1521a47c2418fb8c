//! What a failed check reports: the shared vocabulary of every matcher.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which kind of check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The status code was not one of the expected.
    Status,
    /// A header check failed.
    Header,
    /// A JSONPath predicate failed.
    Json,
    /// The partial-JSON body match failed.
    Body,
    /// The body does not validate against a schema.
    Schema,
    /// The normalised response differs from the stored snapshot.
    Snapshot,
}

/// One failed check, with enough to explain it without re-running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// Which matcher failed.
    pub kind: FailureKind,
    /// What was checked: `status`, a header name, a JSONPath, a schema name.
    pub subject: String,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The expectation, rendered for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What came back, rendered for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// A unified diff (expected → actual) where one helps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl Failure {
    /// One line for humans: the message, prefixed with the subject unless
    /// the message already starts with it.
    pub fn headline(&self) -> String {
        if self.message.starts_with(&self.subject) {
            self.message.clone()
        } else {
            format!("{}: {}", self.subject, self.message)
        }
    }
}

/// The response as the matchers see it.
#[derive(Debug, Clone, Copy)]
pub struct ResponseView<'a> {
    /// HTTP status code.
    pub status: u16,
    /// Response headers in arrival order (names as received).
    pub headers: &'a [(String, String)],
    /// The body as text.
    pub text: &'a str,
    /// The body parsed as JSON, when it is JSON.
    pub json: Option<&'a Value>,
}
