//! Reference server: PATCH through HTTP with H1's engine — Okta and Entra ID
//! shapes, member removal by value filter, atomicity and error types.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::server::{Harness, id};

fn patch_op(operations: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations})
}

#[tokio::test]
async fn entra_capitalised_ops_and_filtered_paths_apply() {
    let h = Harness::new();
    let uid = id(&h.create_user("entra@example.com").await);
    let reply = h
        .scim(
            Method::PATCH,
            &format!("/Users/{uid}"),
            Some(patch_op(json!([
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "work@example.com"},
                {"op": "Replace", "path": "name.givenName", "value": "Augusta"}
            ]))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["active"], false);
    assert_eq!(reply.body["name"]["givenName"], "Augusta");
    assert!(
        reply.body["emails"]
            .to_string()
            .contains("work@example.com")
    );
}

#[tokio::test]
async fn remove_member_by_value_filter_updates_user_groups() {
    let h = Harness::new();
    let a = id(&h.create_user("a@example.com").await);
    let b = id(&h.create_user("b@example.com").await);
    let gid = id(&h.create_group("Pair", &[&a, &b]).await);
    let reply = h
        .scim(
            Method::PATCH,
            &format!("/Groups/{gid}"),
            Some(patch_op(json!([
                {"op": "remove", "path": format!("members[value eq \"{a}\"]")}
            ]))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["members"].as_array().map(Vec::len), Some(1));
    let user = h.scim(Method::GET, &format!("/Users/{a}"), None).await;
    assert!(user.body.get("groups").is_none(), "{}", user.body);
}

#[tokio::test]
async fn failing_operation_applies_nothing() {
    let h = Harness::new();
    let user = h.create_user("atomic@example.com").await;
    let uid = id(&user);
    let reply = h
        .scim(
            Method::PATCH,
            &format!("/Users/{uid}"),
            Some(patch_op(json!([
                {"op": "replace", "path": "displayName", "value": "Changed"},
                {"op": "bogus", "path": "title", "value": "x"}
            ]))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body["scimType"].is_string());
    let got = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert!(got.body.get("displayName").is_none());
    assert_eq!(got.body["meta"]["version"], user["meta"]["version"]);
}

#[tokio::test]
async fn patching_derived_groups_is_refused() {
    let h = Harness::new();
    let uid = id(&h.create_user("derived@example.com").await);
    let reply = h
        .scim(
            Method::PATCH,
            &format!("/Users/{uid}"),
            Some(patch_op(json!([
                {"op": "add", "path": "groups", "value": [{"value": "x"}]}
            ]))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
}

#[tokio::test]
async fn patch_with_if_match_mismatch_is_412() {
    let h = Harness::new();
    let uid = id(&h.create_user("pre@example.com").await);
    let reply = h
        .scim_with(
            Method::PATCH,
            &format!("/Users/{uid}"),
            Some(patch_op(
                json!([{"op": "replace", "path": "active", "value": false}]),
            )),
            &[("If-Match", "W/\"42\"")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn patch_body_without_operations_is_400() {
    let h = Harness::new();
    let uid = id(&h.create_user("noop@example.com").await);
    let reply = h
        .scim(
            Method::PATCH,
            &format!("/Users/{uid}"),
            Some(json!({"schemas": []})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["scimType"], "invalidSyntax");
}
