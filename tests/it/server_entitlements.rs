//! Router tests of Okta's role and entitlement resource types on the
//! reference server (issue 12, okta-wire.md §4.5): discovery, paging, reads
//! by id, SCIM errors for everything else, users carrying `roles` and
//! `entitlements`, and the YAML configuration.

use axum::http::{Method, StatusCode};
use scimulator::server::entitlements::{EntitlementType, EntitlementValue};
use scimulator::server::{ProductConfig, ServerConfig};
use serde_json::{Value, json};

use crate::server::Harness;

const ROLE: &str = "urn:okta:scim:schemas:core:1.0:Role";
const ENTITLEMENT: &str = "urn:okta:scim:schemas:core:1.0:Entitlement";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

fn ids(body: &Value) -> Vec<&str> {
    body["Resources"]
        .as_array()
        .map(|l| l.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn resource_types_and_schemas_list_okta_types() {
    let h = Harness::new();
    let types = h.scim(Method::GET, "/ResourceTypes", None).await;
    assert_eq!(types.status, StatusCode::OK);
    let schemas: Vec<&str> = types.body["Resources"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["schema"].as_str())
        .collect();
    assert!(
        schemas.contains(&ROLE) && schemas.contains(&ENTITLEMENT),
        "{schemas:?}"
    );
    let license = h.scim(Method::GET, "/ResourceTypes/License", None).await;
    assert_eq!(license.status, StatusCode::OK);
    assert_eq!(license.body["endpoint"], "/Licenses");
    for urn in [ROLE, ENTITLEMENT] {
        let schema = h.scim(Method::GET, &format!("/Schemas/{urn}"), None).await;
        assert_eq!(schema.status, StatusCode::OK, "{urn}");
        assert_eq!(schema.body["id"], urn);
    }
}

#[tokio::test]
async fn endpoints_page_by_start_index_and_count() {
    let h = Harness::new();
    // (query, ids, totalResults)
    let table: &[(&str, &[&str], u64)] = &[
        ("/Roles?count=1&startIndex=1", &["admin"], 4),
        ("/Roles?count=1&startIndex=3", &["member"], 4),
        ("/Roles?count=1&startIndex=9", &[], 4),
        ("/Licenses?startIndex=2", &["pro", "enterprise"], 3),
        ("/Licenses?count=0", &[], 3),
        ("/Licenses?filter=displayName%20eq%20%22Pro%22", &["pro"], 1),
    ];
    for (path, want, total) in table {
        let reply = h.scim(Method::GET, path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(ids(&reply.body), *want, "{path}");
        assert_eq!(reply.body["totalResults"], *total, "{path}");
        assert_eq!(reply.body["itemsPerPage"], want.len(), "{path}");
    }
    let one = h.scim(Method::GET, "/Licenses/pro", None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["schemas"], json!([ENTITLEMENT]));
    assert_eq!(one.body["type"], "License");
}

#[tokio::test]
async fn everything_else_gets_a_scim_error_never_a_500() {
    let h = Harness::new();
    let table: &[(Method, &str, Option<Value>, u16)] = &[
        (Method::GET, "/Roles/nobody", None, 404),
        (Method::GET, "/Nothing", None, 404),
        (Method::GET, "/Nothing/x", None, 404),
        (Method::GET, "/roles", None, 404),
        (
            Method::POST,
            "/Roles",
            Some(json!({"displayName": "x"})),
            405,
        ),
        (Method::DELETE, "/Roles/admin", None, 405),
        (Method::PUT, "/Licenses/pro", Some(json!({})), 405),
        (Method::GET, "/Roles?count=many", None, 400),
        (Method::GET, "/Roles?filter=displayName%20eq", None, 400),
        (Method::GET, "/Roles?sortOrder=sideways", None, 400),
    ];
    for (method, path, body, status) in table {
        let reply = h.scim(method.clone(), path, body.clone()).await;
        assert_eq!(reply.status.as_u16(), *status, "{method} {path}");
        assert_eq!(reply.body["schemas"], json!([ERROR]), "{method} {path}");
    }
    // The server's own routes are untouched by the catch-all.
    let users = h.scim(Method::DELETE, "/Users", None).await;
    assert_eq!(users.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn users_carry_roles_and_entitlements_through_post_put_and_patch() {
    let h = Harness::new();
    let created = h
        .scim(
            Method::POST,
            "/Users",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "grant@example.com",
                "roles": [{"value": "admin", "display": "Administrator"}],
                "entitlements": [{"value": "pro", "display": "Pro", "type": "License"}],
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["roles"][0]["value"], "admin");
    assert_eq!(created.body["entitlements"][0]["type"], "License");
    let id = created.body["id"].as_str().expect("id").to_owned();
    let patched = h
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "entitlements",
                                "value": [{"value": "enterprise", "type": "License"}]}],
            })),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    let values: Vec<&str> = patched.body["entitlements"]
        .as_array()
        .expect("entitlements")
        .iter()
        .filter_map(|e| e["value"].as_str())
        .collect();
    assert_eq!(values, vec!["pro", "enterprise"]);
    let mut user = patched.body.clone();
    user["entitlements"] = json!([]);
    let put = h
        .scim(Method::PUT, &format!("/Users/{id}"), Some(user))
        .await;
    assert_eq!(put.status, StatusCode::OK);
    assert!(put.body.get("entitlements").is_none_or(|e| e == &json!([])));
    assert_eq!(put.body["roles"][0]["value"], "admin");
}

#[tokio::test]
async fn the_catalogue_comes_from_the_configuration() {
    let product = ProductConfig {
        entitlement_types: vec![EntitlementType {
            name: "Permission".into(),
            endpoint: "/Permissions".into(),
            schema: ENTITLEMENT.into(),
            description: None,
            values: vec![EntitlementValue {
                id: "p1".into(),
                display_name: "Read".into(),
                kind: Some("Permission".into()),
                description: None,
            }],
        }],
        ..ProductConfig::reference()
    };
    let h = Harness::with_config(ServerConfig {
        product,
        ..ServerConfig::default()
    });
    let reply = h.scim(Method::GET, "/Permissions?count=1", None).await;
    assert_eq!(ids(&reply.body), vec!["p1"]);
    assert_eq!(
        h.scim(Method::GET, "/Roles", None).await.status,
        StatusCode::NOT_FOUND
    );
    let schemas = h.scim(Method::GET, &format!("/Schemas/{ROLE}"), None).await;
    assert_eq!(
        schemas.status,
        StatusCode::NOT_FOUND,
        "an unused schema is not served"
    );
    // None at all: nothing extra in discovery.
    let h = Harness::with_config(ServerConfig {
        product: ProductConfig {
            entitlement_types: Vec::new(),
            ..ProductConfig::reference()
        },
        ..ServerConfig::default()
    });
    let types = h.scim(Method::GET, "/ResourceTypes", None).await;
    assert_eq!(types.body["totalResults"], 2);
}

#[test]
fn yaml_configuration_is_read_and_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.yaml");
    let table: &[(&str, Result<usize, &str>)] = &[
        ("tokens: [t]\n", Ok(2)),
        ("product:\n  default_role: member\n", Ok(2)),
        (
            "product:\n  default_role: member\n  entitlement_types: []\n",
            Ok(0),
        ),
        (
            "product:\n  default_role: member\n  entitlement_types:\n    - { name: Seat, endpoint: /Seats, schema: urn:okta:scim:schemas:core:1.0:Entitlement, values: [{ id: s1, display_name: Seat one, type: Seat }] }\n",
            Ok(1),
        ),
        (
            "product:\n  default_role: member\n  entitlement_types:\n    - { name: Seat, endpoint: /Users, schema: urn:okta:scim:schemas:core:1.0:Entitlement }\n",
            Err("server's own"),
        ),
        (
            "product:\n  default_role: member\n  entitlement_types:\n    - { name: Seat, endpoint: /Seats, schema: urn:okta:scim:schemas:core:1.0:Entitlement, values: [{ id: s1 }] }\n",
            Err("display_name"),
        ),
        (
            "product:\n  default_role: member\n  entitlement_types:\n    - { name: Seat, endpoint: /Seats, schema: urn:x, colour: red }\n",
            Err("colour"),
        ),
    ];
    for (yaml, want) in table {
        std::fs::write(&path, yaml).expect("write");
        let got = ServerConfig::from_yaml_file(&path);
        match (got, want) {
            (Ok(config), Ok(n)) => assert_eq!(config.product.entitlement_types.len(), *n, "{yaml}"),
            (Err(e), Err(needle)) => assert!(e.to_string().contains(needle), "{yaml}: {e}"),
            (got, want) => panic!("{yaml}: got {got:?}, want {want:?}"),
        }
    }
}
