//! Reference server: product behaviour (seeds 000–004) end to end — role
//! mappings, default role, userType switches, group→role, auto-activate,
//! sync groups off, admin config updates.

use axum::http::{Method, StatusCode};
use scimulator::scim::SCIMULATOR_USER_SCHEMA;
use scimulator::server::{GroupRole, ProductConfig, RoleMapping, ServerConfig};
use serde_json::{Value, json};

use crate::server::{Harness, id};

fn product() -> ProductConfig {
    ProductConfig {
        default_role: "member".into(),
        role_mappings: vec![RoleMapping {
            idp_value: "Admin".into(),
            role: "org_admin".into(),
        }],
        group_roles: vec![GroupRole {
            group: "StackFlow-Admins".into(),
            role: "super_admin".into(),
        }],
        ..ProductConfig::default()
    }
}

fn harness(product: ProductConfig) -> Harness {
    Harness::with_config(ServerConfig {
        product,
        ..ServerConfig::default()
    })
}

async fn create(h: &Harness, body: Value) -> Value {
    let reply = h.scim(Method::POST, "/Users", Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

fn role(user: &Value) -> (&str, &str) {
    (
        user[SCIMULATOR_USER_SCHEMA]["role"].as_str().unwrap_or(""),
        user[SCIMULATOR_USER_SCHEMA]["roleSource"]
            .as_str()
            .unwrap_or(""),
    )
}

#[tokio::test]
async fn role_mapping_is_case_insensitive_and_unmapped_gets_default() {
    let h = harness(product());
    let admin = create(
        &h,
        json!({"userName": "a@x", "roles": [{"value": "ADMIN", "primary": true}]}),
    )
    .await;
    assert_eq!(role(&admin), ("org_admin", "mapping"));
    let other = create(
        &h,
        json!({"userName": "b@x", "roles": [{"value": "Owner"}]}),
    )
    .await;
    assert_eq!(role(&other), ("member", "default"));
    let schemas = other["schemas"].as_array().expect("schemas");
    assert!(schemas.iter().any(|s| s == SCIMULATOR_USER_SCHEMA));
}

#[tokio::test]
async fn client_cannot_set_the_read_only_role() {
    let h = harness(product());
    let user = create(
        &h,
        json!({"userName": "sneaky@x", SCIMULATOR_USER_SCHEMA: {"role": "org_admin"}}),
    )
    .await;
    assert_eq!(role(&user), ("member", "default"));
}

#[tokio::test]
async fn user_type_promotion_follows_the_switches_and_demotes() {
    let mut cfg = product();
    cfg.user_type_promotion.moderator = true;
    let h = harness(cfg);
    let user = create(&h, json!({"userName": "u@x", "userType": "Moderator"})).await;
    assert_eq!(role(&user), ("moderator", "userType"));
    let admin_try = create(&h, json!({"userName": "v@x", "userType": "Admin"})).await;
    assert_eq!(
        role(&admin_try),
        ("member", "default"),
        "admin switch is off"
    );
    let uid = id(&user);
    let demoted = h
        .scim(
            Method::PATCH,
            &format!("/Users/{uid}"),
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "userType", "value": "Registered"}]}),
            ),
        )
        .await;
    assert_eq!(role(&demoted.body), ("member", "default"));
}

#[tokio::test]
async fn group_membership_maps_to_role_and_wins() {
    let h = harness(product());
    let user = create(
        &h,
        json!({"userName": "g@x", "roles": [{"value": "Admin"}]}),
    )
    .await;
    let uid = id(&user);
    h.create_group("StackFlow-Admins", &[&uid]).await;
    let got = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(role(&got.body), ("super_admin", "group"));
}

#[tokio::test]
async fn default_server_config_is_the_reference_product() {
    let h = Harness::new();
    let admin = create(
        &h,
        json!({"userName": "ref@x", "roles": [{"value": "editor", "primary": true}]}),
    )
    .await;
    assert_eq!(role(&admin), ("editor", "mapping"));
    let moderator = create(&h, json!({"userName": "mod@x", "userType": "Moderator"})).await;
    assert_eq!(role(&moderator), ("moderator", "userType"));
    let uid = id(&create(&h, json!({"userName": "view@x"})).await);
    h.create_group("StackFlow-Viewers", &[&uid]).await;
    let got = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(role(&got.body), ("viewer", "group"));
}

#[tokio::test]
async fn auto_activate_can_be_switched_off() {
    let h = harness(ProductConfig {
        auto_activate: false,
        ..product()
    });
    let user = create(&h, json!({"userName": "off@x"})).await;
    assert!(user.get("active").is_none());
}

#[tokio::test]
async fn deactivated_user_stays_retrievable() {
    let h = harness(product());
    let uid = id(&create(&h, json!({"userName": "d@x"})).await);
    h.scim(
        Method::PATCH,
        &format!("/Users/{uid}"),
        Some(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": false}}]}),
        ),
    )
    .await;
    let got = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["active"], false);
}

#[tokio::test]
async fn sync_groups_off_hides_groups() {
    let h = harness(ProductConfig {
        sync_groups: false,
        ..product()
    });
    let reply = h
        .scim(Method::POST, "/Groups", Some(json!({"displayName": "X"})))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let types = h.scim(Method::GET, "/ResourceTypes", None).await;
    let ids: Vec<&str> = types.body["Resources"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    // User, and the default Okta Role and License types: no Group.
    assert_eq!(ids, vec!["User", "Role", "License"]);
}

#[tokio::test]
async fn admin_role_mapping_update_applies_to_the_next_read() {
    let h = harness(product());
    let uid = id(&create(
        &h,
        json!({"userName": "r@x", "roles": [{"value": "Editor"}]}),
    )
    .await);
    let put = h
        .admin(
            Method::PUT,
            "/role-mappings",
            Some(json!([{"idp_value": "editor", "role": "writer"}])),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let got = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(role(&got.body), ("writer", "mapping"));
    let config = h.admin(Method::GET, "/config", None).await;
    assert_eq!(config.body["role_mappings"][0]["role"], "writer");
    let invalid = h
        .admin(Method::PUT, "/config", Some(json!({"default_role": ""})))
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
}
