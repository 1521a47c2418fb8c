//! The harness as an OAuth 2.0 client (issue 13): it gets its bearer token
//! from a token endpoint (the reference server's and a wiremock one),
//! caches it, refreshes it when `expires_in` runs out and once after a 401,
//! falls back to `client_secret_post`, and never shows the client secret or
//! an issued token in any output (console, JSON, JUnit, HTML, Markdown).

use std::time::Duration;

use scimulator::runner::{OAuthSettings, OAuthSource};
use scimulator::server::{OAuthClientConfig, ServerConfig};
use wiremock::matchers::{body_string_contains, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::Reference;

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");
const SECRET: &str = "canary-client-secret-9f31";
const ISSUED: &str = "canary-issued-token-7c2a";

fn settings(token_url: String) -> OAuthSettings {
    OAuthSettings {
        token_url,
        client_id: "run".into(),
        client_secret: SECRET.into(),
        scope: None,
    }
}

#[tokio::test]
async fn tokens_from_the_reference_server_are_cached_refreshed_after_401_and_work() {
    let reference = Reference::start_with(ServerConfig {
        oauth_clients: vec![OAuthClientConfig {
            client_id: "run".into(),
            client_secret: SECRET.into(),
            scopes: vec!["scim".into()],
            token_ttl_secs: 3600,
        }],
        ..ServerConfig::default()
    })
    .await;
    let source = OAuthSource::new(
        settings(reference.server.token_url()),
        Duration::from_secs(5),
    )
    .expect("source");
    let first = source.token().await.expect("a token");
    assert_eq!(
        source.token().await.expect("cached"),
        first,
        "cached until it expires"
    );
    let second = source
        .refresh_after_401(&first)
        .await
        .expect("a fresh token");
    assert_ne!(second, first, "a 401 fetches a new token");
    assert_eq!(
        source
            .refresh_after_401(&first)
            .await
            .expect("no second fetch"),
        second,
        "a 401 to a token already replaced reuses the newer one"
    );
    let users = format!("{}/Users", reference.server.scim_base());
    let status = reqwest::Client::new()
        .get(&users)
        .bearer_auth(&second)
        .send()
        .await
        .expect("answers")
        .status();
    assert_eq!(status.as_u16(), 200);
    let secrets = source.secrets();
    assert!(
        secrets.contains(&first)
            && secrets.contains(&second)
            && secrets.contains(&SECRET.to_owned())
    );
    reference.server.shutdown().await;
}

#[tokio::test]
async fn an_expired_token_is_refetched_and_post_is_tried_when_basic_is_refused() {
    let idp = MockServer::start().await;
    // Basic is refused; client_secret_post works and issues tokens that expire at once.
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header_exists("authorization"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"error": "invalid_client"})),
        )
        .mount(&idp)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains(format!("client_secret={SECRET}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": ISSUED, "token_type": "bearer", "expires_in": 0
        })))
        .mount(&idp)
        .await;
    let source = OAuthSource::new(
        settings(format!("{}/token", idp.uri())),
        Duration::from_secs(5),
    )
    .expect("source");
    assert_eq!(source.token().await.expect("token"), ISSUED);
    assert_eq!(source.token().await.expect("token"), ISSUED);
    let requests = idp.received_requests().await.expect("recorded");
    // Two fetches (expires_in 0 means expired at once), each basic then post.
    assert_eq!(
        requests.len(),
        4,
        "each token() refetched the expired token"
    );
    let body = String::from_utf8_lossy(&requests[1].body).into_owned();
    assert!(
        body.contains("grant_type=client_credentials") && body.contains("client_id=run"),
        "{body}"
    );
}

#[tokio::test]
async fn a_token_endpoint_that_never_answers_ends_the_fetch() {
    let idp = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&idp)
        .await;
    let source = OAuthSource::new(
        settings(format!("{}/token", idp.uri())),
        Duration::from_millis(300),
    )
    .expect("source");
    let err = source.token().await.expect_err("times out");
    assert!(err.to_string().contains("did not answer"), "{err}");
    assert!(!err.to_string().contains(SECRET));
}

#[tokio::test]
async fn a_run_with_oauth_refreshes_after_401_and_no_output_shows_a_secret() {
    // The SCIM server accepts only the second token the IdP issues: the
    // first request gets 401 and the harness must refresh once.
    let reference = Reference::start_with(ServerConfig {
        tokens: vec![ISSUED.into()],
        ..ServerConfig::default()
    })
    .await;
    let idp = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "canary-stale-token-0b44", "token_type": "Bearer", "expires_in": 3600
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&idp)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": ISSUED, "token_type": "Bearer", "expires_in": 3600
        })))
        .with_priority(2)
        .mount(&idp)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("out");
    let report = |kind: &str, file: &str| format!("{kind}={}", reports.join(file).display());
    let output = tokio::process::Command::new(BIN)
        .current_dir(dir.path())
        .env_remove("CI")
        .env_remove("SCIMULATOR_TOKEN")
        .env("NO_COLOR", "1")
        .env("SCIMULATOR_CLIENT_SECRET", SECRET)
        .args([
            "run",
            "--target",
            &reference.server.scim_base(),
            "--oauth-token-url",
            &format!("{}/token", idp.uri()),
            "--client-id",
            "run",
            "--filter",
            "rfc7644/resources.yaml",
            "--fail-on",
            "required",
            "--report",
            &report("json", "r.json"),
            "--report",
            &report("junit", "r.xml"),
            "--report",
            &report("html", "r.html"),
            "--report",
            &report("markdown", "r.md"),
        ])
        .output()
        .await
        .expect("the binary runs");
    reference.server.shutdown().await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let mut everything = format!("{stdout}\n{stderr}");
    for file in ["r.json", "r.xml", "r.html", "r.md"] {
        everything.push_str(&std::fs::read_to_string(reports.join(file)).expect("report written"));
    }
    // The stale token got 401 (in the pre-flight), the harness fetched once
    // more, and the run passed with the second token: exactly two fetches.
    assert_eq!(idp.received_requests().await.expect("recorded").len(), 2);
    assert!(
        everything.contains("Bearer ***"),
        "the token was sent and redacted"
    );
    for secret in [SECRET, ISSUED, "canary-stale-token-0b44"] {
        assert!(!everything.contains(secret), "`{secret}` leaked");
    }
}

#[tokio::test]
async fn oauth_flags_are_checked_before_anything_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        vec![
            "run",
            "--target",
            "http://127.0.0.1:9/scim/v2",
            "--oauth-token-url",
            "http://127.0.0.1:9/t",
        ],
        vec![
            "run",
            "--target",
            "http://127.0.0.1:9/scim/v2",
            "--client-id",
            "x",
        ],
        vec![
            "run",
            "--target",
            "http://127.0.0.1:9/scim/v2",
            "--token",
            "t",
            "--oauth-token-url",
            "http://x/t",
            "--client-id",
            "a",
            "--client-secret",
            "b",
        ],
    ] {
        let output = tokio::process::Command::new(BIN)
            .current_dir(dir.path())
            .env_remove("SCIMULATOR_TOKEN")
            .env_remove("SCIMULATOR_CLIENT_SECRET")
            .args(&args)
            .output()
            .await
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
