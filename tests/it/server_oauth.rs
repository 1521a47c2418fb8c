//! The reference server's OAuth 2.0 client-credentials token endpoint
//! (RFC 6749 §4.4): issued tokens reach SCIM until they expire, then answer
//! 401 `invalid_token` (RFC 6750 §3.1); a token without the `scim` scope is
//! 403 `insufficient_scope`; every RFC 6749 §5.2 error answer, as a table.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine as _;
use scimulator::server::{OAuthClientConfig, ServerConfig, TenantSpec};

use crate::server_tenants::{Multi, Reply};

const SECRET: &str = "canary-client-secret-4711";

fn config() -> ServerConfig {
    ServerConfig {
        oauth_clients: vec![
            OAuthClientConfig {
                client_id: "okta".into(),
                client_secret: SECRET.into(),
                scopes: Vec::new(),
                token_ttl_secs: 60,
            },
            OAuthClientConfig {
                client_id: "scoped".into(),
                client_secret: SECRET.into(),
                scopes: vec!["scim".into(), "audit".into()],
                token_ttl_secs: 60,
            },
        ],
        tenants: vec![TenantSpec {
            name: "acme".into(),
            oauth_clients: vec![OAuthClientConfig {
                client_id: "acme-client".into(),
                client_secret: SECRET.into(),
                scopes: Vec::new(),
                token_ttl_secs: 60,
            }],
            ..TenantSpec::default()
        }],
        ..ServerConfig::default()
    }
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

async fn token_request(
    m: &Multi,
    path: &str,
    auth: Option<&str>,
    form: &str,
    ctype: &str,
) -> Reply {
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, ctype);
    if let Some(a) = auth {
        builder = builder.header(header::AUTHORIZATION, a);
    }
    m.raw(builder.body(Body::from(form.to_owned())).expect("request"))
        .await
}

const FORM: &str = "application/x-www-form-urlencoded";

async fn issue(m: &Multi, form: &str) -> Reply {
    token_request(m, "/oauth/token", None, form, FORM).await
}

#[tokio::test]
async fn both_client_auth_methods_issue_a_short_lived_bearer_token() {
    let m = Multi::new(config());
    let post = issue(
        &m,
        &format!("grant_type=client_credentials&client_id=okta&client_secret={SECRET}"),
    )
    .await;
    assert_eq!(post.status, StatusCode::OK, "{}", post.body);
    assert_eq!(post.body["token_type"], "Bearer");
    assert_eq!(post.body["expires_in"], 60);
    assert_eq!(post.headers[header::CACHE_CONTROL], "no-store");
    let via_basic = token_request(
        &m,
        "/oauth/token",
        Some(&basic("okta", SECRET)),
        "grant_type=client_credentials",
        FORM,
    )
    .await;
    assert_eq!(via_basic.status, StatusCode::OK, "{}", via_basic.body);
    let token = via_basic.body["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_ne!(token, post.body["access_token"].as_str().expect("token"));
    assert!(!via_basic.body.to_string().contains(SECRET));
    let ok = m.call(Method::GET, "/scim/v2/Users", &token, None).await;
    assert_eq!(ok.status, StatusCode::OK);
    // Expiry is enforced: one second past `expires_in` the token is refused.
    m.clock.set(m.clock_now() + time::Duration::seconds(60));
    let expired = m.call(Method::GET, "/scim/v2/Users", &token, None).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    let www = expired.headers[header::WWW_AUTHENTICATE]
        .to_str()
        .expect("ascii");
    assert!(
        www.starts_with("Bearer") && www.contains("error=\"invalid_token\""),
        "{www}"
    );
    // The secret is stored hashed: nothing the admin API lists contains it.
    let listed = format!("{:?}", m.tenants.default_tenant().oauth.list());
    assert!(!listed.contains(SECRET), "{listed}");
}

#[tokio::test]
async fn a_tenant_token_from_its_own_endpoint_is_refused_at_another_tenant() {
    let m = Multi::new(config());
    let issued = issue_at(&m, "/t/acme/oauth/token", "acme-client").await;
    assert_eq!(
        m.call(Method::GET, "/t/acme/scim/v2/Users", &issued, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        m.call(Method::GET, "/scim/v2/Users", &issued, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // A client of one tenant is unknown at another's token endpoint.
    let other = token_request(
        &m,
        "/oauth/token",
        None,
        &format!("grant_type=client_credentials&client_id=acme-client&client_secret={SECRET}"),
        FORM,
    )
    .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
}

async fn issue_at(m: &Multi, path: &str, client: &str) -> String {
    let r = token_request(
        m,
        path,
        None,
        &format!("grant_type=client_credentials&client_id={client}&client_secret={SECRET}"),
        FORM,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["access_token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn scopes_are_granted_as_asked_and_scim_needs_the_scim_scope() {
    let m = Multi::new(config());
    let all = issue(
        &m,
        &format!("grant_type=client_credentials&client_id=scoped&client_secret={SECRET}"),
    )
    .await;
    assert_eq!(all.body["scope"], "scim audit");
    let token = all.body["access_token"].as_str().expect("t");
    assert_eq!(
        m.call(Method::GET, "/scim/v2/Users", token, None)
            .await
            .status,
        StatusCode::OK
    );
    let audit_only = issue(
        &m,
        &format!(
            "grant_type=client_credentials&client_id=scoped&client_secret={SECRET}&scope=audit"
        ),
    )
    .await;
    assert_eq!(audit_only.body["scope"], "audit");
    let token = audit_only.body["access_token"].as_str().expect("t");
    let refused = m.call(Method::GET, "/scim/v2/Users", token, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let www = refused.headers[header::WWW_AUTHENTICATE]
        .to_str()
        .expect("ascii");
    assert!(www.contains("insufficient_scope"), "{www}");
}

/// RFC 6749 §5.2: every error code, its status and (for 401) the challenge.
#[tokio::test]
async fn token_endpoint_error_answers_follow_rfc6749_section_5_2() {
    let m = Multi::new(config());
    let ok = format!("client_id=okta&client_secret={SECRET}");
    let wrong = basic("okta", "not-the-secret");
    let good_basic = basic("okta", SECRET);
    // (name, Authorization, form body, content type, status, error code)
    type Row<'a> = (&'a str, Option<&'a str>, String, &'a str, u16, &'a str);
    let cases: Vec<Row> = vec![
        (
            "no grant_type",
            None,
            ok.clone(),
            FORM,
            400,
            "invalid_request",
        ),
        (
            "JSON body",
            None,
            format!("grant_type=client_credentials&{ok}"),
            "application/json",
            400,
            "invalid_request",
        ),
        (
            "repeated parameter",
            None,
            format!("grant_type=client_credentials&grant_type=client_credentials&{ok}"),
            FORM,
            400,
            "invalid_request",
        ),
        (
            "two auth methods",
            Some(&good_basic),
            format!("grant_type=client_credentials&{ok}"),
            FORM,
            400,
            "invalid_request",
        ),
        (
            "secret without id",
            None,
            format!("grant_type=client_credentials&client_secret={SECRET}"),
            FORM,
            400,
            "invalid_request",
        ),
        (
            "no client auth",
            None,
            "grant_type=client_credentials".into(),
            FORM,
            401,
            "invalid_client",
        ),
        (
            "wrong secret (post)",
            None,
            "grant_type=client_credentials&client_id=okta&client_secret=nope".into(),
            FORM,
            401,
            "invalid_client",
        ),
        (
            "unknown client",
            None,
            format!("grant_type=client_credentials&client_id=ghost&client_secret={SECRET}"),
            FORM,
            401,
            "invalid_client",
        ),
        (
            "wrong secret (basic)",
            Some(&wrong),
            "grant_type=client_credentials".into(),
            FORM,
            401,
            "invalid_client",
        ),
        (
            "refresh token never issued",
            None,
            format!("grant_type=refresh_token&refresh_token=x&{ok}"),
            FORM,
            400,
            "invalid_grant",
        ),
        (
            "authorization code never issued",
            None,
            format!("grant_type=authorization_code&code=x&{ok}"),
            FORM,
            400,
            "invalid_grant",
        ),
        (
            "password grant",
            None,
            format!("grant_type=password&username=a&password=b&{ok}"),
            FORM,
            400,
            "unauthorized_client",
        ),
        (
            "made-up grant",
            None,
            format!("grant_type=magic&{ok}"),
            FORM,
            400,
            "unsupported_grant_type",
        ),
        (
            "scope the client lacks",
            None,
            format!("grant_type=client_credentials&scope=admin&{ok}"),
            FORM,
            400,
            "invalid_scope",
        ),
        (
            "scope outside the configured ones",
            None,
            format!(
                "grant_type=client_credentials&scope=scim%20admin&client_id=scoped&client_secret={SECRET}"
            ),
            FORM,
            400,
            "invalid_scope",
        ),
    ];
    for (name, auth, form, ctype, status, error) in cases {
        let reply = token_request(&m, "/oauth/token", auth, &form, ctype).await;
        assert_eq!(reply.status.as_u16(), status, "{name}: {}", reply.body);
        assert_eq!(reply.body["error"], error, "{name}");
        assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store", "{name}");
        let body = reply.body.to_string();
        assert!(!body.contains(SECRET), "{name}: the secret is never echoed");
        if status == 401 {
            let www = reply.headers[header::WWW_AUTHENTICATE]
                .to_str()
                .expect("ascii");
            assert!(www.starts_with("Basic"), "{name}: {www}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any form body, any client: the endpoint answers 200 or one of the
    /// RFC 6749 §5.2 codes with 400/401, never a 5xx, never the secret.
    #[test]
    fn any_token_request_gets_a_well_formed_answer(form in "[a-z_=&%0-9 ]{0,80}", id in proptest::option::of("[a-z]{0,6}")) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
        rt.block_on(async {
            let m = Multi::new(config());
            let body = match &id {
                Some(id) => format!("{form}&client_id={id}&client_secret={SECRET}"),
                None => form.clone(),
            };
            let reply = token_request(&m, "/oauth/token", None, &body, FORM).await;
            let code = reply.body["error"].as_str().unwrap_or("");
            match reply.status.as_u16() {
                200 => assert!(reply.body["access_token"].is_string()),
                400 => assert!(["invalid_request", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"].contains(&code), "{code}"),
                401 => assert_eq!(code, "invalid_client"),
                other => panic!("status {other}: {}", reply.body),
            }
            assert!(!reply.body.to_string().contains(SECRET));
        });
    }
}
