//! The run-wide declared-schema audit: every successful JSON response that
//! holds resources is checked against the target's own `/Schemas` (fetched
//! once per run, shared with `expect.schema: Declared`), and each distinct
//! contradiction becomes one failure of a `recommended` case reported at the
//! end of the run.
//!
//! It owns the findings (the cached `/Schemas` is `discovery.rs`'s) and their
//! de-duplication, in an [`Audit`] the run holds beside its `RunCtx` (not in
//! it) and hands to each step's check stage. Only resources are audited: discovery documents describe
//! schemas rather than follow them, projections (`attributes=`) may leave
//! out required attributes, and protocol messages
//! (`urn:ietf:params:scim:api:messages:2.0:*`: BulkResponse, PatchOp,
//! SearchRequest, Error) are not resources; a ListResponse is audited
//! through the resources it holds. A finding is keyed on what it says (the
//! attribute and what is wrong, list indices folded), so two different
//! undeclared attributes are two findings and one attribute seen in a
//! hundred responses is one. It must not send anything but `GET /Schemas`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::assert::{Failure, FailureKind};
use crate::runner::result::{CaseResult, Outcome};
use crate::runner::run::RunCtx;

/// The suite name of the run-wide declared-schema audit.
pub(crate) const AUDIT_SUITE: &str = "declared-schemas";
/// At most this many distinct contradictions are kept.
const AUDIT_MAX: usize = 50;
/// The URN prefix of every SCIM protocol message (RFC 7644 §3.1).
const MESSAGE_PREFIX: &str = "urn:ietf:params:scim:api:messages:2.0:";

/// The audit's state, one per run.
#[derive(Default)]
pub(crate) struct Audit {
    /// `(key, failure)` of each distinct contradiction, first occurrence.
    findings: Mutex<Vec<(String, Failure)>>,
    /// How many responses were checked (no check, no audit case).
    audited: AtomicUsize,
}

impl Audit {
    /// With `audit_declared_schemas`, checks one successful JSON response
    /// against the target's `/Schemas` and remembers each new contradiction,
    /// with where it was seen.
    pub(crate) async fn observe(
        &self,
        ctx: &RunCtx,
        suite: &str,
        case: &str,
        request: &str,
        body: &Value,
    ) {
        if !ctx.opts.audit_declared_schemas || !is_resource_response(request, body) {
            return;
        }
        let failures = ctx.declared_check(body).await;
        self.audited.fetch_add(1, Ordering::SeqCst);
        self.record(failures, suite, case, request);
    }

    /// The audit as one `recommended` case.
    pub(crate) fn result(&self) -> CaseResult {
        let failures = self.failures();
        CaseResult {
            suite: AUDIT_SUITE.to_owned(),
            name: "every response follows the server's own /Schemas".to_owned(),
            severity: crate::suite::model::Severity::Recommended,
            why: "RFC 7643 §7 and RFC 7644 §4: a response that contradicts the server's declared \
                  schema misleads every client that maps attributes from /Schemas"
                .to_owned(),
            tags: vec!["schemas".to_owned()],
            outcome: if failures.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed(failures)
            },
            steps: Vec::new(),
            cleanup: Vec::new(),
            warnings: Vec::new(),
            duration_ms: 0,
        }
    }

    /// Whether any response was audited.
    pub(crate) fn ran(&self) -> bool {
        self.audited.load(Ordering::SeqCst) > 0
    }

    /// Remembers `failures` seen in `request` of `suite › case`, each once.
    fn record(&self, failures: Vec<Failure>, suite: &str, case: &str, request: &str) {
        let Ok(mut seen) = self.findings.lock() else {
            return;
        };
        for mut f in failures {
            let key = finding_key(&f);
            if seen.len() >= AUDIT_MAX {
                break;
            }
            if seen.iter().any(|(k, _)| *k == key) {
                continue;
            }
            f.actual = Some(format!(
                "{} (first seen: {request} in {suite} › {case})",
                f.actual.as_deref().unwrap_or("-")
            ));
            seen.push((key, f));
        }
    }

    fn failures(&self) -> Vec<Failure> {
        self.findings
            .lock()
            .map(|f| f.iter().map(|(_, f)| f.clone()).collect())
            .unwrap_or_default()
    }
}

/// What identifies a finding: its message (which names the attribute and
/// what is wrong) with list positions folded, so `Resources[3].foo` and
/// `foo`, or `emails[0].x` and `emails[1].x`, are the same finding.
fn finding_key(f: &Failure) -> String {
    let mut out = String::with_capacity(f.message.len());
    let mut chars = f.message.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '[' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        }
    }
    let out = out.strip_prefix("Resources[].").unwrap_or(&out).to_owned();
    format!("{:?}|{}|{out}", f.kind, f.subject)
}

/// Schema violations as the run's failures (`FailureKind::Schema`).
pub(crate) fn schema_failures(violations: Vec<crate::schema_check::Violation>) -> Vec<Failure> {
    violations
        .into_iter()
        .map(|v| Failure {
            kind: FailureKind::Schema,
            subject: v.subject,
            message: v.message,
            expected: v.expected,
            actual: v.actual,
            diff: None,
        })
        .collect()
}

impl RunCtx {
    /// `expect.schema: Declared`: checks `body` against the target's own
    /// `/Schemas` (fetched once per run, like the capabilities).
    pub(crate) async fn declared_check(&self, body: &Value) -> Vec<Failure> {
        match self.declared_schemas().await {
            Ok(defs) => schema_failures(crate::schema_check::validate_declared(body, defs)),
            Err(reason) => vec![Failure {
                kind: FailureKind::Schema,
                subject: "Declared".to_owned(),
                message: format!("the server's declared schemas are unavailable: {reason}"),
                expected: Some("GET /Schemas answering a ListResponse of schemas".to_owned()),
                actual: None,
                diff: None,
            }],
        }
    }
}

/// Whether a `schemas` value names a protocol message or a discovery
/// document rather than a resource.
fn is_not_a_resource(schemas: &[Value]) -> bool {
    use crate::scim::{RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA};
    schemas.iter().filter_map(Value::as_str).any(|s| {
        s.get(..MESSAGE_PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(MESSAGE_PREFIX))
            || [
                SCHEMA_SCHEMA,
                RESOURCE_TYPE_SCHEMA,
                SERVICE_PROVIDER_CONFIG_SCHEMA,
            ]
            .iter()
            .any(|d| d.eq_ignore_ascii_case(s))
    })
}

/// Whether a response holds User/Group-like resources the audit can check:
/// a resource, or a ListResponse whose (first) resource is one. Not
/// discovery documents, protocol messages, or projections.
pub(crate) fn is_resource_response(request: &str, body: &Value) -> bool {
    if request.contains("attributes=") {
        return false;
    }
    // A list is audited through its resources: an empty page holds nothing.
    let first = match body.get("Resources") {
        Some(resources) => match resources.as_array().and_then(|r| r.first()) {
            Some(first) => first,
            None => return false,
        },
        None => body,
    };
    match first.get("schemas").and_then(Value::as_array) {
        Some(schemas) => !is_not_a_resource(schemas),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_resources_are_audited() {
        let user = json!({"schemas": [crate::scim::USER_SCHEMA], "id": "1", "userName": "a"});
        let table = [
            (
                json!({"schemas": [crate::scim::USER_SCHEMA], "id": "1"}),
                true,
            ),
            (
                json!({"schemas": [crate::scim::LIST_RESPONSE_SCHEMA], "Resources": [user]}),
                true,
            ),
            (
                json!({"schemas": [crate::scim::LIST_RESPONSE_SCHEMA], "Resources": []}),
                false,
            ),
            (
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],
                       "Operations": [{"method": "POST", "status": "201"}]}),
                false,
            ),
            (
                json!({"schemas": [crate::scim::PATCH_OP_SCHEMA], "Operations": []}),
                false,
            ),
            (
                json!({"schemas": [crate::scim::SEARCH_REQUEST_SCHEMA], "filter": "x"}),
                false,
            ),
            (
                json!({"schemas": [crate::scim::ERROR_SCHEMA], "status": "400"}),
                false,
            ),
            (
                json!({"schemas": ["URN:IETF:PARAMS:SCIM:API:MESSAGES:2.0:BulkResponse"]}),
                false,
            ),
            (
                json!({"schemas": [crate::scim::LIST_RESPONSE_SCHEMA],
                       "Resources": [{"schemas": [crate::scim::SCHEMA_SCHEMA], "id": "x"}]}),
                false,
            ),
            (
                json!({"schemas": [crate::scim::SERVICE_PROVIDER_CONFIG_SCHEMA]}),
                false,
            ),
            (json!({"id": "no schemas"}), false),
        ];
        for (body, want) in table {
            assert_eq!(is_resource_response("GET /x", &body), want, "{body}");
        }
        assert!(!is_resource_response(
            "GET /Users?attributes=userName",
            &json!({"schemas": [crate::scim::USER_SCHEMA]})
        ));
    }

    fn finding(message: &str) -> Failure {
        Failure {
            kind: FailureKind::Schema,
            subject: "Declared".to_owned(),
            message: message.to_owned(),
            expected: Some("only attributes the server declares".to_owned()),
            actual: None,
            diff: None,
        }
    }

    #[test]
    fn findings_are_distinct_per_attribute_and_problem() {
        let audit = Audit::default();
        audit.record(
            vec![
                finding("legacyId is not declared by any schema in /Schemas"),
                finding("tenantTier is not declared by any schema in /Schemas"),
                finding("Resources[3].legacyId is not declared by any schema in /Schemas"),
                finding("emails[0].primary is declared a boolean but is a string"),
            ],
            "s",
            "c",
            "GET /Users",
        );
        audit.record(
            vec![
                finding("Resources[0].tenantTier is not declared by any schema in /Schemas"),
                finding("emails[1].primary is declared a boolean but is a string"),
                finding("active is declared a boolean but is a string"),
            ],
            "s",
            "c2",
            "GET /Users/1",
        );
        let messages: Vec<String> = audit.failures().into_iter().map(|f| f.message).collect();
        assert_eq!(
            messages,
            [
                "legacyId is not declared by any schema in /Schemas",
                "tenantTier is not declared by any schema in /Schemas",
                "emails[0].primary is declared a boolean but is a string",
                "active is declared a boolean but is a string",
            ]
        );
    }

    #[test]
    fn findings_are_capped() {
        let audit = Audit::default();
        let many = (0..AUDIT_MAX + 10)
            .map(|i| {
                finding(&format!(
                    "attr{i} is not declared by any schema in /Schemas"
                ))
            })
            .collect();
        audit.record(many, "s", "c", "GET /Users");
        assert_eq!(audit.failures().len(), AUDIT_MAX);
    }
}
