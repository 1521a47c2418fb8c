//! Schema validation of a whole resource (types, required attributes) as the
//! server does it, stopping at the first violation of the shared walk
//! ([`walk`](super::walk), `Side::Request`), Entra ID string-boolean
//! normalisation, and the PUT mutability check.
//!
//! Attributes unknown to the schema are not checked here (the server drops
//! them first with [`strip_undeclared`](super::strip_undeclared), so a
//! client's vendor keys are ignored, never refused); `null` means "unassigned" and is
//! accepted for every attribute except required ones.

use std::ops::ControlFlow;

use serde_json::{Map, Value};

use super::error::SchemaViolation;
use super::model::{AttributeDef, AttributeType, Mutability, find_attribute};
use super::resource::{ResourceSchema, common_attributes, get_ci};
use super::walk::{Finding, Level, Path, Side, Visit, walk_element, walk_object, walk_value};

/// One container of attributes: the top level (core + common) or an extension object.
struct Container<'a> {
    defs: &'a [AttributeDef],
    common: &'a [AttributeDef],
    prefix: String,
}

impl Container<'_> {
    fn all(&self) -> impl Iterator<Item = &AttributeDef> {
        self.common.iter().chain(self.defs.iter())
    }
}

fn containers(schema: &ResourceSchema) -> Vec<(Option<&str>, Container<'_>)> {
    let mut v = vec![(
        None,
        Container {
            defs: &schema.core.attributes,
            common: common_attributes(),
            prefix: String::new(),
        },
    )];
    for (ext, _) in &schema.extensions {
        v.push((
            Some(ext.id.as_str()),
            Container {
                defs: &ext.attributes,
                common: &[],
                prefix: format!("{}:", ext.id),
            },
        ));
    }
    v
}

/// Checks a resource against its schema: value types (string, boolean,
/// integer, decimal, RFC 3339 dateTime, complex, multi-valued arrays) and
/// required attributes (e.g. `userName`), both as `invalidValue`. Read-only
/// attributes are not required of clients. Run [`normalize_booleans`] first
/// to accept Entra ID's `"True"`/`"False"`.
pub fn validate(resource: &Value, schema: &ResourceSchema) -> Result<(), SchemaViolation> {
    let Some(obj) = resource.as_object() else {
        return Err(SchemaViolation::invalid(
            "",
            "a resource must be a JSON object",
        ));
    };
    for (urn, container) in containers(schema) {
        let inner = match urn {
            None => obj,
            Some(urn) => {
                let required = schema.extensions.iter().any(|(s, req)| *req && s.id == urn);
                match get_ci(obj, urn) {
                    None | Some(Value::Null) if required => {
                        return Err(SchemaViolation::invalid(urn, "required extension missing"));
                    }
                    None | Some(Value::Null) => continue,
                    Some(Value::Object(m)) => m,
                    Some(_) => {
                        return Err(SchemaViolation::invalid(
                            urn,
                            "an extension must be a JSON object",
                        ));
                    }
                }
            }
        };
        validate_container(inner, &container)?;
    }
    Ok(())
}

fn validate_container(obj: &Map<String, Value>, c: &Container<'_>) -> Result<(), SchemaViolation> {
    let defs: Vec<&AttributeDef> = c.all().collect();
    let level = if c.prefix.is_empty() {
        Level::Resource
    } else {
        Level::Extension
    };
    first_violation(|visit| {
        walk_object(
            obj,
            &defs,
            &Path::prefix(&c.prefix),
            level,
            Side::Request,
            visit,
        )
    })
}

/// Runs a walk and keeps the first finding the server refuses (undeclared
/// keys and `returned: never` values are not refused in a request).
fn first_violation<'d, 'v>(
    walk: impl FnOnce(&mut Visit<'_, 'd, 'v>) -> ControlFlow<()>,
) -> Result<(), SchemaViolation> {
    let mut first = None;
    let _ = walk(&mut |finding| match violation(&finding) {
        Some(v) => {
            first = Some(v);
            ControlFlow::Break(())
        }
        None => ControlFlow::Continue(()),
    });
    first.map_or(Ok(()), Err)
}

/// How the server words a finding (`None`: not refused).
fn violation(finding: &Finding<'_, '_>) -> Option<SchemaViolation> {
    let path = &finding.path().plain;
    match finding {
        Finding::Undeclared { .. } | Finding::ReturnedNever { .. } => None,
        Finding::NotMultiValued { .. } => Some(SchemaViolation::invalid(
            path,
            "a multi-valued attribute must be a JSON array",
        )),
        Finding::NotSingleValued { def, .. } | Finding::WrongType { def, .. } => {
            Some(SchemaViolation::invalid(
                path,
                match def.kind {
                    AttributeType::Complex => "expected a JSON object".to_owned(),
                    kind => format!("expected a {}", type_name(kind)),
                },
            ))
        }
        Finding::Missing { .. } => Some(SchemaViolation::invalid(
            path,
            "required attribute is missing",
        )),
    }
}

/// Whether a value counts as unassigned (RFC 7643 §2.5: null, "" , [] or {}).
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Checks one attribute value (an array for multi-valued attributes) against
/// its definition; `path` names it in the error.
pub fn check_value(value: &Value, def: &AttributeDef, path: &str) -> Result<(), SchemaViolation> {
    first_violation(|visit| walk_value(value, def, &Path::prefix(path), Side::Request, visit))
}

/// Checks one (non-array) value, e.g. one element of a multi-valued
/// attribute, against an attribute's type.
pub fn check_single(value: &Value, def: &AttributeDef, path: &str) -> Result<(), SchemaViolation> {
    first_violation(|visit| walk_element(value, def, &Path::prefix(path), Side::Request, visit))
}

fn type_name(kind: AttributeType) -> &'static str {
    match kind {
        AttributeType::String => "string",
        AttributeType::Boolean => "boolean",
        AttributeType::Decimal => "decimal number",
        AttributeType::Integer => "integer",
        AttributeType::DateTime => "RFC 3339 dateTime string",
        AttributeType::Reference => "reference (URI string)",
        AttributeType::Complex => "complex object",
        AttributeType::Binary => "base64 binary string",
    }
}

/// Converts Entra ID's string booleans (`"True"`/`"False"`, any case) to JSON
/// booleans wherever the schema says the attribute is boolean, including
/// sub-attributes such as `emails[].primary` and extension attributes.
pub fn normalize_booleans(resource: &mut Value, schema: &ResourceSchema) {
    let Some(obj) = resource.as_object_mut() else {
        return;
    };
    for (key, value) in obj.iter_mut() {
        if let Some(ext) = schema.extension(key) {
            if let Some(inner) = value.as_object_mut() {
                for (k, v) in inner.iter_mut() {
                    if let Some(def) = ext.attribute(k) {
                        normalize_value(v, def);
                    }
                }
            }
        } else if let Some(def) =
            find_attribute(common_attributes(), key).or_else(|| schema.core.attribute(key))
        {
            normalize_value(value, def);
        }
    }
}

/// Normalises string booleans inside one attribute value (see [`normalize_booleans`]).
/// For a multi-valued attribute, a single element (not an array) is also accepted.
pub fn normalize_value(value: &mut Value, def: &AttributeDef) {
    match value {
        Value::Array(items) => {
            for i in items {
                normalize_single(i, def);
            }
        }
        _ => normalize_single(value, def),
    }
}

fn normalize_single(value: &mut Value, def: &AttributeDef) {
    match def.kind {
        AttributeType::Boolean => {
            if let Some(b) = value.as_str().and_then(parse_bool) {
                *value = Value::Bool(b);
            }
        }
        AttributeType::Complex => {
            if let Some(obj) = value.as_object_mut() {
                for (k, v) in obj.iter_mut() {
                    if let Some(sub) = def.sub_attribute(k) {
                        normalize_value(v, sub);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Parses `true`/`false` case-insensitively (Entra ID sends `"True"`/`"False"`).
pub fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The PUT mutability check (RFC 7644 §3.5.1): an `immutable` attribute that
/// already has a value may not be given a different one (`mutability`).
/// `readOnly` attributes are not checked: the server keeps `id`, `meta` and
/// `groups` from the old resource and ignores what the client sent. An
/// attribute omitted from `new` is not a change here. Immutable sub-attributes
/// of multi-valued attributes (e.g. `members.value`) are not checked, since
/// elements have no identity across a replace.
pub fn check_mutability(
    old: &Value,
    new: &Value,
    schema: &ResourceSchema,
) -> Result<(), SchemaViolation> {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return Ok(());
    };
    for (urn, c) in containers(schema) {
        let (o, n) = match urn {
            None => (Some(old), Some(new)),
            Some(u) => (
                get_ci(old, u).and_then(Value::as_object),
                get_ci(new, u).and_then(Value::as_object),
            ),
        };
        let (Some(o), Some(n)) = (o, n) else { continue };
        for def in c.all() {
            let path = format!("{}{}", c.prefix, def.name);
            let (ov, nv) = (get_ci(o, &def.name), get_ci(n, &def.name));
            check_immutable(ov, nv, def, &path)?;
            if !def.multi_valued && def.kind == AttributeType::Complex {
                let (Some(os), Some(ns)) =
                    (ov.and_then(Value::as_object), nv.and_then(Value::as_object))
                else {
                    continue;
                };
                for sub in &def.sub_attributes {
                    check_immutable(
                        get_ci(os, &sub.name),
                        get_ci(ns, &sub.name),
                        sub,
                        &format!("{path}.{}", sub.name),
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn check_immutable(
    old: Option<&Value>,
    new: Option<&Value>,
    def: &AttributeDef,
    path: &str,
) -> Result<(), SchemaViolation> {
    if def.mutability != Mutability::Immutable {
        return Ok(());
    }
    match (old, new) {
        (Some(o), Some(n)) if !is_empty(o) && !is_empty(n) && o != n => {
            Err(SchemaViolation::Mutability {
                path: path.to_owned(),
                mutability: "immutable",
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::{AttributeDef, SchemaDef};
    use serde_json::json;

    #[test]
    fn validate_accepts_rfc_full_user() {
        let u = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "2819c223", "userName": "bjensen", "active": true,
            "name": {"familyName": "Jensen"},
            "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
            "meta": {"created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "employeeNumber": "701984", "manager": {"value": "26118915"}
            }
        });
        assert_eq!(validate(&u, ResourceSchema::user()), Ok(()));
    }

    #[test]
    fn validate_rejects_missing_user_name() {
        let err = validate(&json!({"active": true}), ResourceSchema::user()).expect_err("missing");
        assert_eq!(err.scim_type(), "invalidValue");
        let err = validate(&json!({"userName": ""}), ResourceSchema::user()).expect_err("empty");
        assert_eq!(err.scim_type(), "invalidValue");
    }

    #[test]
    fn validate_rejects_wrong_types() {
        let cases = [
            json!({"userName": 5}),
            json!({"userName": "a", "active": "yes"}),
            json!({"userName": "a", "emails": {"value": "x"}}),
            json!({"userName": "a", "emails": [{"primary": "no"}]}),
            json!({"userName": "a", "name": "Jane"}),
            json!({"userName": "a", "meta": {"created": "yesterday"}}),
            json!({"userName": "a", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": 3}),
        ];
        for c in cases {
            let err = validate(&c, ResourceSchema::user()).expect_err("must fail");
            assert_eq!(err.scim_type(), "invalidValue", "{c}");
        }
    }

    #[test]
    fn validate_checks_integer_and_decimal() {
        let schema = ResourceSchema {
            core: SchemaDef {
                id: "urn:x".into(),
                name: None,
                description: None,
                attributes: serde_json::from_value::<Vec<AttributeDef>>(json!([
                    {"name": "n", "type": "integer"}, {"name": "d", "type": "decimal"}
                ]))
                .expect("defs"),
            },
            extensions: vec![],
        };
        assert!(validate(&json!({"n": 3, "d": 1.5}), &schema).is_ok());
        assert!(validate(&json!({"n": 3.5}), &schema).is_err());
        assert!(validate(&json!({"d": "1"}), &schema).is_err());
    }

    #[test]
    fn normalize_booleans_converts_entra_strings() {
        let mut u = json!({"userName": "a", "active": "False",
            "emails": [{"value": "x", "primary": "TRUE"}], "title": "True"});
        normalize_booleans(&mut u, ResourceSchema::user());
        assert_eq!(u["active"], json!(false));
        assert_eq!(u["emails"][0]["primary"], json!(true));
        assert_eq!(u["title"], json!("True"));
        assert_eq!(validate(&u, ResourceSchema::user()), Ok(()));
    }

    #[test]
    fn check_mutability_rejects_changed_immutable_only() {
        let schema = ResourceSchema {
            core: SchemaDef {
                id: "urn:x".into(),
                name: None,
                description: None,
                attributes: serde_json::from_value::<Vec<AttributeDef>>(json!([
                    {"name": "serial", "type": "string", "mutability": "immutable"},
                    {"name": "nick", "type": "string"}
                ]))
                .expect("defs"),
            },
            extensions: vec![],
        };
        let old = json!({"id": "1", "serial": "A", "nick": "x"});
        assert!(check_mutability(&old, &json!({"serial": "A", "nick": "y"}), &schema).is_ok());
        assert!(check_mutability(&old, &json!({"nick": "y"}), &schema).is_ok());
        assert!(check_mutability(&old, &json!({"id": "2", "serial": "A"}), &schema).is_ok());
        let err = check_mutability(&old, &json!({"serial": "B"}), &schema).expect_err("changed");
        assert_eq!(err.scim_type(), "mutability");
        assert!(check_mutability(&json!({}), &json!({"serial": "B"}), &schema).is_ok());
    }
}
