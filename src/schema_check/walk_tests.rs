//! The server (`scim::schema::validate`, first violation, `Side::Request`)
//! and the harness (`validate_declared`, every violation, `Side::Response`)
//! walk attribute definitions with the one walk (`scim::schema::walk`): on
//! the same resource they name the same attributes (RFC 7643 §2.1-2.4), and
//! differ only where a request and a response differ (§2.2 `required` vs
//! `readOnly` / `returned: never`, §2.5 unassigned values, undeclared keys).

use serde_json::{Value, json};

use super::validate_declared;
use crate::scim::schema::{ResourceSchema, SchemaDef, SchemaViolation, validate};
use crate::scim::{ENTERPRISE_USER_SCHEMA, USER_SCHEMA};

/// The server's first violation, as its path (`None`: accepted).
fn server(resource: &Value, schema: &ResourceSchema) -> Option<String> {
    match validate(resource, schema) {
        Ok(()) => None,
        Err(
            SchemaViolation::InvalidValue { path, .. } | SchemaViolation::Mutability { path, .. },
        ) => Some(path),
    }
}

/// The harness's violations, as their paths (the message up to " is ").
fn harness(resource: &Value, declared: &[SchemaDef]) -> Vec<String> {
    validate_declared(resource, declared)
        .into_iter()
        .map(|v| {
            v.message
                .split(" is ")
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// `emails[0].primary` → `emails.primary`: the server names no element.
fn plain(path: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for c in path.chars() {
        match c {
            '[' => skip = true,
            ']' => skip = false,
            _ if !skip => out.push(c),
            _ => {}
        }
    }
    out
}

fn user() -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "id": "42", "userName": "bjensen", "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
        "meta": {"resourceType": "User", "created": "2026-11-24T04:00:00Z",
                 "lastModified": "2026-11-24T04:00:00Z", "location": "https://x/Users/42",
                 "version": "W/\"1\""},
        ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "manager": {"value": "26118915"}},
    })
}

type Edit = fn(&mut Value);

fn remove(v: &mut Value, key: &str) {
    if let Some(o) = v.as_object_mut() {
        o.remove(key);
    }
}

#[test]
fn server_and_harness_name_the_same_attribute_on_the_same_user() {
    let declared: Vec<SchemaDef> = crate::scim::schema::builtin_schemas()
        .into_iter()
        .cloned()
        .collect();
    // (RFC case, edit, the one attribute both must name; "" = both accept)
    let table: &[(&str, Edit, &str)] = &[
        ("conformant", |_| {}, ""),
        // §2.4: canonical values are suggestions, never a violation.
        (
            "non-canonical type",
            |u| u["emails"][0]["type"] = json!("pager"),
            "",
        ),
        // §2.1: attribute names are case-insensitive.
        (
            "case of names",
            |u| {
                remove(u, "userName");
                u["USERNAME"] = json!("b");
                u["Emails"] = u["emails"].take();
                remove(u, "emails");
                u["Emails"][0]["PRIMARY"] = json!(false);
            },
            "",
        ),
        (
            "case of a wrong name",
            |u| u["ACTIVE"] = json!("yes"),
            "active",
        ),
        // §2.3: types.
        (
            "boolean as string",
            |u| u["active"] = json!("true"),
            "active",
        ),
        ("string as number", |u| u["userName"] = json!(5), "userName"),
        ("complex as string", |u| u["name"] = json!("Jane"), "name"),
        (
            "dateTime not RFC 3339",
            |u| u["meta"]["created"] = json!("yesterday"),
            "meta.created",
        ),
        (
            "extension attribute type",
            |u| u[ENTERPRISE_USER_SCHEMA]["employeeNumber"] = json!(7),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        ),
        // §2.4: multi-valued vs single-valued.
        (
            "multi-valued as object",
            |u| u["emails"] = json!({"value": "a"}),
            "emails",
        ),
        (
            "single-valued as array",
            |u| u["userName"] = json!(["a"]),
            "userName",
        ),
        (
            "complex single as array",
            |u| u["name"] = json!([{"givenName": "a"}]),
            "name",
        ),
        // §2.3.8: sub-attributes.
        (
            "sub-attribute type",
            |u| u["emails"][0]["primary"] = json!(1),
            "emails[0].primary",
        ),
        (
            "element not an object",
            |u| u["emails"] = json!(["a@x"]),
            "emails[0]",
        ),
        (
            "null complex element",
            |u| u["emails"] = json!([null]),
            "emails[0]",
        ),
        (
            "extension sub-attribute",
            |u| u[ENTERPRISE_USER_SCHEMA]["manager"]["value"] = json!(9),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        ),
        // §2.2: required, neither readOnly nor returned never.
        ("required missing", |u| remove(u, "userName"), "userName"),
        ("required null", |u| u["userName"] = Value::Null, "userName"),
        // §2.5: null and [] are unassigned, accepted for an optional attribute.
        ("optional null", |u| u["nickName"] = Value::Null, ""),
        ("optional []", |u| u["phoneNumbers"] = json!([]), ""),
    ];
    for (case, edit, expected) in table {
        let mut u = user();
        edit(&mut u);
        let got_harness = harness(&u, &declared);
        let got_server = server(&u, ResourceSchema::user());
        if expected.is_empty() {
            assert_eq!(got_server, None, "{case}: server");
            assert_eq!(got_harness, Vec::<String>::new(), "{case}: harness");
        } else {
            assert_eq!(got_harness, vec![expected.to_string()], "{case}: harness");
            assert_eq!(got_server, Some(plain(expected)), "{case}: server");
        }
    }
}

#[test]
fn request_and_response_differ_only_where_rfc_7643_says() {
    let def: SchemaDef = serde_json::from_value(json!({
        "id": "urn:example:Thing", "name": "Thing", "attributes": [
            {"name": "label", "type": "string", "required": true},
            {"name": "serial", "type": "string", "required": true, "mutability": "readOnly"},
            {"name": "secret", "type": "string", "required": true, "returned": "never",
             "mutability": "writeOnly"},
            {"name": "code", "type": "string", "mutability": "immutable",
             "canonicalValues": ["a", "b"]},
            {"name": "part", "type": "complex", "subAttributes": [
                {"name": "key", "type": "string", "required": true}]}
        ]
    }))
    .expect("schema");
    let schema = ResourceSchema {
        core: def.clone(),
        extensions: vec![],
    };
    let declared = vec![def];
    let base = json!({"schemas": ["urn:example:Thing"], "label": "x", "serial": "1",
                      "code": "c", "part": {"key": "k"}});
    // (case, edit, server's path, harness's paths)
    let table: &[(&str, Edit, Option<&str>, &[&str])] = &[
        // A client need not send a readOnly attribute; a server must return it.
        (
            "required readOnly absent",
            |t| {
                t["secret"] = json!("s");
                remove(t, "serial");
            },
            None,
            &["secret", "serial"],
        ),
        // A client must send a required writeOnly attribute; a server never returns it.
        (
            "required returned-never absent",
            |_| {},
            Some("secret"),
            &[],
        ),
        (
            "returned-never present",
            |t| t["secret"] = json!("s"),
            None,
            &["secret"],
        ),
        // Immutable and non-canonical values are no type violation (§2.2, §2.4).
        (
            "immutable, non-canonical",
            |t| {
                t["secret"] = json!("s");
                t["code"] = json!("zz");
            },
            None,
            &["secret"],
        ),
        // "" is unassigned for a required attribute in a request only.
        (
            "required empty string",
            |t| {
                t["secret"] = json!("s");
                t["label"] = json!("");
            },
            Some("label"),
            &["secret"],
        ),
        // A server ignores (and drops) what it does not declare; the
        // harness holds a target to its own /Schemas.
        (
            "undeclared key",
            |t| {
                t["secret"] = json!("s");
                t["vendor"] = json!(1);
            },
            None,
            &["secret", "vendor"],
        ),
        // Required sub-attributes are held against responses only.
        (
            "required sub-attribute",
            |t| {
                t["secret"] = json!("s");
                t["part"] = json!({});
            },
            None,
            &["part.key", "secret"],
        ),
        // Both see a type mismatch, in document order.
        (
            "type mismatch",
            |t| {
                t["secret"] = json!("s");
                t["code"] = json!(1);
            },
            Some("code"),
            &["code", "secret"],
        ),
    ];
    for (case, edit, server_path, harness_paths) in table {
        let mut t = base.clone();
        edit(&mut t);
        assert_eq!(
            server(&t, &schema).as_deref(),
            *server_path,
            "{case}: server"
        );
        let mut got = harness(&t, &declared);
        got.sort();
        assert_eq!(got, *harness_paths, "{case}: harness");
    }
}
