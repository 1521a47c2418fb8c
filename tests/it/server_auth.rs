//! Reference server: bearer tokens, admin API, revocation, expiry, disable
//! modes and error shapes (401, 404, 405, 413, malformed JSON, content type).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use scimulator::server::ServerConfig;
use serde_json::json;

use crate::server::{ADMIN, Harness, TOKEN, id};

async fn get_users_with(h: &Harness, auth: Option<&str>) -> crate::server::Reply {
    let mut builder = Request::builder().uri("/scim/v2/Users");
    if let Some(a) = auth {
        builder = builder.header(header::AUTHORIZATION, a);
    }
    h.send(builder.body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_are_401_with_www_authenticate() {
    let h = Harness::new();
    for auth in [
        None,
        Some("Bearer"),
        Some("Token abc"),
        Some("Bearer wrong"),
    ] {
        let reply = get_users_with(&h, auth).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(reply.body["status"], "401");
        assert!(
            reply.headers[header::WWW_AUTHENTICATE]
                .to_str()
                .expect("ascii")
                .starts_with("Bearer")
        );
    }
    let ok = get_users_with(&h, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn admin_created_token_works_until_revoked_on_the_very_next_request() {
    let h = Harness::new();
    let created = h
        .admin(
            Method::POST,
            "/tokens",
            Some(json!({"name": "run", "expires_at": null})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["name"], "run");
    assert!(created.body["expires_at"].is_null());
    let token = created.body["token"].as_str().expect("token").to_owned();
    let token_id = created.body["id"].as_str().expect("id").to_owned();
    let bearer = format!("Bearer {token}");
    assert_eq!(
        get_users_with(&h, Some(&bearer)).await.status,
        StatusCode::OK
    );

    let listed = h.admin(Method::GET, "/tokens", None).await;
    assert!(
        !listed.body.to_string().contains(&token),
        "list never shows secrets"
    );

    let revoked = h
        .admin(Method::DELETE, &format!("/tokens/{token_id}"), None)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        get_users_with(&h, Some(&bearer)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = h.admin(Method::DELETE, "/tokens/nope", None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn expired_token_is_401() {
    let h = Harness::new();
    let created = h
        .admin(
            Method::POST,
            "/tokens",
            Some(json!({"name": "short", "expires_at": "2024-10-05T00:00:00Z"})),
        )
        .await;
    let bearer = format!("Bearer {}", created.body["token"].as_str().expect("token"));
    // The harness clock stands at 2024-10-04 (epoch + 20 000 days).
    assert_eq!(
        get_users_with(&h, Some(&bearer)).await.status,
        StatusCode::OK
    );
    h.clock.set(time::macros::datetime!(2024-10-06 0:00 UTC));
    assert_eq!(
        get_users_with(&h, Some(&bearer)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn scim_token_is_refused_on_admin_and_admin_token_on_scim() {
    let h = Harness::new();
    let reply = h
        .send(
            Request::builder()
                .uri("/admin/tokens")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = get_users_with(&h, Some(&format!("Bearer {ADMIN}"))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn basic_auth_is_accepted_when_configured() {
    let h = Harness::with_config(ServerConfig {
        basic_auth: Some(scimulator::server::BasicAuth {
            username: "okta".into(),
            password: "pw".into(),
        }),
        ..ServerConfig::default()
    });
    // base64("okta:pw") = b2t0YTpwdw==
    let ok = get_users_with(&h, Some("Basic b2t0YTpwdw==")).await;
    assert_eq!(ok.status, StatusCode::OK);
    let bad = get_users_with(&h, Some("Basic b2t0YTp4eA==")).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let spc = h.scim(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(spc.body["authenticationSchemes"][1]["type"], "httpbasic");
}

#[tokio::test]
async fn disable_soft_revokes_tokens_and_keeps_users_active() {
    let h = Harness::new();
    let uid = id(&h.create_user("soft@example.com").await);
    let reply = h
        .admin(Method::POST, "/scim/disable", Some(json!({"mode": "soft"})))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let refused = h.scim(Method::GET, "/Users", None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let user = h
        .state
        .store
        .get(scimulator::server::store::Kind::User, &uid);
    assert_eq!(user.expect("user")["active"], true);
    h.admin(Method::POST, "/scim/enable", None).await;
    let still = h.scim(Method::GET, "/Users", None).await;
    assert_eq!(
        still.status,
        StatusCode::UNAUTHORIZED,
        "old tokens stay revoked"
    );
    let created = h
        .admin(Method::POST, "/tokens", Some(json!({"name": "new"})))
        .await;
    let bearer = format!("Bearer {}", created.body["token"].as_str().expect("token"));
    assert_eq!(
        get_users_with(&h, Some(&bearer)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn disable_lock_deactivates_users() {
    let h = Harness::new();
    let uid = id(&h.create_user("lock@example.com").await);
    h.admin(Method::POST, "/scim/disable", Some(json!({"mode": "lock"})))
        .await;
    let user = h
        .state
        .store
        .get(scimulator::server::store::Kind::User, &uid)
        .expect("user");
    assert_eq!(user["active"], false);
}

#[tokio::test]
async fn audit_log_records_requests_with_token_names() {
    let h = Harness::new();
    let uid = id(&h.create_user("audit@example.com").await);
    get_users_with(&h, Some("Bearer wrong")).await;
    let log = h.admin(Method::GET, "/audit", None).await;
    let entries = log.body.as_array().expect("array");
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["token"], "cli-1");
    assert_eq!(entries[0]["status"], 201);
    assert_eq!(entries[0]["resource_id"], uid.as_str());
    assert_eq!(entries[0]["change"], "created");
    assert_eq!(entries[1]["status"], 401);
    assert!(entries[1]["token"].is_null());
    assert!(!log.body.to_string().contains(TOKEN));
}

#[tokio::test]
async fn malformed_json_is_400_invalid_syntax() {
    let h = Harness::new();
    let reply = h
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/scim/v2/Users")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(Body::from("{\"userName\": "))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["scimType"], "invalidSyntax");
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/scim+json");
}

#[tokio::test]
async fn wrong_content_type_is_400_invalid_syntax() {
    let h = Harness::new();
    let reply = h
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/scim/v2/Users")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("{\"userName\": \"x\"}"))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["scimType"], "invalidSyntax");
}

#[tokio::test]
async fn oversized_body_is_413_scim_error() {
    let h = Harness::with_config(ServerConfig {
        max_body_bytes: 64,
        ..ServerConfig::default()
    });
    let big = json!({"userName": "x".repeat(200)});
    let reply = h.scim(Method::POST, "/Users", Some(big)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.body["status"], "413");
}

#[tokio::test]
async fn unknown_route_is_404_and_wrong_method_is_405_scim_errors() {
    let h = Harness::new();
    let missing = h.scim(Method::GET, "/Devices", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["status"], "404");
    let wrong = h.scim(Method::DELETE, "/Users", None).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.body["status"], "405");
    assert_eq!(wrong.headers[header::CONTENT_TYPE], "application/scim+json");
}

#[tokio::test]
async fn audit_log_names_changed_attributes_but_not_values() {
    let h = Harness::new();
    let uid = id(&h.create_user("chg@example.com").await);
    h.scim(
        Method::PATCH,
        &format!("/Users/{uid}"),
        Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": false, "password": "n3w-secret"}}]})),
    )
    .await;
    let log = h.admin(Method::GET, "/audit", None).await;
    let change = log.body[1]["change"].as_str().expect("change").to_owned();
    assert!(change.contains("active"), "{change}");
    assert!(change.contains("password"), "{change}");
    assert!(!log.body.to_string().contains("n3w-secret"));
}

#[tokio::test]
async fn hostile_inputs_never_give_500() {
    let h = Harness::new();
    let uid = id(&h.create_user("hostile@example.com").await);
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let bodies = [
        "[]".to_owned(),
        "null".to_owned(),
        "\"str\"".to_owned(),
        "{\"userName\": null}".to_owned(),
        "{\"userName\": 12, \"emails\": \"x\"}".to_owned(),
        "{\"userName\": \"x\", \"members\": 3, \"schemas\": 5}".to_owned(),
        "{\"Operations\": [{\"op\": \"add\", \"path\": \"[[[\", \"value\": 1}]}".to_owned(),
        "{\"Operations\": \"nope\"}".to_owned(),
        deep,
        "\u{0}\u{1}".to_owned(),
    ];
    let paths = [
        "/Users".to_owned(),
        "/Groups".to_owned(),
        format!("/Users/{uid}"),
        "/Users/.search".to_owned(),
        "/.search".to_owned(),
    ];
    for path in &paths {
        for method in [Method::POST, Method::PUT, Method::PATCH] {
            for body in &bodies {
                let reply = h
                    .send(
                        Request::builder()
                            .method(method.clone())
                            .uri(format!("/scim/v2{path}"))
                            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                            .header(header::CONTENT_TYPE, "application/scim+json")
                            .body(Body::from(body.clone()))
                            .expect("request"),
                    )
                    .await;
                assert!(
                    reply.status.is_client_error() || reply.status.is_success(),
                    "{method} {path} {:?}: {}",
                    body.get(..40),
                    reply.status
                );
                if reply.status.is_client_error() {
                    assert!(
                        reply.body["status"].is_string(),
                        "{method} {path}: {}",
                        reply.body
                    );
                }
            }
        }
    }
    for query in [
        "filter=%28%28%28",
        "filter=userName%20eq%20%22%5Cu0000%22",
        "filter=not%20not%20not",
        "sortBy=%5B%5D&sortOrder=sideways",
        "startIndex=99999999999999999999999",
        "count=abc",
        "attributes=%00,,",
        "filter=%FF%FE",
    ] {
        let reply = h.scim(Method::GET, &format!("/Users?{query}"), None).await;
        assert!(
            reply.status.is_client_error() || reply.status.is_success(),
            "{query}: {}",
            reply.status
        );
    }
}
