//! Reference server over a real socket (`start` on 127.0.0.1:0 + reqwest):
//! the harness contract (admin token endpoints) and concurrency guarantees.

use scimulator::server::{ServerConfig, start};
use serde_json::{Value, json};

fn loopback() -> ServerConfig {
    ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        ..ServerConfig::default()
    }
}

async fn issue_token(client: &reqwest::Client, admin_base: &str, admin: &str) -> (String, String) {
    let created: Value = client
        .post(format!("{admin_base}/tokens"))
        .bearer_auth(admin)
        .json(&json!({"name": "run", "expires_at": null}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    (
        created["id"].as_str().expect("id").to_owned(),
        created["token"].as_str().expect("token").to_owned(),
    )
}

#[tokio::test]
async fn started_server_serves_scim_over_loopback_and_shuts_down() {
    let server = start(loopback()).await.expect("start");
    assert_ne!(server.local_addr().port(), 0);
    assert!(server.scim_base().starts_with("http://127.0.0.1:"));
    assert!(server.scim_base().ends_with("/scim/v2"));
    let client = reqwest::Client::new();
    let (token_id, token) = issue_token(&client, &server.admin_base(), server.admin_token()).await;
    let created = client
        .post(format!("{}/Users", server.scim_base()))
        .bearer_auth(&token)
        .header("Content-Type", "application/scim+json")
        .body(json!({"userName": "live@example.com"}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(location.starts_with(&server.scim_base()));
    let revoke = client
        .delete(format!("{}/tokens/{token_id}", server.admin_base()))
        .bearer_auth(server.admin_token())
        .send()
        .await
        .expect("send");
    assert_eq!(revoke.status(), 204);
    let refused = client
        .get(format!("{}/Users", server.scim_base()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), 401);
    let base = server.scim_base();
    server.shutdown().await;
    assert!(client.get(format!("{base}/Users")).send().await.is_err());
}

#[tokio::test]
async fn concurrent_creates_of_one_user_name_give_exactly_one_201() {
    let server = start(loopback()).await.expect("start");
    let client = reqwest::Client::new();
    let (_, token) = issue_token(&client, &server.admin_base(), server.admin_token()).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (client, token, url) = (
            client.clone(),
            token.clone(),
            format!("{}/Users", server.scim_base()),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"userName": "race@example.com"}))
                .send()
                .await
                .expect("send")
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("join"));
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn concurrent_member_adds_to_one_group_lose_none() {
    let server = start(loopback()).await.expect("start");
    let client = reqwest::Client::new();
    let (_, token) = issue_token(&client, &server.admin_base(), server.admin_token()).await;
    let base = server.scim_base();
    let mut ids = Vec::new();
    for i in 0..20 {
        let user: Value = client
            .post(format!("{base}/Users"))
            .bearer_auth(&token)
            .json(&json!({"userName": format!("m{i}@example.com")}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        ids.push(user["id"].as_str().expect("id").to_owned());
    }
    let group: Value = client
        .post(format!("{base}/Groups"))
        .bearer_auth(&token)
        .json(&json!({"displayName": "Crowd"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let gid = group["id"].as_str().expect("id").to_owned();
    let mut tasks = Vec::new();
    for uid in ids {
        let (client, token, url) = (
            client.clone(),
            token.clone(),
            format!("{base}/Groups/{gid}"),
        );
        tasks.push(tokio::spawn(async move {
            client
                .patch(url)
                .bearer_auth(token)
                .json(
                    &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}]}),
                )
                .send()
                .await
                .expect("send")
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("join"), 200);
    }
    let group: Value = client
        .get(format!("{base}/Groups/{gid}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(group["members"].as_array().map(Vec::len), Some(20));
    server.shutdown().await;
}
