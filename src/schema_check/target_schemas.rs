//! Checks a returned resource against the schemas the server itself declared
//! in `/Schemas` (RFC 7643 §7): attribute types, `multiValued`, `required`,
//! `returned: never` attributes that came back anyway, and attributes no
//! declared schema defines. The core schema and every extension listed in
//! the resource's `schemas` are used; the common attributes (`id`,
//! `externalId`, `meta`, RFC 7643 §3.1) are checked against RFC 7643 even
//! when the server does not declare them. `null` and `[]` are accepted for
//! any attribute as "unassigned" (RFC 7643 §2.5), except a `required` one.
//! The attribute-level walk is the server's own
//! (`crate::scim::schema::walk`, `Side::Response`, every finding kept);
//! this module owns the resource level (`schemas`, extensions) and the words.

use std::ops::ControlFlow;

use serde_json::{Map, Value};

use super::violation::Violation;
use crate::scim::schema::walk::{Finding, Level, Path, Side, walk_object};
use crate::scim::schema::{AttributeDef, AttributeType, SchemaDef, common_attributes};

/// The failure subject of every declared-schema failure.
const SUBJECT: &str = "Declared";

/// Reads the schema definitions out of a `/Schemas` response: a
/// ListResponse (`Resources`), a bare array, or a single schema. Entries
/// that do not parse are skipped; the error names how many.
pub fn parse_declared(body: &Value) -> Result<Vec<SchemaDef>, String> {
    let items: Vec<&Value> = match body {
        Value::Array(list) => list.iter().collect(),
        Value::Object(o) if o.contains_key("Resources") => o
            .get("Resources")
            .and_then(Value::as_array)
            .map(|l| l.iter().collect())
            .unwrap_or_default(),
        Value::Object(o) if o.contains_key("attributes") => vec![body],
        _ => return Err("the /Schemas response is not a ListResponse of schemas".to_owned()),
    };
    let mut defs = Vec::new();
    let mut bad = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match serde_json::from_value::<SchemaDef>((*item).clone()) {
            Ok(d) => defs.push(d),
            Err(e) => bad.push(format!("Resources[{i}]: {e}")),
        }
    }
    if bad.is_empty() {
        Ok(defs)
    } else {
        Err(format!(
            "/Schemas entries that are not RFC 7643 §7 schemas: {}",
            bad.join("; ")
        ))
    }
}

/// Validates a resource (or every resource of a ListResponse) against the
/// declared schemas; one violation per problem, each naming the attribute.
pub fn validate_declared(resource: &Value, declared: &[SchemaDef]) -> Vec<Violation> {
    let mut out = Vec::new();
    let is_list = resource.get("Resources").is_some()
        || resource
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|u| u == crate::scim::LIST_RESPONSE_SCHEMA));
    if is_list {
        let list = resource.get("Resources").and_then(Value::as_array);
        for (i, item) in list.into_iter().flatten().enumerate() {
            check_resource(item, declared, &format!("Resources[{i}]."), &mut out);
        }
    } else {
        check_resource(resource, declared, "", &mut out);
    }
    out
}

fn fail(
    out: &mut Vec<Violation>,
    message: String,
    expected: Option<String>,
    actual: Option<&Value>,
) {
    out.push(Violation {
        subject: SUBJECT.to_owned(),
        message,
        expected,
        actual: actual.map(excerpt),
    });
}

/// `v` as compact JSON, cut to 120 characters (with `…`) for messages.
pub(crate) fn excerpt(v: &Value) -> String {
    crate::text::clip(&v.to_string(), 120, crate::text::Mark::Ellipsis)
}

fn find<'a>(declared: &'a [SchemaDef], urn: &str) -> Option<&'a SchemaDef> {
    declared.iter().find(|d| d.id.eq_ignore_ascii_case(urn))
}

fn check_resource(
    resource: &Value,
    declared: &[SchemaDef],
    prefix: &str,
    out: &mut Vec<Violation>,
) {
    let Some(obj) = resource.as_object() else {
        fail(
            out,
            format!("{prefix}resource is not a JSON object"),
            Some("an object".to_owned()),
            Some(resource),
        );
        return;
    };
    let urns: Vec<&str> = match obj.get("schemas").and_then(Value::as_array) {
        Some(list) => list.iter().filter_map(Value::as_str).collect(),
        None => {
            fail(
                out,
                format!("{prefix}schemas is missing or not an array"),
                Some("an array of schema URNs".to_owned()),
                obj.get("schemas"),
            );
            return;
        }
    };
    let mut core: Vec<&SchemaDef> = Vec::new();
    let mut extensions: Vec<(&str, &SchemaDef)> = Vec::new();
    for urn in &urns {
        let Some(def) = find(declared, urn) else {
            fail(
                out,
                format!("{prefix}schemas lists `{urn}`, which /Schemas does not declare"),
                Some("a URN served by /Schemas".to_owned()),
                None,
            );
            continue;
        };
        // An extension's attributes live under its URN (RFC 7643 §3.3).
        if obj.keys().any(|k| k.eq_ignore_ascii_case(urn)) {
            extensions.push((urn, def));
        } else {
            core.push(def);
        }
    }
    let core_attrs: Vec<&AttributeDef> = core
        .iter()
        .flat_map(|d| d.attributes.iter())
        .chain(common_attributes().iter())
        .collect();
    for (key, value) in obj {
        if let Some((urn, def)) = extensions.iter().find(|(u, _)| u.eq_ignore_ascii_case(key)) {
            let attrs: Vec<&AttributeDef> = def.attributes.iter().collect();
            match value.as_object() {
                Some(ext) => walk(
                    ext,
                    &attrs,
                    &format!("{prefix}{urn}:"),
                    Level::Extension,
                    out,
                ),
                None => fail(
                    out,
                    format!("{prefix}extension {urn} is not an object"),
                    Some("an object".to_owned()),
                    Some(value),
                ),
            }
            continue;
        }
        if key.starts_with("urn:") {
            fail(
                out,
                format!(
                    "{prefix}{key} is present but its URN is not listed in schemas (RFC 7643 §3)"
                ),
                Some(format!("`{key}` in schemas")),
                None,
            );
        }
    }
    walk(obj, &core_attrs, prefix, Level::Resource, out);
}

/// Walks one object level with the shared walk (`Side::Response`) and
/// words every finding.
fn walk(
    obj: &Map<String, Value>,
    attrs: &[&AttributeDef],
    prefix: &str,
    level: Level,
    out: &mut Vec<Violation>,
) {
    let at = Path::prefix(prefix);
    let _ = walk_object(obj, attrs, &at, level, Side::Response, &mut |finding| {
        word(&finding, out);
        ControlFlow::Continue(())
    });
}

/// How the harness words a finding.
fn word(finding: &Finding<'_, '_>, out: &mut Vec<Violation>) {
    let path = &finding.path().indexed;
    match finding {
        Finding::Undeclared { value, .. } => fail(
            out,
            format!("{path} is not declared by any schema in /Schemas"),
            Some("only attributes the server declares".to_owned()),
            Some(value),
        ),
        Finding::ReturnedNever { value, .. } => fail(
            out,
            format!("{path} is declared `returned: never` but was returned"),
            Some("absent".to_owned()),
            Some(value),
        ),
        Finding::NotMultiValued { def, value, .. } => fail(
            out,
            format!("{path} is declared multiValued but is not an array"),
            Some(format!("an array of {}", type_name(def.kind))),
            Some(value),
        ),
        Finding::NotSingleValued { def, value, .. } => fail(
            out,
            format!("{path} is declared single-valued but is an array"),
            Some(type_name(def.kind).to_owned()),
            Some(value),
        ),
        Finding::WrongType { def, value, .. } => fail(
            out,
            format!(
                "{path} is declared {} but is {}",
                type_name(def.kind),
                json_type(value)
            ),
            Some(type_name(def.kind).to_owned()),
            Some(value),
        ),
        Finding::Missing { .. } => fail(
            out,
            format!("{path} is declared required but is missing"),
            Some("a value".to_owned()),
            None,
        ),
    }
}

fn type_name(kind: AttributeType) -> &'static str {
    match kind {
        AttributeType::String => "a string",
        AttributeType::Boolean => "a boolean",
        AttributeType::Decimal => "a decimal",
        AttributeType::Integer => "an integer",
        AttributeType::DateTime => "a dateTime (RFC 3339 string)",
        AttributeType::Reference => "a reference (string)",
        AttributeType::Complex => "complex (an object)",
        AttributeType::Binary => "binary (a base64 string)",
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a decimal number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::schema::builtin_schemas;

    fn declared() -> Vec<SchemaDef> {
        builtin_schemas().into_iter().cloned().collect()
    }

    fn user() -> Value {
        json!({
            "schemas": [crate::scim::USER_SCHEMA, crate::scim::ENTERPRISE_USER_SCHEMA],
            "id": "42",
            "userName": "ada@example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "active": true,
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
            "phoneNumbers": [],
            "nickName": null,
            "meta": {"resourceType": "User", "created": "2026-11-24T04:00:00Z",
                     "lastModified": "2026-11-24T04:00:00.5Z", "location": "https://x/Users/42",
                     "version": "W/\"1\""},
            crate::scim::ENTERPRISE_USER_SCHEMA: {"employeeNumber": "7", "manager": {"value": "9"}},
        })
    }

    fn messages(v: &Value) -> Vec<String> {
        validate_declared(v, &declared())
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn a_conformant_user_has_no_failures() {
        assert_eq!(messages(&user()), Vec::<String>::new());
        let list = json!({"schemas": [crate::scim::LIST_RESPONSE_SCHEMA], "totalResults": 1,
                          "Resources": [user()]});
        assert_eq!(messages(&list), Vec::<String>::new());
        let empty = json!({"schemas": [crate::scim::LIST_RESPONSE_SCHEMA], "totalResults": 0});
        assert_eq!(messages(&empty), Vec::<String>::new());
    }

    #[test]
    fn each_contradiction_names_the_attribute() {
        type Edit = fn(&mut Value);
        let table: &[(Edit, &str)] = &[
            (
                |u| u["active"] = json!("true"),
                "active is declared a boolean",
            ),
            (
                |u| u["emails"] = json!({"value": "a"}),
                "emails is declared multiValued",
            ),
            (
                |u| u["userName"] = json!(["a"]),
                "userName is declared single-valued",
            ),
            (
                |u| u["password"] = json!("x"),
                "password is declared `returned: never`",
            ),
            (|u| u["vendorFlag"] = json!(1), "vendorFlag is not declared"),
            (
                |u| u["name"]["nick"] = json!("a"),
                "name.nick is not declared",
            ),
            (
                |u| u["emails"][0]["primary"] = json!(1),
                "emails[0].primary is declared a boolean",
            ),
            (
                |u| u["meta"]["created"] = json!("yesterday"),
                "meta.created is declared a dateTime",
            ),
            (
                |u| {
                    if let Some(o) = u.as_object_mut() {
                        o.remove("userName");
                    }
                },
                "userName is declared required",
            ),
            (
                |u| u["schemas"] = json!([crate::scim::USER_SCHEMA]),
                "is present but its URN is not listed in schemas",
            ),
            (
                |u| u["schemas"][0] = json!("urn:example:Nope"),
                "`urn:example:Nope`, which /Schemas does not declare",
            ),
            (
                |u| u[crate::scim::ENTERPRISE_USER_SCHEMA]["employeeNumber"] = json!(7),
                "enterprise:2.0:User:employeeNumber is declared a string",
            ),
        ];
        for (edit, needle) in table {
            let mut u = user();
            edit(&mut u);
            let got = messages(&u);
            assert!(
                got.iter().any(|m| m.contains(needle)),
                "expected a failure containing {needle:?}, got {got:?}"
            );
        }
    }

    #[test]
    fn list_failures_name_the_resource_index() {
        let mut bad = user();
        bad["active"] = json!(1);
        let list = json!({"Resources": [user(), bad]});
        let got = messages(&list);
        assert!(
            got.iter().any(|m| m.starts_with("Resources[1].active")),
            "{got:?}"
        );
    }

    #[test]
    fn schemas_responses_parse_in_every_shape() {
        let docs: Vec<Value> = declared()
            .iter()
            .map(|d| serde_json::to_value(d).expect("serialises"))
            .collect();
        let n = docs.len();
        let list = json!({"Resources": docs.clone(), "totalResults": n});
        assert_eq!(parse_declared(&list).map(|d| d.len()), Ok(n));
        assert_eq!(
            parse_declared(&Value::Array(docs.clone())).map(|d| d.len()),
            Ok(n)
        );
        assert_eq!(parse_declared(&docs[0]).map(|d| d.len()), Ok(1));
        assert!(parse_declared(&json!("nope")).is_err());
        assert!(
            parse_declared(&json!({"Resources": [{"id": "x", "attributes": [{"name": 1}]}]}))
                .is_err()
        );
    }
}
