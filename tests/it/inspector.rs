//! The live inspector (`/admin/ui` and its admin JSON API): the feed records
//! an Okta deactivation with its diff, keeps only the last N exchanges,
//! never stores a secret, returns request text raw (the page renders it as
//! text: proven in Chromium below), refuses a wrong admin token on every
//! endpoint; and the page itself, driven headless through the DevTools
//! protocol (`support/inspector_cdp.mjs`), logs in, shows the PATCH and its
//! `active: true → false`, and creates and revokes a token that is then
//! refused. Screenshots go to `reports/inspector-*.png`. Without chromium or
//! node the browser test says it is skipped and passes.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use scimulator::server::inspect::InspectorConfig;
use scimulator::server::{RunningServer, ServerConfig};

const ADMIN: &str = "inspector-admin-secret";
const SCIM: &str = "inspector-scim-secret";
const OKTA_UA: &str = "Okta SCIM Client 1.0.0";

async fn server(feed_size: usize) -> RunningServer {
    scimulator::server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        admin_token: Some(ADMIN.into()),
        tokens: vec![SCIM.into()],
        inspector: InspectorConfig { feed_size },
        ..ServerConfig::default()
    })
    .await
    .expect("server starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn scim(
    s: &RunningServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = client()
        .request(method, format!("{}{path}", s.scim_base()))
        .bearer_auth(SCIM)
        .header("User-Agent", OKTA_UA)
        .header("Cookie", "session=cookie-secret");
    if let Some(body) = body {
        req = req
            .header("Content-Type", "application/scim+json")
            .body(body.to_string());
    }
    let res = req.send().await.expect("SCIM answers");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn admin(s: &RunningServer, path: &str, token: &str) -> (StatusCode, String) {
    let res = client()
        .get(format!("{}{path}", s.admin_base()))
        .bearer_auth(token)
        .send()
        .await
        .expect("admin answers");
    (res.status(), res.text().await.unwrap_or_default())
}

async fn admin_json(s: &RunningServer, path: &str) -> Value {
    let (status, text) = admin(s, path, ADMIN).await;
    assert_eq!(status, StatusCode::OK, "{path}: {text}");
    serde_json::from_str(&text).expect("admin JSON")
}

/// An Okta-style create and deactivation; returns the user id.
async fn okta_create_and_deactivate(s: &RunningServer) -> String {
    let (status, user) = scim(
        s,
        reqwest::Method::POST,
        "/Users",
        Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ada@example.com",
            "displayName": "<script>alert(1)</script>Ada",
            "password": "user-password-secret",
            "active": true
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_str().expect("id").to_owned();
    let (status, _) = scim(
        s,
        reqwest::Method::PATCH,
        &format!("/Users/{id}"),
        Some(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": false}}]
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    id
}

#[tokio::test]
async fn feed_records_an_okta_deactivation_with_its_diff_and_history() {
    let s = server(100).await;
    let id = okta_create_and_deactivate(&s).await;
    let feed = admin_json(&s, "/feed").await;
    let entries = feed["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "{feed}");
    let patch = &entries[0];
    assert_eq!(patch["method"], "PATCH");
    assert_eq!(patch["idp"], "okta");
    assert_eq!(patch["tenant"], "default");
    assert_eq!(patch["status"], 200);
    assert_eq!(patch["resource"], json!({"type": "Users", "id": id}));
    assert_eq!(patch["changes"], 1);
    let seq = patch["seq"].as_u64().expect("seq");
    let detail = admin_json(&s, &format!("/feed/{seq}")).await;
    assert_eq!(
        detail["diff"],
        json!([{"path": "active", "before": true, "after": false}])
    );
    let create = admin_json(&s, &format!("/feed/{}", seq - 1)).await;
    let created: Vec<&str> = create["diff"]
        .as_array()
        .expect("create diff")
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    assert!(
        created.contains(&"userName") && created.contains(&"active"),
        "{created:?}"
    );
    // Only newer entries after a sequence number.
    let newer = admin_json(&s, &format!("/feed?after={}", seq - 1)).await;
    assert_eq!(newer["entries"].as_array().map(Vec::len), Some(1));
    // History of the user, newest first, and the user found by search.
    let history = admin_json(&s, &format!("/resources/Users/{id}/history")).await;
    let methods: Vec<&str> = history["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["method"].as_str())
        .collect();
    assert_eq!(methods, ["PATCH", "POST"]);
    assert_eq!(history["current"]["active"], false);
    let found = admin_json(&s, "/resources/Users?q=ADA@EXAMPLE").await;
    assert_eq!(found["total"], 1);
    let none = admin_json(&s, "/resources/Users?q=nobody-here").await;
    assert_eq!(none["total"], 0);
    s.shutdown().await;
}

#[tokio::test]
async fn feed_keeps_only_the_last_n_exchanges() {
    let s = server(3).await;
    for _ in 0..5 {
        let (status, _) = scim(&s, reqwest::Method::GET, "/Users", None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let feed = admin_json(&s, "/feed").await;
    let seqs: Vec<u64> = feed["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["seq"].as_u64())
        .collect();
    assert_eq!(seqs, [5, 4, 3]);
    let (status, _) = admin(&s, "/feed/1", ADMIN).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.shutdown().await;
}

#[tokio::test]
async fn secrets_are_redacted_and_request_text_is_returned_raw() {
    let s = server(100).await;
    let id = okta_create_and_deactivate(&s).await;
    let mut all = String::new();
    for seq in [1, 2] {
        let (status, text) = admin(&s, &format!("/feed/{seq}"), ADMIN).await;
        assert_eq!(status, StatusCode::OK);
        all.push_str(&text);
    }
    for secret in [SCIM, "cookie-secret", "user-password-secret"] {
        assert!(!all.contains(secret), "feed holds `{secret}`: {all}");
    }
    assert!(all.contains("Bearer ***"), "{all}");
    // The stored password must not leak through the diff or the history.
    let (_, history) = admin(&s, &format!("/resources/Users/{id}/history"), ADMIN).await;
    assert!(!history.contains("user-password-secret"), "{history}");
    // Raw JSON text, not HTML-escaped: escaping is the page's job.
    assert!(all.contains("<script>alert(1)</script>Ada"), "{all}");
    s.shutdown().await;
}

#[tokio::test]
async fn a_wrong_admin_token_gets_401_on_every_inspector_endpoint() {
    let s = server(100).await;
    let id = okta_create_and_deactivate(&s).await;
    for path in [
        "/feed".to_owned(),
        "/feed/1".to_owned(),
        "/resources/Users".to_owned(),
        format!("/resources/Users/{id}/history"),
    ] {
        for token in ["wrong", SCIM] {
            let (status, body) = admin(&s, &path, token).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(!body.contains("ada@example.com"), "{path}: {body}");
        }
        let (status, _) = admin(&s, &path, ADMIN).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // The page itself holds no data and is public; it has no external asset.
    let res = client()
        .get(format!("{}/ui", s.admin_base()))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("page text");
    assert!(page.contains("scimulator inspector"));
    assert!(!page.contains("ada@example.com"));
    assert!(
        !page.contains("innerHTML"),
        "the page must insert text only"
    );
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
    s.shutdown().await;
}

#[tokio::test]
async fn capture_off_keeps_an_empty_feed_and_scim_works() {
    let s = server(0).await;
    okta_create_and_deactivate(&s).await;
    let feed = admin_json(&s, "/feed").await;
    assert_eq!(feed["entries"], json!([]));
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inspector_page_in_chromium_shows_the_deactivation_and_revokes_a_token() {
    const CHROMIUM: &str = "/usr/bin/chromium";
    if !Path::new(CHROMIUM).exists() {
        println!("inspector browser test skipped: {CHROMIUM} is not installed");
        return;
    }
    let node_ok = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok {
        println!("inspector browser test skipped: node is not installed");
        return;
    }
    let s = server(1000).await;
    let profile = tempfile::tempdir().expect("profile");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tokio::time::timeout(
        Duration::from_secs(150),
        tokio::process::Command::new("node")
            .arg("--experimental-websocket")
            .arg(root.join("tests/it/support/inspector_cdp.mjs"))
            .env("CHROMIUM", CHROMIUM)
            .env("BASE", format!("http://{}", s.local_addr()))
            .env("ADMIN", ADMIN)
            .env("SCIM_TOKEN", SCIM)
            .env("PROFILE", profile.path())
            .env("SHOTS", root.join("reports"))
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the browser scenario ends within 150 s")
    .expect("node starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("\nOK"),
        "browser scenario failed:\n{stdout}\n{stderr}"
    );
    for shot in [
        "inspector-feed-diff.png",
        "inspector-tokens.png",
        "inspector-user-history.png",
    ] {
        let path = root.join("reports").join(shot);
        assert!(
            path.metadata().is_ok_and(|m| m.len() > 1000),
            "{shot} saved"
        );
    }
    s.shutdown().await;
}

/// Each tenant has its own feed, and its entries carry the tenant's name:
/// a write at `/t/acme/scim/v2` shows in acme's feed as `acme`, never in the
/// default tenant's.
#[tokio::test]
async fn a_tenants_exchanges_are_in_its_own_feed_under_its_name() {
    let s = scimulator::server::start(ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        admin_token: Some(ADMIN.into()),
        tokens: vec![SCIM.into()],
        tenants: vec![scimulator::server::TenantSpec {
            name: "acme".into(),
            tokens: vec!["acme-scim-secret".into()],
            ..Default::default()
        }],
        ..ServerConfig::default()
    })
    .await
    .expect("server starts");
    let base = s.scim_base().replace("/scim/v2", "/t/acme/scim/v2");
    let res = client()
        .post(format!("{base}/Users"))
        .bearer_auth("acme-scim-secret")
        .header("Content-Type", "application/scim+json")
        .body(
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "acme@example.com"})
                .to_string(),
        )
        .send()
        .await
        .expect("acme answers");
    assert_eq!(res.status(), StatusCode::CREATED);
    let acme = admin_json(&s, "/tenants/acme/feed").await;
    let entries = acme["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{acme}");
    assert_eq!(entries[0]["tenant"], "acme");
    let default = admin_json(&s, "/feed").await;
    assert_eq!(default["entries"], json!([]), "{default}");
}
