//! `scimulator serve --data FILE` with tenants (issues 13 and 16), the real
//! binary: a tenant created through the admin API, with users, a group,
//! its configured and issued tokens and its OAuth clients, survives SIGKILL
//! and a restart (same ids, versions and memberships; every token and
//! client still works; tenant isolation still holds), a deleted tenant
//! stays deleted, and no token or client secret is in the file in clear.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use super::durable::serve;

const ADMIN: &str = "adm";
const A_TOKEN: &str = "acme-config-token-7f3a";
const B_TOKEN: &str = "beta-config-token-91c2";
const A_SECRET: &str = "acme-client-secret-c0ffee";
const LATER_SECRET: &str = "acme-later-secret-d15ea5e";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

struct Call {
    status: u16,
    body: Value,
}

async fn call(method: reqwest::Method, url: &str, token: &str, body: Option<Value>) -> Call {
    let client = reqwest::Client::new();
    let mut req = client
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
    Call {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

async fn oauth_token(root: &str, client_id: &str, secret: &str) -> Call {
    let response = reqwest::Client::new()
        .post(format!("{root}/t/acme/oauth/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("the token endpoint answers");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    Call { status, body }
}

fn created(call: &Call, what: &str) -> Value {
    assert!(
        (200..300).contains(&call.status),
        "{what}: {} {}",
        call.status,
        call.body
    );
    call.body.clone()
}

fn id(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}

fn member_ids(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// Every byte of the data file and its journal files.
fn file_bytes(file: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-journal", "-shm"] {
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        if let Ok(data) = std::fs::read(&path) {
            bytes.extend(data);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_created_tenant_survives_sigkill_with_tokens_clients_and_isolation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("tenants.db");
    let (mut child, base) = serve(&file).await;
    let root = base.trim_end_matches("/scim/v2").to_owned();
    let (a, b) = (
        format!("{root}/t/acme/scim/v2"),
        format!("{root}/t/beta/scim/v2"),
    );
    let post = reqwest::Method::POST;

    let spec_a = json!({"name": "acme", "tokens": [A_TOKEN],
        "oauth_clients": [{"client_id": "acme-app", "client_secret": A_SECRET}]});
    created(
        &call(
            post.clone(),
            &format!("{root}/admin/tenants"),
            ADMIN,
            Some(spec_a),
        )
        .await,
        "create acme",
    );
    let spec_b = json!({"name": "beta", "tokens": [B_TOKEN]});
    created(
        &call(
            post.clone(),
            &format!("{root}/admin/tenants"),
            ADMIN,
            Some(spec_b),
        )
        .await,
        "create beta",
    );
    let gone = json!({"name": "gone", "tokens": ["gone-token-0000"]});
    created(
        &call(
            post.clone(),
            &format!("{root}/admin/tenants"),
            ADMIN,
            Some(gone),
        )
        .await,
        "create gone",
    );
    let issued = created(
        &call(
            post.clone(),
            &format!("{root}/admin/tenants/acme/tokens"),
            ADMIN,
            Some(json!({"name": "okta"})),
        )
        .await,
        "issue an acme token",
    );
    let issued = issued["token"].as_str().expect("a token").to_owned();
    created(
        &call(
            post.clone(),
            &format!("{root}/admin/tenants/acme/oauth/clients"),
            ADMIN,
            Some(json!({"client_id": "acme-later", "client_secret": LATER_SECRET})),
        )
        .await,
        "an acme client through the admin API",
    );

    // Acme's data: two users, a group of both, a PATCHed user.
    let mut users = Vec::new();
    for name in ["ada", "bob"] {
        let body = json!({"schemas": [USER], "userName": name});
        let user = created(
            &call(post.clone(), &format!("{a}/Users"), A_TOKEN, Some(body)).await,
            "acme user",
        );
        users.push(id(&user));
    }
    let group = json!({"schemas": [GROUP], "displayName": "Eng",
        "members": [{"value": users[0]}, {"value": users[1]}]});
    let group = id(&created(
        &call(post.clone(), &format!("{a}/Groups"), &issued, Some(group)).await,
        "acme group",
    ));
    let patch = json!({"schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Ada L."}]});
    created(
        &call(
            reqwest::Method::PATCH,
            &format!("{a}/Users/{}", users[0]),
            A_TOKEN,
            Some(patch),
        )
        .await,
        "acme PATCH",
    );
    // The same userName in beta, and a user of the tenant that will be deleted.
    let beta_ada = json!({"schemas": [USER], "userName": "ada"});
    created(
        &call(post.clone(), &format!("{b}/Users"), B_TOKEN, Some(beta_ada)).await,
        "beta ada",
    );
    let gone_user = json!({"schemas": [USER], "userName": "gone-user"});
    created(
        &call(
            post.clone(),
            &format!("{root}/t/gone/scim/v2/Users"),
            "gone-token-0000",
            Some(gone_user),
        )
        .await,
        "gone user",
    );
    let removed = call(
        reqwest::Method::DELETE,
        &format!("{root}/admin/tenants/gone"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(removed.status, 204, "{}", removed.body);

    let mut before = Vec::new();
    for user in &users {
        before.push(
            call(
                reqwest::Method::GET,
                &format!("{a}/Users/{user}"),
                A_TOKEN,
                None,
            )
            .await,
        );
    }
    let group_before = call(
        reqwest::Method::GET,
        &format!("{a}/Groups/{group}"),
        A_TOKEN,
        None,
    )
    .await;

    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("the process ends");
    let bytes = file_bytes(&file);
    for secret in [A_TOKEN, B_TOKEN, A_SECRET, LATER_SECRET, issued.as_str()] {
        assert!(
            !contains(&bytes, secret),
            "a token or client secret is in the data file in clear"
        );
    }

    let (_child, base) = serve(&file).await;
    let root = base.trim_end_matches("/scim/v2").to_owned();
    let (a, b) = (
        format!("{root}/t/acme/scim/v2"),
        format!("{root}/t/beta/scim/v2"),
    );
    let get = reqwest::Method::GET;

    // Same ids, versions (ETags) and memberships; every token works.
    for (user, was) in users.iter().zip(&before) {
        for token in [A_TOKEN, issued.as_str()] {
            let now = call(get.clone(), &format!("{a}/Users/{user}"), token, None).await;
            assert_eq!(now.status, 200, "{}", now.body);
            assert_eq!(now.body["meta"]["version"], was.body["meta"]["version"]);
            assert_eq!(now.body["displayName"], was.body["displayName"]);
            let groups: Vec<&str> = now.body["groups"]
                .as_array()
                .map(|g| g.iter().filter_map(|g| g["value"].as_str()).collect())
                .unwrap_or_default();
            assert_eq!(groups, vec![group.as_str()], "User.groups of {user}");
        }
    }
    assert_eq!(
        before[0].body["displayName"], "Ada L.",
        "the PATCH was answered before the kill"
    );
    let group_now = call(get.clone(), &format!("{a}/Groups/{group}"), A_TOKEN, None).await;
    assert_eq!(group_now.status, 200);
    assert_eq!(member_ids(&group_now.body), member_ids(&group_before.body));
    assert_eq!(member_ids(&group_now.body).len(), 2);
    assert_eq!(
        group_now.body["meta"]["version"],
        group_before.body["meta"]["version"]
    );

    // Both OAuth clients still get tokens that work at acme.
    for (client, secret) in [("acme-app", A_SECRET), ("acme-later", LATER_SECRET)] {
        let answer = oauth_token(&root, client, secret).await;
        assert_eq!(answer.status, 200, "{client}: {}", answer.body);
        let access = answer.body["access_token"].as_str().expect("a token");
        let list = call(get.clone(), &format!("{a}/Users"), access, None).await;
        assert_eq!(list.status, 200, "{client}'s token after restart");
        assert_eq!(list.body["totalResults"], 2);
    }
    let wrong = oauth_token(&root, "acme-app", "not-the-secret").await;
    assert_eq!(wrong.status, 401, "a wrong secret after restart");

    // Isolation: beta's token cannot read acme, acme's ids are 404 in beta.
    let cross = call(
        get.clone(),
        &format!("{a}/Users/{}", users[0]),
        B_TOKEN,
        None,
    )
    .await;
    assert_eq!(cross.status, 401, "beta's token at acme's URL");
    let cross = call(
        get.clone(),
        &format!("{b}/Users/{}", users[0]),
        B_TOKEN,
        None,
    )
    .await;
    assert_eq!(cross.status, 404, "acme's id in beta");
    let beta = call(get.clone(), &format!("{b}/Users"), B_TOKEN, None).await;
    assert_eq!(beta.body["totalResults"], 1, "beta keeps only its own user");
    let cross = call(get.clone(), &format!("{b}/Users"), A_TOKEN, None).await;
    assert_eq!(cross.status, 401, "acme's token at beta's URL");

    // The deleted tenant stays deleted.
    let list = call(get.clone(), &format!("{root}/admin/tenants"), ADMIN, None).await;
    let names: Vec<&str> = list
        .body
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["acme", "beta"]);
    let gone = call(
        get.clone(),
        &format!("{root}/t/gone/scim/v2/Users"),
        "gone-token-0000",
        None,
    )
    .await;
    assert_eq!(gone.status, 404, "the deleted tenant after restart");
}
