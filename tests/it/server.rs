//! Router tests of the reference server (in-process, `oneshot`): CRUD,
//! listing, paging, ETags, attributes. Shared helpers for the other
//! `server_*` test modules live here too.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use scimulator::server::clock::{FixedClock, SequentialIds};
use scimulator::server::{AppState, ServerConfig, router};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tower::ServiceExt;

pub(crate) const TOKEN: &str = "test-token";
pub(crate) const ADMIN: &str = "admin-token";

/// A test server: state (with fixed clock and sequential ids) and router.
pub(crate) struct Harness {
    pub(crate) state: AppState,
    pub(crate) clock: Arc<FixedClock>,
}

/// A response: status, headers, JSON body (Null when empty).
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: Value,
}

impl Harness {
    pub(crate) fn new() -> Self {
        Self::with_config(ServerConfig::default())
    }

    pub(crate) fn with_config(mut config: ServerConfig) -> Self {
        config.tokens.push(TOKEN.to_owned());
        let clock = Arc::new(FixedClock::new(
            OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000),
        ));
        let state = AppState::with_sources(
            &config,
            ADMIN,
            clock.clone(),
            Arc::new(SequentialIds::default()),
        );
        Self { state, clock }
    }

    pub(crate) fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Sends a raw request.
    pub(crate) async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A SCIM request with the test token; `path` is relative to `/scim/v2`.
    pub(crate) async fn scim(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.scim_with(method, path, body, &[]).await
    }

    /// Like [`Harness::scim`] with extra headers.
    pub(crate) async fn scim_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("/scim/v2{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        for (k, v) in extra {
            builder = builder.header(*k, *v);
        }
        let request = match body {
            Some(b) => builder
                .header(header::CONTENT_TYPE, "application/scim+json")
                .body(Body::from(b.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        self.send(request).await
    }

    /// An admin API request with the admin token.
    pub(crate) async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let builder = Request::builder()
            .method(method)
            .uri(format!("/admin{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"));
        let request = match body {
            Some(b) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        self.send(request).await
    }

    /// Creates a user and returns its body.
    pub(crate) async fn create_user(&self, user_name: &str) -> Value {
        let reply = self
            .scim(
                Method::POST,
                "/Users",
                Some(json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": user_name,
                    "name": {"givenName": "Ada", "familyName": "Lovelace"},
                    "emails": [{"value": user_name, "primary": true}],
                })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }

    /// Creates a group with members and returns its body.
    pub(crate) async fn create_group(&self, name: &str, members: &[&str]) -> Value {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let reply = self
            .scim(
                Method::POST,
                "/Groups",
                Some(json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": name,
                    "members": members,
                })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }
}

pub(crate) fn id(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn create_user_returns_201_with_location_meta_and_etag() {
    let h = Harness::new();
    let reply = h
        .scim(
            Method::POST,
            "/Users",
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada@example.com", "password": "hunter2"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let body = &reply.body;
    let id = id(body);
    assert_eq!(
        reply.headers[header::LOCATION],
        format!("http://localhost/scim/v2/Users/{id}").as_str()
    );
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/scim+json");
    assert_eq!(body["meta"]["resourceType"], "User");
    assert_eq!(
        body["meta"]["location"],
        reply.headers[header::LOCATION].to_str().expect("ascii")
    );
    assert_eq!(
        body["meta"]["version"],
        reply.headers[header::ETAG].to_str().expect("ascii")
    );
    assert!(body["meta"]["created"].is_string());
    assert!(body["meta"]["lastModified"].is_string());
    assert_eq!(body["active"], true, "auto-activate");
    assert!(body.get("password").is_none(), "password is never returned");
}

#[tokio::test]
async fn get_put_delete_lifecycle() {
    let h = Harness::new();
    let user = h.create_user("grace@example.com").await;
    let uid = id(&user);
    let got = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["userName"], "grace@example.com");

    let put = h
        .scim(
            Method::PUT,
            &format!("/Users/{uid}"),
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "grace@example.com", "displayName": "Grace", "active": false})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.body["id"], uid.as_str());
    assert_eq!(put.body["displayName"], "Grace");
    assert_eq!(put.body["active"], false);
    assert!(
        put.body.get("name").is_none(),
        "PUT replaces the whole resource"
    );
    assert_eq!(put.body["meta"]["created"], user["meta"]["created"]);
    assert_ne!(put.body["meta"]["version"], user["meta"]["version"]);

    let del = h.scim(Method::DELETE, &format!("/Users/{uid}"), None).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let gone = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["status"], "404");
}

#[tokio::test]
async fn patch_returns_200_with_the_resource() {
    let h = Harness::new();
    let uid = id(&h.create_user("p@example.com").await);
    let reply = h
        .scim(
            Method::PATCH,
            &format!("/Users/{uid}"),
            Some(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "value": {"active": false}}]
            })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["active"], false);
    assert_eq!(reply.body["userName"], "p@example.com");
}

#[tokio::test]
async fn duplicate_user_name_is_409_uniqueness_case_insensitively() {
    let h = Harness::new();
    h.create_user("dup@example.com").await;
    let reply = h
        .scim(
            Method::POST,
            "/Users",
            Some(json!({"userName": "DUP@example.com"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["scimType"], "uniqueness");
    assert_eq!(reply.body["status"], "409");
}

#[tokio::test]
async fn filter_user_name_eq_finds_one_user_with_plus_or_percent_20() {
    let h = Harness::new();
    h.create_user("a@example.com").await;
    h.create_user("b@example.com").await;
    for query in [
        "filter=userName+eq+%22b@example.com%22",
        "filter=userName%20eq%20%22B@example.com%22",
    ] {
        let reply = h.scim(Method::GET, &format!("/Users?{query}"), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
        assert_eq!(reply.body["totalResults"], 1, "{query}");
        assert_eq!(reply.body["Resources"][0]["userName"], "b@example.com");
    }
}

#[tokio::test]
async fn invalid_filter_is_400_invalid_filter() {
    let h = Harness::new();
    let reply = h
        .scim(Method::GET, "/Users?filter=userName%20eq", None)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["scimType"], "invalidFilter");
}

#[tokio::test]
async fn paging_is_stable_and_one_based() {
    let h = Harness::new();
    for i in 0..5 {
        h.create_user(&format!("u{i}@example.com")).await;
    }
    let page = h
        .scim(Method::GET, "/Users?startIndex=2&count=2", None)
        .await;
    assert_eq!(page.body["totalResults"], 5);
    assert_eq!(page.body["itemsPerPage"], 2);
    assert_eq!(page.body["startIndex"], 2);
    assert_eq!(page.body["Resources"][0]["userName"], "u1@example.com");
    assert_eq!(page.body["Resources"][1]["userName"], "u2@example.com");

    let zero = h.scim(Method::GET, "/Users?count=0", None).await;
    assert_eq!(zero.body["totalResults"], 5);
    assert_eq!(zero.body["itemsPerPage"], 0);
    assert_eq!(zero.body["Resources"], json!([]));

    let negative = h
        .scim(Method::GET, "/Users?count=-3&startIndex=-1", None)
        .await;
    assert_eq!(negative.body["itemsPerPage"], 0);
    assert_eq!(negative.body["startIndex"], 1);

    let beyond = h.scim(Method::GET, "/Users?startIndex=10", None).await;
    assert_eq!(beyond.body["totalResults"], 5);
    assert_eq!(beyond.body["Resources"], json!([]));
}

#[tokio::test]
async fn count_is_capped_to_max_results() {
    let h = Harness::with_config(ServerConfig {
        max_results: 2,
        ..ServerConfig::default()
    });
    for i in 0..3 {
        h.create_user(&format!("c{i}@example.com")).await;
    }
    let page = h.scim(Method::GET, "/Users?count=50", None).await;
    assert_eq!(page.body["itemsPerPage"], 2);
    assert_eq!(page.body["totalResults"], 3);
    let spc = h.scim(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(spc.body["filter"]["maxResults"], 2);
}

#[tokio::test]
async fn sort_by_user_name_descending() {
    let h = Harness::new();
    for name in ["b@x", "c@x", "a@x"] {
        h.create_user(name).await;
    }
    let page = h
        .scim(
            Method::GET,
            "/Users?sortBy=userName&sortOrder=descending",
            None,
        )
        .await;
    let names: Vec<_> = page.body["Resources"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["userName"].clone())
        .collect();
    assert_eq!(names, vec![json!("c@x"), json!("b@x"), json!("a@x")]);
}

#[tokio::test]
async fn search_endpoints_accept_post() {
    let h = Harness::new();
    h.create_user("s@example.com").await;
    h.create_group("Searchers", &[]).await;
    let users = h
        .scim(
            Method::POST,
            "/Users/.search",
            Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName eq \"s@example.com\"", "attributes": ["userName"]})),
        )
        .await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.body);
    assert_eq!(users.body["totalResults"], 1);
    assert!(users.body["Resources"][0].get("emails").is_none());
    let root = h
        .scim(Method::POST, "/.search", Some(json!({"count": 10})))
        .await;
    assert_eq!(root.body["totalResults"], 2);
}

#[tokio::test]
async fn attributes_and_excluded_attributes_apply_to_reads_and_writes() {
    let h = Harness::new();
    let reply = h
        .scim(
            Method::POST,
            "/Users?attributes=userName",
            Some(json!({"userName": "attr@example.com", "displayName": "A"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert!(reply.body.get("displayName").is_none());
    assert_eq!(reply.body["userName"], "attr@example.com");
    let uid = id(&reply.body);
    let got = h
        .scim(
            Method::GET,
            &format!("/Users/{uid}?excludedAttributes=displayName"),
            None,
        )
        .await;
    assert!(got.body.get("displayName").is_none());
    assert_eq!(got.body["userName"], "attr@example.com");
}

#[tokio::test]
async fn etags_give_412_and_304() {
    let h = Harness::new();
    let user = h.create_user("etag@example.com").await;
    let uid = id(&user);
    let version = user["meta"]["version"]
        .as_str()
        .expect("version")
        .to_owned();
    let not_modified = h
        .scim_with(
            Method::GET,
            &format!("/Users/{uid}"),
            None,
            &[("If-None-Match", &version)],
        )
        .await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    let stale = h
        .scim_with(
            Method::PUT,
            &format!("/Users/{uid}"),
            Some(json!({"userName": "etag@example.com"})),
            &[("If-Match", "W/\"999\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.body["status"], "412");
    let fresh = h
        .scim_with(
            Method::PUT,
            &format!("/Users/{uid}"),
            Some(json!({"userName": "etag@example.com"})),
            &[("If-Match", &version)],
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(
        fresh.headers[header::ETAG].to_str().expect("ascii"),
        fresh.body["meta"]["version"].as_str().expect("version")
    );
}

#[tokio::test]
async fn groups_members_and_derived_user_groups_stay_consistent() {
    let h = Harness::new();
    let uid = id(&h.create_user("m@example.com").await);
    let group = h.create_group("Engineering", &[&uid]).await;
    let gid = id(&group);
    assert_eq!(group["members"][0]["value"], uid.as_str());
    assert_eq!(group["members"][0]["display"], "m@example.com");
    assert_eq!(group["members"][0]["type"], "User");
    assert!(
        group["members"][0]["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with(&format!("/Users/{uid}")))
    );

    let user = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(user.body["groups"][0]["value"], gid.as_str());
    assert_eq!(user.body["groups"][0]["display"], "Engineering");

    let renamed = h
        .scim(
            Method::PATCH,
            &format!("/Groups/{gid}"),
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "value": {"displayName": "Eng"}}]}),
            ),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let user = h.scim(Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(user.body["groups"][0]["display"], "Eng");

    h.scim(Method::DELETE, &format!("/Users/{uid}"), None).await;
    let group = h.scim(Method::GET, &format!("/Groups/{gid}"), None).await;
    assert_eq!(group.body["members"], json!([]));
}

#[tokio::test]
async fn group_patch_adding_an_unknown_member_is_invalid_value() {
    let h = Harness::new();
    let gid = id(&h.create_group("Empty", &[]).await);
    let reply = h
        .scim(
            Method::PATCH,
            &format!("/Groups/{gid}"),
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": "nobody"}]}]}),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["scimType"], "invalidValue");
}

#[tokio::test]
async fn duplicate_group_display_name_is_409() {
    let h = Harness::new();
    h.create_group("Ops", &[]).await;
    let reply = h
        .scim(Method::POST, "/Groups", Some(json!({"displayName": "ops"})))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["scimType"], "uniqueness");
}

#[tokio::test]
async fn discovery_describes_the_server() {
    let h = Harness::new();
    let spc = h.scim(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(spc.status, StatusCode::OK);
    assert_eq!(spc.body["patch"]["supported"], true);
    assert_eq!(spc.body["bulk"]["supported"], false);
    assert_eq!(spc.body["etag"]["supported"], true);
    assert_eq!(spc.body["sort"]["supported"], true);
    assert_eq!(
        spc.body["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );
    let types = h.scim(Method::GET, "/ResourceTypes", None).await;
    // User, Group, and the default Okta Role and License types.
    assert_eq!(types.body["totalResults"], 4);
    let user_type = h.scim(Method::GET, "/ResourceTypes/User", None).await;
    assert_eq!(user_type.body["endpoint"], "/Users");
    let missing = h.scim(Method::GET, "/ResourceTypes/Device", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn malformed_path_parameter_is_a_scim_404() {
    let h = Harness::new();
    let reply = h.scim(Method::GET, "/Users/%FF%FE", None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["status"], "404");
}

#[tokio::test]
async fn configured_custom_extension_is_declared_in_discovery() {
    let urn = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    let mut config = ServerConfig::default();
    config.product.extensions = vec![json!({
        "id": urn,
        "name": "AcmeUser",
        "attributes": [{"name": "badge", "type": "integer", "multiValued": false,
            "required": false, "caseExact": false, "mutability": "readWrite",
            "returned": "default", "uniqueness": "none"}]
    })];
    let h = Harness::with_config(config);
    let schema = h.scim(Method::GET, &format!("/Schemas/{urn}"), None).await;
    assert_eq!(schema.status, StatusCode::OK, "{}", schema.body);
    assert_eq!(schema.body["id"], urn);
    let user_type = h.scim(Method::GET, "/ResourceTypes/User", None).await;
    let extensions = user_type.body["schemaExtensions"].to_string();
    assert!(extensions.contains(urn));
}

#[tokio::test]
async fn put_without_password_keeps_it_but_never_returns_it() {
    let h = Harness::new();
    let reply = h
        .scim(
            Method::POST,
            "/Users",
            Some(json!({"userName": "pw@example.com", "password": "s3cret!"})),
        )
        .await;
    let uid = id(&reply.body);
    let put = h
        .scim(
            Method::PUT,
            &format!("/Users/{uid}"),
            Some(json!({"userName": "pw@example.com"})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    assert!(put.body.get("password").is_none());
    let stored = h
        .state
        .store
        .get(scimulator::server::store::Kind::User, &uid)
        .expect("stored");
    assert_eq!(stored["password"], "s3cret!");
    let listed = h
        .scim(Method::GET, "/Users?attributes=password", None)
        .await;
    assert!(!listed.body.to_string().contains("s3cret!"));
}

#[tokio::test]
async fn compound_filters_work_with_and_without_an_index() {
    let h = Harness::new();
    let a = id(&h.create_user("and@example.com").await);
    h.create_user("other@example.com").await;
    h.scim(
        Method::PUT,
        &format!("/Users/{a}"),
        Some(json!({"userName": "and@example.com", "active": false})),
    )
    .await;
    let hit = h
        .scim(
            Method::GET,
            "/Users?filter=userName%20eq%20%22AND@example.com%22%20and%20active%20eq%20false",
            None,
        )
        .await;
    assert_eq!(hit.body["totalResults"], 1, "{}", hit.body);
    let miss = h
        .scim(
            Method::GET,
            "/Users?filter=userName+eq+%22and@example.com%22+and+active+eq+true",
            None,
        )
        .await;
    assert_eq!(miss.body["totalResults"], 0);
    let scan = h
        .scim(
            Method::GET,
            "/Users?filter=userName+sw+%22o%22+or+active+eq+false",
            None,
        )
        .await;
    assert_eq!(scan.body["totalResults"], 2);
}

#[tokio::test]
async fn enterprise_extension_with_wrong_type_is_invalid_value() {
    let h = Harness::new();
    let reply = h
        .scim(
            Method::POST,
            "/Users",
            Some(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "userName": "ent@example.com",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": 42}
            })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.body["scimType"], "invalidValue");
}

#[tokio::test]
async fn custom_extension_values_are_type_checked() {
    let urn = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    let mut config = ServerConfig::default();
    config.product.extensions = vec![json!({
        "id": urn,
        "name": "AcmeUser",
        "attributes": [{"name": "badge", "type": "integer", "multiValued": false,
            "required": false, "caseExact": false, "mutability": "readWrite",
            "returned": "default", "uniqueness": "none"}]
    })];
    let h = Harness::with_config(config);
    let ok = h
        .scim(
            Method::POST,
            "/Users",
            Some(json!({"userName": "ok@example.com", urn: {"badge": 7}})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(ok.body[urn]["badge"], 7);
    let bad = h
        .scim(
            Method::POST,
            "/Users",
            Some(json!({"userName": "bad@example.com", urn: {"badge": "seven"}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["scimType"], "invalidValue");
}

#[tokio::test]
async fn entra_string_booleans_are_normalised() {
    let h = Harness::new();
    let reply = h
        .scim(
            Method::POST,
            "/Users",
            Some(json!({"userName": "entra@example.com", "active": "False"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["active"], false);
}
