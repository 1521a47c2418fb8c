//! Reference server with several tenants: each tenant has its own store,
//! tokens and uniqueness; a token works only at its own tenant's URL; ids of
//! one tenant answer 404 in another; group members come from the same
//! tenant; the admin API creates, lists and removes tenants.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use scimulator::server::clock::{FixedClock, SequentialIds};
use scimulator::server::{AppState, ServerConfig, TenantSpec, Tenants, router_with_tenants};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tower::ServiceExt;

const ADMIN: &str = "admin-token";
const TOKEN_A: &str = "token-of-default";
const TOKEN_B: &str = "token-of-beta";

pub(crate) struct Multi {
    pub(crate) tenants: Arc<Tenants>,
    pub(crate) clock: Arc<FixedClock>,
}

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: Value,
}

impl Multi {
    pub(crate) fn new(config: ServerConfig) -> Self {
        let mut config = config;
        config.tokens.push(TOKEN_A.into());
        let clock = Arc::new(FixedClock::new(
            OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000),
        ));
        let state = AppState::with_sources(
            &config,
            ADMIN,
            clock.clone(),
            Arc::new(SequentialIds::default()),
        );
        let tenants = Tenants::new(state);
        tenants
            .add(&TenantSpec {
                name: "beta".into(),
                tokens: vec![TOKEN_B.into()],
                ..TenantSpec::default()
            })
            .expect("beta");
        for spec in &config.tenants {
            tenants.add(spec).expect("tenant");
        }
        Self {
            tenants: Arc::new(tenants),
            clock,
        }
    }

    pub(crate) fn clock_now(&self) -> OffsetDateTime {
        scimulator::server::clock::Clock::now(&*self.clock)
    }

    fn router(&self) -> Router {
        router_with_tenants(Arc::clone(&self.tenants))
    }

    pub(crate) async fn raw(&self, request: Request<Body>) -> Reply {
        let response = self.router().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        uri: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let request = match body {
            Some(b) => builder
                .header(header::CONTENT_TYPE, "application/scim+json")
                .body(Body::from(b.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        self.raw(request).await
    }
}

fn user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
}

const A: &str = "/scim/v2";
const B: &str = "/t/beta/scim/v2";

#[tokio::test]
async fn each_tenant_has_its_own_store_and_uniqueness() {
    let m = Multi::new(ServerConfig::default());
    let a = m
        .call(
            Method::POST,
            &format!("{A}/Users"),
            TOKEN_A,
            Some(user("ada@example.com")),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let b = m
        .call(
            Method::POST,
            &format!("{B}/Users"),
            TOKEN_B,
            Some(user("ada@example.com")),
        )
        .await;
    assert_eq!(
        b.status,
        StatusCode::CREATED,
        "same userName in another tenant: {}",
        b.body
    );
    assert!(
        b.body["meta"]["location"]
            .as_str()
            .expect("location")
            .contains("/t/beta/scim/v2/Users/"),
        "{}",
        b.body
    );
    let again = m
        .call(
            Method::POST,
            &format!("{B}/Users"),
            TOKEN_B,
            Some(user("ada@example.com")),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "uniqueness holds within a tenant"
    );
    let list_b = m
        .call(Method::GET, &format!("{B}/Users"), TOKEN_B, None)
        .await;
    assert_eq!(list_b.body["totalResults"], 1);
    let own = b.body["id"].as_str().expect("id");
    let read = m
        .call(Method::GET, &format!("{B}/Users/{own}"), TOKEN_B, None)
        .await;
    assert_eq!(
        read.status,
        StatusCode::OK,
        "a tenant reads its own user: {}",
        read.body
    );
    assert_eq!(read.body["userName"], "ada@example.com");
}

#[tokio::test]
async fn ids_of_one_tenant_are_404_in_another_for_every_method() {
    let m = Multi::new(ServerConfig::default());
    let a = m
        .call(
            Method::POST,
            &format!("{A}/Users"),
            TOKEN_A,
            Some(user("x@example.com")),
        )
        .await;
    let id = a.body["id"].as_str().expect("id").to_owned();
    let item = format!("{B}/Users/{id}");
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false}]});
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(user("x@example.com"))),
        (Method::PATCH, Some(patch)),
        (Method::DELETE, None),
    ] {
        let reply = m.call(method.clone(), &item, TOKEN_B, body).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{method} {}",
            reply.body
        );
    }
    let filtered = m
        .call(
            Method::GET,
            &format!("{B}/Users?filter=userName%20eq%20%22x@example.com%22"),
            TOKEN_B,
            None,
        )
        .await;
    assert_eq!(filtered.body["totalResults"], 0);
    let still = m
        .call(Method::GET, &format!("{A}/Users/{id}"), TOKEN_A, None)
        .await;
    assert_eq!(still.status, StatusCode::OK);
    assert_eq!(still.body["active"], true);
}

#[tokio::test]
async fn a_token_works_only_at_its_own_tenant() {
    let m = Multi::new(ServerConfig::default());
    let wrong_b = m
        .call(Method::GET, &format!("{B}/Users"), TOKEN_A, None)
        .await;
    assert_eq!(wrong_b.status, StatusCode::UNAUTHORIZED);
    let www = wrong_b.headers[header::WWW_AUTHENTICATE]
        .to_str()
        .expect("ascii");
    assert!(www.contains("invalid_token"), "{www}");
    let wrong_a = m
        .call(Method::GET, &format!("{A}/Users"), TOKEN_B, None)
        .await;
    assert_eq!(wrong_a.status, StatusCode::UNAUTHORIZED);
    let ok = m
        .call(Method::GET, &format!("{B}/Users"), TOKEN_B, None)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let unknown = m
        .call(Method::GET, "/t/nope/scim/v2/Users", TOKEN_B, None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_group_cannot_take_a_member_from_another_tenant() {
    let m = Multi::new(ServerConfig::default());
    let a = m
        .call(
            Method::POST,
            &format!("{A}/Users"),
            TOKEN_A,
            Some(user("m@example.com")),
        )
        .await;
    let id = a.body["id"].as_str().expect("id").to_owned();
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Eng", "members": [{"value": id}]});
    let created = m
        .call(Method::POST, &format!("{B}/Groups"), TOKEN_B, Some(group))
        .await;
    assert_eq!(created.status, StatusCode::BAD_REQUEST, "{}", created.body);
    let empty =
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Eng"});
    let g = m
        .call(Method::POST, &format!("{B}/Groups"), TOKEN_B, Some(empty))
        .await;
    let gid = g.body["id"].as_str().expect("gid");
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
    let patched = m
        .call(
            Method::PATCH,
            &format!("{B}/Groups/{gid}"),
            TOKEN_B,
            Some(add),
        )
        .await;
    assert_eq!(patched.status, StatusCode::BAD_REQUEST, "{}", patched.body);
}

async fn admin(m: &Multi, method: Method, path: &str, body: Option<Value>) -> Reply {
    let builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"));
    let request = match body {
        Some(b) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("request");
    m.raw(request).await
}

#[tokio::test]
async fn the_admin_api_creates_lists_and_removes_tenants() {
    let m = Multi::new(ServerConfig::default());
    let created = admin(
        &m,
        Method::POST,
        "/admin/tenants",
        Some(json!({"name": "gamma", "tokens": ["g-token"]})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(
        !created.body.to_string().contains("g-token"),
        "no secret echoed"
    );
    let dup = admin(
        &m,
        Method::POST,
        "/admin/tenants",
        Some(json!({"name": "gamma"})),
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let bad = admin(
        &m,
        Method::POST,
        "/admin/tenants",
        Some(json!({"name": "Bad Name"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let listed = admin(&m, Method::GET, "/admin/tenants", None).await;
    assert_eq!(
        listed.body,
        json!([
            {"name": "beta", "scim_path": "/t/beta/scim/v2"},
            {"name": "gamma", "scim_path": "/t/gamma/scim/v2"}
        ])
    );
    let ok = m
        .call(Method::GET, "/t/gamma/scim/v2/Users", "g-token", None)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    // The tenant's own admin API issues tokens valid only there.
    let token = admin(
        &m,
        Method::POST,
        "/admin/tenants/gamma/tokens",
        Some(json!({"name": "run"})),
    )
    .await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.body);
    let t = token.body["token"].as_str().expect("token");
    assert_eq!(
        m.call(Method::GET, "/t/gamma/scim/v2/Users", t, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        m.call(Method::GET, "/scim/v2/Users", t, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A SCIM token is not an admin token.
    let refused = m.call(Method::GET, "/admin/tenants", "g-token", None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let removed = admin(&m, Method::DELETE, "/admin/tenants/gamma", None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let gone = m
        .call(Method::GET, "/t/gamma/scim/v2/Users", "g-token", None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        admin(&m, Method::DELETE, "/admin/tenants/gamma", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn tenants_from_the_yaml_config_are_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.yaml");
    std::fs::write(
        &path,
        "tenants:\n  - name: acme\n    tokens: [acme-token]\n    product: { default_role: viewer }\n",
    )
    .expect("write");
    let config = ServerConfig::from_yaml_file(&path).expect("config");
    let m = Multi::new(config);
    let reply = m
        .call(
            Method::POST,
            "/t/acme/scim/v2/Users",
            "acme-token",
            Some(user("p@example.com")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let product = m.tenants.get("acme").expect("acme").product();
    assert_eq!(product.default_role, "viewer");
    assert_eq!(m.tenants.default_tenant().product().default_role, "member");
    std::fs::write(&path, "tenants:\n  - { name: acme }\n  - { name: acme }\n").expect("write");
    assert!(
        ServerConfig::from_yaml_file(&path).is_err(),
        "a tenant declared twice"
    );
}
