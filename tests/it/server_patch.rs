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

/// Undeclared attributes (a top-level `fooTop`, a `schemas` key nested in
/// the enterprise extension, an undeclared sub-attribute) are ignored the
/// same way by POST, PUT and a path-less PATCH: the write succeeds, and
/// neither its response nor a later read carries them. A PATCH `path` the
/// client wrote that names no declared attribute is `400 invalidPath`,
/// naming that path.
#[tokio::test]
async fn undeclared_attributes_are_ignored_by_post_put_and_patch_alike() {
    const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let undeclared = json!({
        "fooTop": "bar",
        "name": {"givenName": "Ada", "nick": "x"},
        ENT: {"schemas": [ENT], "department": "R&D"},
    });
    let h = Harness::new();
    let mut create = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
                            "userName": "undeclared@example.com"});
    scimulator_merge(&mut create, &undeclared);
    let created = h.scim(Method::POST, "/Users", Some(create.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let uid = id(&created.body);
    let mut put = create.clone();
    put["displayName"] = json!("Ada L");
    let writes: [(&str, Method, Value); 3] = [
        ("POST", Method::GET, Value::Null),
        ("PUT", Method::PUT, put),
        (
            "PATCH",
            Method::PATCH,
            patch_op(json!([{"op": "add", "value": undeclared.clone()}])),
        ),
    ];
    for (label, method, body) in writes {
        let reply = if method == Method::GET {
            created.body.clone()
        } else {
            let r = h.scim(method, &format!("/Users/{uid}"), Some(body)).await;
            assert_eq!(r.status, StatusCode::OK, "{label}: {}", r.body);
            r.body
        };
        let read = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
        for (what, body) in [("response", &reply), ("read", &read.body)] {
            assert!(body.get("fooTop").is_none(), "{label} {what}: {body}");
            assert!(body["name"].get("nick").is_none(), "{label} {what}: {body}");
            assert_eq!(body["name"]["givenName"], "Ada", "{label} {what}: {body}");
            assert_eq!(
                body[ENT],
                json!({"department": "R&D"}),
                "{label} {what}: {body}"
            );
        }
    }
    for (path, named) in [
        ("fooTop", "fooTop"),
        (&format!("{ENT}:schemas")[..], "schemas"),
    ] {
        let reply = h
            .scim(
                Method::PATCH,
                &format!("/Users/{uid}"),
                Some(patch_op(
                    json!([{"op": "add", "path": path, "value": "bar"}]),
                )),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(reply.body["scimType"], "invalidPath", "{path}");
        assert!(
            reply.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains(named)),
            "{path}: {}",
            reply.body
        );
    }
}

/// Deep-merges `extra` into `base` (objects key by key).
fn scimulator_merge(base: &mut Value, extra: &Value) {
    match (base, extra) {
        (Value::Object(b), Value::Object(e)) => {
            for (k, v) in e {
                match b.get_mut(k) {
                    Some(existing) => scimulator_merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, e) => *b = e.clone(),
    }
}

/// `Group.members.display` is declared `readOnly` in `/Schemas`, and the
/// server derives it from the member whatever a client sends (POST, PUT
/// and PATCH alike): declaration and behaviour agree.
#[tokio::test]
async fn member_display_is_declared_read_only_and_derived() {
    let h = Harness::new();
    let schemas = h
        .scim(
            Method::GET,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
            None,
        )
        .await;
    assert_eq!(schemas.status, StatusCode::OK, "{}", schemas.body);
    let members = schemas.body["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "members"))
        .cloned()
        .unwrap_or_default();
    let display = members["subAttributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "display"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(display["mutability"], "readOnly", "{members}");
    let user = h.create_user("member.display@example.com").await;
    let uid = id(&user);
    let sent = json!([{"value": uid, "display": "Client Chosen"}]);
    let created = h
        .scim(
            Method::POST,
            "/Groups",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                        "displayName": "Display Derived", "members": sent}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let gid = id(&created.body);
    let put = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                     "displayName": "Display Derived", "members": sent});
    let patch = patch_op(json!([{"op": "replace", "path": "members", "value": sent}]));
    for (label, method, body) in [
        ("PUT", Method::PUT, Some(put)),
        ("PATCH", Method::PATCH, Some(patch)),
        ("GET", Method::GET, None),
    ] {
        let reply = h.scim(method, &format!("/Groups/{gid}"), body).await;
        assert_eq!(reply.status, StatusCode::OK, "{label}: {}", reply.body);
        assert_eq!(
            reply.body["members"][0]["display"], "member.display@example.com",
            "{label}: {}",
            reply.body
        );
    }
    assert_eq!(
        created.body["members"][0]["display"],
        "member.display@example.com"
    );
}
