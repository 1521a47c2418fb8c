//! The embedded schemas, compiled once, and the violation → [`Violation`] mapping.
//!
//! Strict where the RFC is (Error `status` is a string, ListResponse paging
//! fields are integers, a User has `id`, `userName` and the core URN in
//! `schemas`, `password` is never returned) and lenient elsewhere (extra
//! attributes and extensions are allowed, `members` may be absent).

use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::Value;

use super::violation::SchemaName;
use super::violation::Violation;
use crate::scim::{self, LIST_RESPONSE_SCHEMA};
use crate::text::{Mark, clip};

/// Longest instance excerpt kept in a message.
const MAX_MESSAGE: usize = 300;

/// A compiled schema and the URN its `schemas` attribute must contain.
struct Compiled {
    validator: Validator,
    urn: Option<&'static str>,
}

struct Registry {
    user: Compiled,
    enterprise_user: Compiled,
    group: Compiled,
    list_response: Compiled,
    error: Compiled,
    patch_op: Compiled,
    service_provider_config: Compiled,
    resource_type: Compiled,
    schema: Compiled,
}

fn compile(name: &str, text: &str) -> Compiled {
    let schema: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("embedded schema {name} is valid JSON: {e}"));
    let validator = jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("embedded schema {name} compiles: {e}"));
    let urn = URNS
        .iter()
        .find(|u| schema.pointer("/properties/schemas/contains/const") == Some(&Value::from(**u)))
        .copied();
    Compiled { validator, urn }
}

/// The URNs the embedded schemas require in `schemas`.
const URNS: &[&str] = &[
    scim::USER_SCHEMA,
    scim::ENTERPRISE_USER_SCHEMA,
    scim::GROUP_SCHEMA,
    scim::LIST_RESPONSE_SCHEMA,
    scim::ERROR_SCHEMA,
    scim::PATCH_OP_SCHEMA,
    scim::SERVICE_PROVIDER_CONFIG_SCHEMA,
    scim::RESOURCE_TYPE_SCHEMA,
];

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    user: compile("user", include_str!("schemas/user.json")),
    enterprise_user: compile(
        "enterprise_user",
        include_str!("schemas/enterprise_user.json"),
    ),
    group: compile("group", include_str!("schemas/group.json")),
    list_response: compile("list_response", include_str!("schemas/list_response.json")),
    error: compile("error", include_str!("schemas/error.json")),
    patch_op: compile("patch_op", include_str!("schemas/patch_op.json")),
    service_provider_config: compile(
        "service_provider_config",
        include_str!("schemas/service_provider_config.json"),
    ),
    resource_type: compile("resource_type", include_str!("schemas/resource_type.json")),
    schema: compile("schema", include_str!("schemas/schema.json")),
});

/// Validates `body` against the named schema; one violation per broken rule
/// (a [`Violation`] each: subject = schema name, message naming the
/// instance path and the rule). `ResourceType` and `Schema` accept a single
/// resource or a ListResponse of them (as `/ResourceTypes` and `/Schemas`
/// return).
pub fn validate(name: SchemaName, body: &Value) -> Vec<Violation> {
    let r = &*REGISTRY;
    let subject = format!("{name:?}");
    let mut out = Vec::new();
    // RFC 7643 §2.5: a null attribute is unassigned, the same state as absent.
    let stripped;
    let body = if matches!(
        name,
        SchemaName::User | SchemaName::EnterpriseUser | SchemaName::Group
    ) {
        stripped = without_nulls(body);
        &stripped
    } else {
        body
    };
    match name {
        SchemaName::User => violations(&r.user, body, "", &subject, &mut out),
        SchemaName::EnterpriseUser => {
            violations(&r.user, body, "", &subject, &mut out);
            violations(&r.enterprise_user, body, "", &subject, &mut out);
        }
        SchemaName::Group => violations(&r.group, body, "", &subject, &mut out),
        SchemaName::ListResponse => {
            violations(&r.list_response, body, "", &subject, &mut out);
            paging(body, "", &subject, &mut out);
        }
        SchemaName::Error => violations(&r.error, body, "", &subject, &mut out),
        SchemaName::PatchOp => violations(&r.patch_op, body, "", &subject, &mut out),
        SchemaName::ServiceProviderConfig => {
            violations(&r.service_provider_config, body, "", &subject, &mut out);
        }
        SchemaName::ResourceType => one_or_list(&r.resource_type, body, &subject, &mut out),
        SchemaName::Schema => one_or_list(&r.schema, body, &subject, &mut out),
        // Needs the target's /Schemas: the runner calls `validate_declared`.
        SchemaName::Declared => {}
    }
    out
}

/// `value` with every `null` member of every object removed.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(list) => Value::Array(list.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn is_list(body: &Value) -> bool {
    body.get("Resources").is_some()
        || body
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|u| u == LIST_RESPONSE_SCHEMA))
}

/// At most this many violations are reported per validation (a list of
/// thousands of resources failing one rule would otherwise fill memory).
const MAX_VIOLATIONS: usize = 100;

fn one_or_list(item: &Compiled, body: &Value, subject: &str, out: &mut Vec<Violation>) {
    if !is_list(body) {
        violations(item, body, "", subject, out);
        return;
    }
    violations(&REGISTRY.list_response, body, "", subject, out);
    paging(body, "", subject, out);
    if let Some(resources) = body.get("Resources").and_then(Value::as_array) {
        for (i, resource) in resources.iter().enumerate() {
            if out.len() >= MAX_VIOLATIONS {
                break;
            }
            violations(item, resource, &format!("/Resources/{i}"), subject, out);
        }
    }
}

fn violations(
    compiled: &Compiled,
    body: &Value,
    prefix: &str,
    subject: &str,
    out: &mut Vec<Violation>,
) {
    let room = MAX_VIOLATIONS.saturating_sub(out.len());
    for error in compiled.validator.iter_errors(body).take(room) {
        let pointer = format!("{prefix}{}", error.instance_path());
        let at = if pointer.is_empty() {
            "(root)".to_string()
        } else {
            pointer
        };
        let rule = error.schema_path().to_string();
        let text = explain(&rule, compiled.urn)
            .unwrap_or_else(|| clip(&error.to_string(), MAX_MESSAGE, Mark::Ellipsis));
        out.push(Violation {
            subject: subject.to_string(),
            message: format!("{subject} schema: {at}: {text} (rule {rule})"),
            expected: Some(format!("{subject} schema rule {rule}")),
            actual: Some(clip(
                &error.instance().to_string(),
                MAX_MESSAGE,
                Mark::Ellipsis,
            )),
        });
    }
}

/// Rules JSON Schema cannot state: `Resources` never outnumbers
/// `totalResults`, and a partial page carries `startIndex` and
/// `itemsPerPage` (RFC 7644 §3.4.2).
fn paging(body: &Value, prefix: &str, subject: &str, out: &mut Vec<Violation>) {
    let (Some(total), Some(resources)) = (
        body.get("totalResults").and_then(Value::as_u64),
        body.get("Resources").and_then(Value::as_array),
    ) else {
        return;
    };
    let count = resources.len() as u64;
    let at = if prefix.is_empty() { "(root)" } else { prefix };
    let mut fail = |message: String, rule: &str| {
        out.push(Violation {
            subject: subject.to_string(),
            message: format!("{subject} schema: {at}: {message} (rule {rule})"),
            expected: Some(format!("{subject} schema rule {rule}")),
            actual: Some(format!("totalResults {total}, {count} Resources")),
        });
    };
    if count > total {
        fail(
            format!("`Resources` has {count} entries but `totalResults` is {total}"),
            "RFC 7644 §3.4.2 totalResults",
        );
    }
    if count < total {
        for key in ["startIndex", "itemsPerPage"] {
            if body.get(key).is_none() {
                fail(
                    format!("`{key}` is required on a partial page ({count} of {total} results)"),
                    "RFC 7644 §3.4.2 pagination",
                );
            }
        }
    }
}

/// Plainer words for the rules whose generic message is cryptic.
fn explain(rule: &str, urn: Option<&str>) -> Option<String> {
    if rule.ends_with("/properties/schemas/contains") {
        return urn.map(|u| format!("`schemas` does not contain `{u}`"));
    }
    if rule.ends_with("/maxContains") {
        return Some("more than one element has `primary: true` (at most one may)".into());
    }
    if rule == "/properties/password" {
        return Some(
            "`password` is returned, but RFC 7643 §4.1.1 says it is never returned".into(),
        );
    }
    None
}
