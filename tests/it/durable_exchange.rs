//! `scimulator serve --data FILE --export/--import --data-tenant NAME`
//! (issue 16), the real binary: a tenant created through the admin API,
//! with users, a group, a configured and an issued token and an OAuth
//! client, is exported from one data file and imported into a fresh one;
//! served from there it answers the same users (ids, ETags, memberships)
//! to the same tokens at the same base URL, and its client still gets
//! tokens. The export holds no token or secret in clear (their SHA-256
//! only); exporting an unknown tenant is a usage error naming it; importing
//! into a tenant that holds resources is refused, naming it.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tokio::process::Command;

use super::durable::serve;

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");
const ADMIN: &str = "adm";
const DEFAULT_TOKEN: &str = "durable-token";
const A_TOKEN: &str = "acme-moved-token-4b1d";
const A_SECRET: &str = "acme-moved-secret-9e77";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

async fn call(
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token)
        .timeout(Duration::from_secs(30));
    if let Some(body) = body {
        req = req
            .header("Content-Type", "application/scim+json")
            .body(body.to_string());
    }
    let response = req.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn post(url: &str, token: &str, body: Value) -> Value {
    let (status, body) = call(reqwest::Method::POST, url, token, Some(body)).await;
    assert!((200..300).contains(&status), "POST {url}: {status} {body}");
    body
}

/// `scimulator serve ARGS…` to its end: exit code, stdout, stderr.
async fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> (Option<i32>, String, String) {
    let args: Vec<OsString> = args.iter().map(|a| a.as_ref().to_owned()).collect();
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        Command::new(BIN).arg("serve").args(&args).output(),
    )
    .await
    .expect("ends within 60 s")
    .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_tenant_moves_to_a_new_data_file_with_its_tokens_and_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (from, to) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let export = dir.path().join("acme.json");
    let (mut child, base) = serve(&from).await;
    let root = base.trim_end_matches("/scim/v2").to_owned();
    let acme = format!("{root}/t/acme/scim/v2");
    post(
        &format!("{root}/admin/tenants"),
        ADMIN,
        json!({"name": "acme", "tokens": [A_TOKEN],
            "oauth_clients": [{"client_id": "acme-app", "client_secret": A_SECRET}]}),
    )
    .await;
    let issued = post(
        &format!("{root}/admin/tenants/acme/tokens"),
        ADMIN,
        json!({"name": "okta"}),
    )
    .await;
    let issued = issued["token"].as_str().expect("a token").to_owned();
    let mut users = Vec::new();
    for name in ["ada@example.org", "bob@example.org"] {
        let user = post(
            &format!("{acme}/Users"),
            A_TOKEN,
            json!({"schemas": [USER], "userName": name}),
        )
        .await;
        users.push(user["id"].as_str().expect("id").to_owned());
    }
    let group = post(
        &format!("{acme}/Groups"),
        &issued,
        json!({"schemas": [GROUP], "displayName": "Eng",
            "members": [{"value": users[0]}, {"value": users[1]}]}),
    )
    .await;
    let group = group["id"].as_str().expect("id").to_owned();
    // A user of the default tenant, which the export of acme must not carry.
    post(
        &format!("{base}/Users"),
        DEFAULT_TOKEN,
        json!({"schemas": [USER], "userName": "stays@example.org"}),
    )
    .await;
    let mut before = Vec::new();
    for user in &users {
        before.push(
            call(
                reqwest::Method::GET,
                &format!("{acme}/Users/{user}"),
                A_TOKEN,
                None,
            )
            .await,
        );
    }
    child.start_kill().expect("stop the server");
    child.wait().await.expect("the process ends");

    // Export acme, then import it into a fresh file.
    let (code, stdout, stderr) = run(&[
        &"--data",
        &from,
        &"--export",
        &export,
        &"--data-tenant",
        &"acme",
    ])
    .await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("of tenant acme"), "{stdout}");
    let text = std::fs::read_to_string(&export).expect("the export");
    for secret in [A_TOKEN, A_SECRET, issued.as_str(), DEFAULT_TOKEN] {
        assert!(
            !text.contains(secret),
            "a token or secret in clear in the export"
        );
    }
    for hash in [hex_sha256(A_TOKEN), hex_sha256(A_SECRET)] {
        assert!(
            text.contains(&hash),
            "tokens and secrets travel as their SHA-256"
        );
    }
    let exported: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(exported["tenant"], "acme");
    assert_eq!(exported["resources"].as_array().map(Vec::len), Some(3));
    assert!(!text.contains("stays@example.org"), "only acme's resources");

    let (code, stdout, stderr) = run(&[
        &"--data",
        &to,
        &"--import",
        &export,
        &"--data-tenant",
        &"acme",
    ])
    .await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("tenant created"), "{stdout}");
    let (code, _, stderr) = run(&[
        &"--data",
        &to,
        &"--import",
        &export,
        &"--data-tenant",
        &"acme",
    ])
    .await;
    assert_eq!(code, Some(3), "a second import is refused: {stderr}");
    assert!(
        stderr.contains("tenant acme") && stderr.contains("already holds resources"),
        "{stderr}"
    );

    let (_child, base) = serve(&to).await;
    let root = base.trim_end_matches("/scim/v2").to_owned();
    let acme = format!("{root}/t/acme/scim/v2");
    for (user, (_, was)) in users.iter().zip(&before) {
        for token in [A_TOKEN, issued.as_str()] {
            let (status, now) = call(
                reqwest::Method::GET,
                &format!("{acme}/Users/{user}"),
                token,
                None,
            )
            .await;
            assert_eq!(status, 200, "{user} with a moved token: {now}");
            assert_eq!(now["meta"]["version"], was["meta"]["version"]);
            assert_eq!(now["meta"]["created"], was["meta"]["created"]);
            assert_eq!(now["userName"], was["userName"]);
            assert_eq!(now["groups"][0]["value"], group.as_str());
        }
    }
    let (status, listed) = call(
        reqwest::Method::GET,
        &format!("{base}/Users"),
        DEFAULT_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        listed["totalResults"], 0,
        "the default tenant of B stays empty"
    );
    let (status, _) = call(
        reqwest::Method::GET,
        &format!("{acme}/Users"),
        DEFAULT_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 401, "the default tenant's token does not open acme");
    let answer = reqwest::Client::new()
        .post(format!("{root}/t/acme/oauth/token"))
        .basic_auth("acme-app", Some(A_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("the token endpoint answers");
    assert_eq!(
        answer.status().as_u16(),
        200,
        "the moved OAuth client works"
    );
}

#[tokio::test]
async fn exporting_an_unknown_tenant_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.db");
    let out = dir.path().join("out.json");
    // An empty data file holds the default tenant only.
    let (code, stdout, stderr) = run(&[&"--data", &file, &"--export", &out]).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    std::fs::remove_file(&out).expect("remove");
    let (code, _, stderr) = run(&[
        &"--data",
        &file,
        &"--export",
        &out,
        &"--data-tenant",
        &"nosuch",
    ])
    .await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("no tenant nosuch") && stderr.contains("default"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!Path::new(&out).exists(), "nothing is written");
    let (code, _, stderr) = run(&[
        &"--data",
        &file,
        &"--export",
        &out,
        &"--data-tenant",
        &"Not A Name",
    ])
    .await;
    assert_eq!(code, Some(2), "an invalid tenant name: {stderr}");
    assert!(stderr.contains("tenant name"), "{stderr}");
    let (code, _, stderr) = run(&[&"--data", &file, &"--data-tenant", &"acme"]).await;
    assert_eq!(
        code,
        Some(2),
        "--data-tenant without --export/--import: {stderr}"
    );
}
