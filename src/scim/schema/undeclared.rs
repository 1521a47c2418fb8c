//! Dropping what a resource's schemas do not declare from an incoming
//! resource: top-level keys that are neither a common attribute (RFC 7643
//! §3.1), a core attribute nor one of the resource type's extension URNs;
//! keys of an extension object its schema does not define (a `schemas` key
//! nested in an extension included); and sub-attributes a complex attribute
//! does not define. `schemas` itself is kept (the caller filters its URNs),
//! and `meta` is left alone (the server rebuilds it).
//!
//! This is how the reference server ignores undeclared attributes on POST,
//! PUT and PATCH alike: they are never stored and never returned, and no
//! request is refused for carrying one.

use serde_json::{Map, Value};

use super::model::{AttributeDef, AttributeType, find_attribute};
use super::resource::{ResourceSchema, common_attributes};

/// Removes every undeclared attribute from `resource` (see the module doc)
/// and returns the paths removed, as the client wrote them.
pub fn strip_undeclared(resource: &mut Value, schema: &ResourceSchema) -> Vec<String> {
    let mut dropped = Vec::new();
    let Some(obj) = resource.as_object_mut() else {
        return dropped;
    };
    let keys: Vec<String> = obj.keys().cloned().collect();
    for key in keys {
        if key == "schemas" || key.eq_ignore_ascii_case("meta") {
            continue;
        }
        if let Some(ext) = schema.extension(&key) {
            if let Some(Value::Object(inner)) = obj.get_mut(&key) {
                strip_object(inner, &ext.attributes, &format!("{key}:"), &mut dropped);
            }
            continue;
        }
        let def = find_attribute(common_attributes(), &key)
            .or_else(|| find_attribute(&schema.core.attributes, &key));
        match (def, obj.get_mut(&key)) {
            (Some(def), Some(value)) => strip_value(value, def, &key, &mut dropped),
            _ => {
                obj.remove(&key);
                dropped.push(key);
            }
        }
    }
    dropped
}

/// Drops the keys of one object level that `attrs` does not define.
fn strip_object(
    obj: &mut Map<String, Value>,
    attrs: &[AttributeDef],
    prefix: &str,
    dropped: &mut Vec<String>,
) {
    let keys: Vec<String> = obj.keys().cloned().collect();
    for key in keys {
        match (find_attribute(attrs, &key), obj.get_mut(&key)) {
            (Some(def), Some(value)) => {
                strip_value(value, def, &format!("{prefix}{key}"), dropped);
            }
            _ => {
                obj.remove(&key);
                dropped.push(format!("{prefix}{key}"));
            }
        }
    }
}

/// Drops the undeclared sub-attributes of a complex value (each element of
/// a multi-valued one). A complex attribute declaring no sub-attributes
/// keeps whatever it holds.
fn strip_value(value: &mut Value, def: &AttributeDef, path: &str, dropped: &mut Vec<String>) {
    if def.kind != AttributeType::Complex || def.sub_attributes.is_empty() {
        return;
    }
    let prefix = format!("{path}.");
    match value {
        Value::Object(obj) => strip_object(obj, &def.sub_attributes, &prefix, dropped),
        Value::Array(items) => {
            for item in items {
                if let Value::Object(obj) = item {
                    strip_object(obj, &def.sub_attributes, &prefix, dropped);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::scim::{ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA};

    #[test]
    fn undeclared_attributes_are_dropped_at_every_level() {
        type Row = (Value, Value, &'static [&'static str]);
        let table: Vec<Row> = vec![
            (
                json!({"userName": "a", "fooTop": "bar"}),
                json!({"userName": "a"}),
                &["fooTop"],
            ),
            (
                json!({"userName": "a", ENT: {"schemas": [ENT], "department": "R&D"}}),
                json!({"userName": "a", ENT: {"department": "R&D"}}),
                &["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:schemas"],
            ),
            (
                json!({"userName": "a", "name": {"givenName": "Ada", "nick": "x"}}),
                json!({"userName": "a", "name": {"givenName": "Ada"}}),
                &["name.nick"],
            ),
            (
                json!({"userName": "a", "emails": [{"value": "a@x", "label": "x"}, {"value": "b@x"}]}),
                json!({"userName": "a", "emails": [{"value": "a@x"}, {"value": "b@x"}]}),
                &["emails.label"],
            ),
            (
                json!({"userName": "a", "urn:example:custom:2.0:User": {"x": 1}}),
                json!({"userName": "a"}),
                &["urn:example:custom:2.0:User"],
            ),
            (
                json!({"userName": "a", ENT: {"manager": {"value": "9", "$ref": null, "extra": 1}}}),
                json!({"userName": "a", ENT: {"manager": {"value": "9", "$ref": null}}}),
                &["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.extra"],
            ),
        ];
        for (mut input, want, dropped) in table {
            let got = strip_undeclared(&mut input, ResourceSchema::user());
            assert_eq!(input, want);
            assert_eq!(got, dropped.to_vec());
        }
    }

    #[test]
    fn declared_common_and_server_managed_attributes_are_kept() {
        let mut user = json!({
            "schemas": [USER_SCHEMA, ENT], "id": "1", "externalId": "e",
            "USERNAME": "a", "meta": {"resourceType": "User", "whatever": 1},
            "groups": [{"value": "g", "display": "G", "type": "direct", "$ref": "x"}],
            "password": "p", "active": true,
            "urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:User": {"Department": "x"},
        });
        let before = user.clone();
        assert_eq!(
            strip_undeclared(&mut user, ResourceSchema::user()),
            Vec::<String>::new()
        );
        assert_eq!(user, before);
    }
}
