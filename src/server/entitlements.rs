//! Okta Identity Governance's resource types on the reference server
//! (okta-wire.md §4.5): the configured catalogue of roles and entitlements
//! (`product.entitlement_types`), its validation, and the SCIM documents it
//! yields (`/ResourceTypes` entries, `/Schemas` entries, the resources of
//! each endpoint). Pure data and JSON: no HTTP, no store; the handlers live
//! in `routes::entitlements`.
//!
//! ```yaml
//! product:
//!   entitlement_types:            # omitted → the default set below; [] → none
//!     - name: Role
//!       endpoint: /Roles
//!       schema: urn:okta:scim:schemas:core:1.0:Role
//!       description: Roles a user can hold
//!       values:
//!         - { id: admin, display_name: Administrator, description: Full access }
//!     - name: License
//!       endpoint: /Licenses
//!       schema: urn:okta:scim:schemas:core:1.0:Entitlement
//!       values:
//!         - { id: pro, display_name: Pro, type: License }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::scim::{OKTA_ENTITLEMENT_SCHEMA, OKTA_ROLE_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA};

/// Okta's limit on an entitlement's `description` (okta-wire.md §4.5).
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// Endpoints the server already serves (compared case-insensitively).
const RESERVED: &[&str] = &[
    "Users",
    "Groups",
    "ServiceProviderConfig",
    "ResourceTypes",
    "Schemas",
    "Bulk",
    "Me",
    ".search",
];

/// One resource type of roles or entitlements and its values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EntitlementType {
    /// The resource type's `id` and `name` in `/ResourceTypes` (`Role`, `License`).
    pub name: String,
    /// Its endpoint relative to the SCIM base (`/Roles`), one path segment.
    pub endpoint: String,
    /// `urn:okta:scim:schemas:core:1.0:Role` or `…:Entitlement`.
    pub schema: String,
    /// The resource type's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The roles or entitlements served at the endpoint, in this order.
    #[serde(default)]
    pub values: Vec<EntitlementValue>,
}

/// One role or entitlement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EntitlementValue {
    /// Its `id`: the `value` a user's `roles` / `entitlements` entry carries.
    pub id: String,
    /// Its `displayName`.
    pub display_name: String,
    /// Its `type` (entitlements: `License`, …).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its `description` (at most [`MAX_DESCRIPTION_CHARS`] characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn value(id: &str, display: &str, kind: Option<&str>, description: &str) -> EntitlementValue {
    EntitlementValue {
        id: id.to_owned(),
        display_name: display.to_owned(),
        kind: kind.map(str::to_owned),
        description: Some(description.to_owned()),
    }
}

/// The default catalogue: roles `admin`, `editor`, `member`, `viewer` at
/// `/Roles`, and licenses `basic`, `pro`, `enterprise` at `/Licenses`.
pub fn default_types() -> Vec<EntitlementType> {
    let license = Some("License");
    vec![
        EntitlementType {
            name: "Role".to_owned(),
            endpoint: "/Roles".to_owned(),
            schema: OKTA_ROLE_SCHEMA.to_owned(),
            description: Some("Roles a user can hold in the product".to_owned()),
            values: vec![
                value("admin", "Administrator", None, "Full access"),
                value("editor", "Editor", None, "Creates and edits content"),
                value("member", "Member", None, "Default access"),
                value("viewer", "Viewer", None, "Read-only access"),
            ],
        },
        EntitlementType {
            name: "License".to_owned(),
            endpoint: "/Licenses".to_owned(),
            schema: OKTA_ENTITLEMENT_SCHEMA.to_owned(),
            description: Some("Licenses a user can be granted".to_owned()),
            values: vec![
                value("basic", "Basic", license, "The free tier"),
                value("pro", "Pro", license, "The paid tier"),
                value("enterprise", "Enterprise", license, "Every feature"),
            ],
        },
    ]
}

/// Checks a catalogue: names and endpoints unique and not the server's own,
/// one path segment per endpoint, an Okta schema, ids unique and
/// non-empty, display names non-empty, descriptions within Okta's limit.
pub fn validate(types: &[EntitlementType]) -> Result<(), String> {
    let mut names: Vec<String> = Vec::new();
    let mut endpoints: Vec<String> = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let at = format!("product.entitlement_types[{i}]");
        if t.name.trim().is_empty() {
            return Err(format!("{at}.name must not be empty"));
        }
        let segment = t.endpoint.strip_prefix('/').unwrap_or_default();
        if segment.is_empty()
            || !segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "{at}.endpoint `{}` must be `/` and one segment of letters, digits, `_` or `-`",
                t.endpoint
            ));
        }
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(segment)) {
            return Err(format!(
                "{at}.endpoint `{}` is one of the server's own endpoints",
                t.endpoint
            ));
        }
        if ["User", "Group"]
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&t.name))
        {
            return Err(format!(
                "{at}.name `{}` is a built-in resource type",
                t.name
            ));
        }
        if names.iter().any(|n| n.eq_ignore_ascii_case(&t.name)) {
            return Err(format!("{at}.name `{}` is declared twice", t.name));
        }
        if endpoints
            .iter()
            .any(|e| e.eq_ignore_ascii_case(&t.endpoint))
        {
            return Err(format!("{at}.endpoint `{}` is declared twice", t.endpoint));
        }
        names.push(t.name.clone());
        endpoints.push(t.endpoint.clone());
        if t.schema != OKTA_ROLE_SCHEMA && t.schema != OKTA_ENTITLEMENT_SCHEMA {
            return Err(format!(
                "{at}.schema must be {OKTA_ROLE_SCHEMA} or {OKTA_ENTITLEMENT_SCHEMA}"
            ));
        }
        let mut ids: Vec<&str> = Vec::new();
        for (j, v) in t.values.iter().enumerate() {
            let at = format!("{at}.values[{j}]");
            if v.id.trim().is_empty() || v.id.contains('/') {
                return Err(format!("{at}.id must be non-empty and contain no `/`"));
            }
            if ids.contains(&v.id.as_str()) {
                return Err(format!("{at}.id `{}` is declared twice", v.id));
            }
            ids.push(&v.id);
            if v.display_name.trim().is_empty() {
                return Err(format!("{at}.display_name must not be empty"));
            }
            if v.description
                .as_ref()
                .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
            {
                return Err(format!(
                    "{at}.description is longer than {MAX_DESCRIPTION_CHARS} characters"
                ));
            }
        }
    }
    Ok(())
}

/// The type served at `endpoint` (`/Roles` or `Roles`), exact spelling.
pub fn find<'a>(types: &'a [EntitlementType], endpoint: &str) -> Option<&'a EntitlementType> {
    let segment = endpoint.trim_start_matches('/');
    types
        .iter()
        .find(|t| t.endpoint.trim_start_matches('/') == segment)
}

/// The SCIM resource of one value (`base`: the absolute SCIM base URL).
pub fn resource(t: &EntitlementType, v: &EntitlementValue, base: &str) -> Value {
    let mut doc = Map::new();
    doc.insert("schemas".into(), json!([t.schema]));
    doc.insert("id".into(), json!(v.id));
    doc.insert("displayName".into(), json!(v.display_name));
    if let Some(kind) = &v.kind {
        doc.insert("type".into(), json!(kind));
    }
    if let Some(description) = &v.description {
        doc.insert("description".into(), json!(description));
    }
    doc.insert(
        "meta".into(),
        json!({
            "resourceType": t.name,
            "location": format!("{base}{}/{}", t.endpoint, v.id),
        }),
    );
    Value::Object(doc)
}

/// The `/ResourceTypes` entry of a type.
pub fn resource_type(t: &EntitlementType, base: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": t.name,
        "name": t.name,
        "endpoint": t.endpoint,
        "description": t.description.clone().unwrap_or_else(|| t.name.clone()),
        "schema": t.schema,
        "schemaExtensions": [],
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{}", t.name)},
    })
}

fn attribute(name: &str, description: &str, required: bool, uniqueness: &str) -> Value {
    json!({
        "name": name,
        "type": "string",
        "multiValued": false,
        "description": description,
        "required": required,
        "caseExact": false,
        "mutability": "readOnly",
        "returned": "default",
        "uniqueness": uniqueness,
    })
}

/// The `/Schemas` entry of one of Okta's two schemas (RFC 7643 §7 shape):
/// `displayName` (required), `type` (entitlements only) and `description`.
pub fn schema(urn: &str, base: &str) -> Option<Value> {
    let (name, mut attributes) = match urn {
        OKTA_ROLE_SCHEMA => ("Role", Vec::new()),
        OKTA_ENTITLEMENT_SCHEMA => (
            "Entitlement",
            vec![attribute(
                "type",
                "The kind of entitlement (License, …)",
                false,
                "none",
            )],
        ),
        _ => return None,
    };
    attributes.insert(
        0,
        attribute(
            "displayName",
            "The name shown to administrators",
            true,
            "none",
        ),
    );
    attributes.push(attribute(
        "description",
        "What it grants (at most 1000 characters)",
        false,
        "none",
    ));
    Some(json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": urn,
        "name": name,
        "description": format!("Okta Identity Governance {name}"),
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{urn}")},
    }))
}

/// The distinct schemas a catalogue uses, in first-use order.
pub(crate) fn schemas_in_use(types: &[EntitlementType]) -> Vec<&str> {
    let mut urns: Vec<&str> = Vec::new();
    for t in types {
        if !urns.contains(&t.schema.as_str()) {
            urns.push(&t.schema);
        }
    }
    urns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(edit: impl FnOnce(&mut Vec<EntitlementType>)) -> Result<(), String> {
        let mut types = default_types();
        edit(&mut types);
        validate(&types)
    }

    #[test]
    fn the_default_catalogue_is_valid_and_uses_both_okta_schemas() {
        assert_eq!(validate(&default_types()), Ok(()));
        assert_eq!(
            schemas_in_use(&default_types()),
            vec![OKTA_ROLE_SCHEMA, OKTA_ENTITLEMENT_SCHEMA]
        );
    }

    #[test]
    fn bad_catalogues_are_rejected_with_the_offending_field() {
        type Edit = Box<dyn FnOnce(&mut Vec<EntitlementType>)>;
        let cases: Vec<(&str, Edit)> = vec![
            (
                "endpoint `Roles`",
                Box::new(|t| t[0].endpoint = "Roles".into()),
            ),
            (
                "endpoint `/a/b`",
                Box::new(|t| t[0].endpoint = "/a/b".into()),
            ),
            (
                "server's own",
                Box::new(|t| t[0].endpoint = "/users".into()),
            ),
            ("built-in", Box::new(|t| t[0].name = "Group".into())),
            (
                "name `role` is declared twice",
                Box::new(|t| t[1].name = "role".into()),
            ),
            (
                "endpoint `/Roles` is declared twice",
                Box::new(|t| t[1].endpoint = "/Roles".into()),
            ),
            (
                "schema must be",
                Box::new(|t| t[0].schema = "urn:x:Role".into()),
            ),
            (
                "id `admin` is declared twice",
                Box::new(|t| t[0].values[1].id = "admin".into()),
            ),
            (
                "id must be non-empty",
                Box::new(|t| t[0].values[0].id = " ".into()),
            ),
            (
                "display_name",
                Box::new(|t| t[1].values[0].display_name = String::new()),
            ),
            (
                "longer than 1000",
                Box::new(|t| t[1].values[0].description = Some("x".repeat(1001))),
            ),
        ];
        for (needle, edit) in cases {
            let err = with(edit).expect_err(needle);
            assert!(err.contains(needle), "{needle}: {err}");
            assert!(err.starts_with("product.entitlement_types["), "{err}");
        }
        assert_eq!(
            with(|t| t[1].values[0].description = Some("é".repeat(1000))),
            Ok(())
        );
        assert_eq!(with(Vec::clear), Ok(()));
    }

    #[test]
    fn a_resource_carries_its_schema_type_and_location() {
        let types = default_types();
        let license = find(&types, "Licenses").expect("licenses");
        let doc = resource(license, &license.values[1], "http://h/scim/v2");
        assert_eq!(doc["schemas"], json!([OKTA_ENTITLEMENT_SCHEMA]));
        assert_eq!(doc["id"], "pro");
        assert_eq!(doc["displayName"], "Pro");
        assert_eq!(doc["type"], "License");
        assert_eq!(doc["meta"]["location"], "http://h/scim/v2/Licenses/pro");
        assert_eq!(doc["meta"]["resourceType"], "License");
        let role = resource(&types[0], &types[0].values[0], "b");
        assert!(role.get("type").is_none());
        assert!(find(&types, "/roles").is_none());
    }

    #[test]
    fn schemas_exist_for_the_two_okta_urns_only() {
        let role = schema(OKTA_ROLE_SCHEMA, "b").expect("role");
        let names: Vec<&str> = role["attributes"]
            .as_array()
            .expect("attributes")
            .iter()
            .filter_map(|a| a["name"].as_str())
            .collect();
        assert_eq!(names, vec!["displayName", "description"]);
        let ent = schema(OKTA_ENTITLEMENT_SCHEMA, "b").expect("entitlement");
        assert_eq!(ent["attributes"].as_array().map(Vec::len), Some(3));
        assert!(schema("urn:x", "b").is_none());
    }
}
