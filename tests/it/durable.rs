//! `scimulator serve --data FILE` (issue 16), the real binary: killed with
//! SIGKILL at a random moment in the middle of 1,000 concurrent creates,
//! PATCHes and member adds, then restarted on the same file. Every write
//! that got a 2xx must be there (with at least the version it was answered
//! with), none that got an error status may be, and group memberships and
//! `User.groups` must agree. Writes whose connection died with the process
//! got no answer either way and may or may not be there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng as _;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_scimulator");
const TOKEN: &str = "durable-token";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// `serve --data file` on a free port; returns the process and its SCIM base URL.
pub async fn serve(file: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--token",
            TOKEN,
            "--admin-token",
            "adm",
        ])
        .arg("--data")
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.trim().strip_prefix("SCIM base URL:") {
                return url.trim().to_owned();
            }
        }
        panic!("serve --data exited before printing its URL");
    })
    .await
    .expect("serve --data prints its URL within 60 s");
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

/// What one request got.
#[derive(Debug, Clone)]
enum Answer {
    /// A 2xx with its body.
    Ok(Value),
    /// An error status.
    Refused(u16),
    /// No answer (the process died).
    Lost,
}

async fn send(client: &reqwest::Client, req: reqwest::RequestBuilder) -> Answer {
    let _ = client;
    match req
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/scim+json")
        .timeout(Duration::from_secs(30))
        .send()
        .await
    {
        Ok(resp) if resp.status().is_success() => match resp.json::<Value>().await {
            Ok(body) => Answer::Ok(body),
            // Headers came but the body did not: the process died mid-answer.
            Err(_) => Answer::Lost,
        },
        Ok(resp) => Answer::Refused(resp.status().as_u16()),
        Err(_) => Answer::Lost,
    }
}

fn version(body: &Value) -> u64 {
    body.pointer("/meta/version")
        .and_then(Value::as_str)
        .and_then(|v| v.trim_start_matches("W/").trim_matches('"').parse().ok())
        .unwrap_or(0)
}

/// One write of the storm and what it got.
#[derive(Debug)]
enum Write {
    CreateGroup {
        name: String,
        answer: Answer,
    },
    CreateUser {
        name: String,
        answer: Answer,
    },
    AddEmail {
        user: String,
        email: String,
        answer: Answer,
    },
    AddMember {
        group: String,
        user: String,
        answer: Answer,
    },
}

async fn get(client: &reqwest::Client, url: String) -> Option<Value> {
    let resp = client
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("GET answered");
    if resp.status().as_u16() == 404 {
        return None;
    }
    assert!(resp.status().is_success(), "GET: {}", resp.status());
    Some(resp.json().await.expect("JSON"))
}

async fn list(client: &reqwest::Client, url: String) -> Vec<Value> {
    let body = get(client, url).await.expect("list");
    body["Resources"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_and_errored_ones_do_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("scim.db");
    let (mut child, base) = serve(&file).await;
    let client = reqwest::Client::new();

    // 20 users and 5 groups to change, created before the storm.
    let mut seed_users = Vec::new();
    for i in 0..20 {
        let body = json!({"schemas": [USER], "userName": format!("seed-{i}@example.org")});
        let Answer::Ok(user) = send(
            &client,
            client.post(format!("{base}/Users")).body(body.to_string()),
        )
        .await
        else {
            panic!("seed user {i}");
        };
        seed_users.push(user["id"].as_str().expect("id").to_owned());
    }
    let mut groups = Vec::new();
    for g in 0..5 {
        let body = json!({"schemas": [GROUP], "displayName": format!("Storm group {g}")});
        let Answer::Ok(group) = send(
            &client,
            client.post(format!("{base}/Groups")).body(body.to_string()),
        )
        .await
        else {
            panic!("seed group {g}");
        };
        groups.push(group["id"].as_str().expect("id").to_owned());
    }

    // 1,000 writes, 32 in flight; SIGKILL at a random moment.
    let kill_after = Duration::from_millis(rand::rng().random_range(100..1500));
    let sem = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000usize {
        let (client, base, sem) = (client.clone(), base.clone(), Arc::clone(&sem));
        let user = seed_users[i % seed_users.len()].clone();
        let group = groups[i % groups.len()].clone();
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await;
            match i % 3 {
                // Every ninth create is refused (a member that does not exist).
                0 if i % 9 == 0 => {
                    let name = format!("refused-{i}");
                    let body = json!({"schemas": [GROUP], "displayName": name,
                                      "members": [{"value": "no-such-member"}]});
                    let answer = send(&client, client.post(format!("{base}/Groups")).body(body.to_string())).await;
                    Write::CreateGroup { name, answer }
                }
                0 => {
                    let name = format!("storm-{i}@example.org");
                    let body = json!({"schemas": [USER], "userName": name});
                    let answer = send(&client, client.post(format!("{base}/Users")).body(body.to_string())).await;
                    Write::CreateUser { name, answer }
                }
                1 => {
                    let email = format!("patch-{i}@example.org");
                    let body = json!({"schemas": [PATCH_OP], "Operations": [
                        {"op": "add", "path": "emails", "value": [{"value": email, "type": "work"}]}]});
                    let answer = send(&client, client.patch(format!("{base}/Users/{user}")).body(body.to_string())).await;
                    Write::AddEmail { user, email, answer }
                }
                _ => {
                    let body = json!({"schemas": [PATCH_OP], "Operations": [
                        {"op": "add", "path": "members", "value": [{"value": user}]}]});
                    let answer = send(&client, client.patch(format!("{base}/Groups/{group}")).body(body.to_string())).await;
                    Write::AddMember { group, user, answer }
                }
            }
        });
    }
    tokio::time::sleep(kill_after).await;
    child.start_kill().expect("SIGKILL");
    let _ = child.wait().await;
    let mut writes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        writes.push(done.expect("task"));
    }

    // Restart on the same file.
    let (_child, base) = serve(&file).await;
    let (mut acked, mut refused, mut lost) = (0, 0, 0);
    let mut problems = Vec::new();
    for write in &writes {
        match write {
            Write::CreateUser { name, answer } => {
                let hits = list(
                    &client,
                    format!("{base}/Users?filter=userName%20eq%20%22{name}%22"),
                )
                .await;
                match answer {
                    Answer::Ok(body) => {
                        acked += 1;
                        let id = body["id"].as_str().unwrap_or_default();
                        if hits.len() != 1 || hits[0]["id"] != id {
                            problems.push(format!(
                                "acknowledged create of {name} ({id}) is gone: {hits:?}"
                            ));
                        }
                    }
                    Answer::Refused(status) => {
                        refused += 1;
                        if !hits.is_empty() {
                            problems
                                .push(format!("create of {name} answered {status} but is there"));
                        }
                    }
                    Answer::Lost => lost += 1,
                }
            }
            Write::CreateGroup { name, answer } => {
                let hits = list(
                    &client,
                    format!("{base}/Groups?filter=displayName%20eq%20%22{name}%22"),
                )
                .await;
                match answer {
                    Answer::Refused(_) => refused += 1,
                    Answer::Ok(_) => {
                        problems.push(format!("a group with a ghost member was created: {name}"));
                    }
                    Answer::Lost => lost += 1,
                }
                if !hits.is_empty() {
                    problems.push(format!("refused group {name} is there: {hits:?}"));
                }
            }
            Write::AddEmail {
                user,
                email,
                answer,
            } => {
                let now = get(&client, format!("{base}/Users/{user}"))
                    .await
                    .expect("seed user");
                let has = now["emails"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|x| x["value"] == email.as_str()));
                match answer {
                    Answer::Ok(body) => {
                        acked += 1;
                        if !has || version(&now) < version(body) {
                            problems.push(format!(
                                "acknowledged PATCH adding {email} to {user} (version {}) is gone: version {}",
                                version(body),
                                version(&now)
                            ));
                        }
                    }
                    Answer::Refused(status) => {
                        refused += 1;
                        if has {
                            problems.push(format!(
                                "PATCH adding {email} answered {status} but is there"
                            ));
                        }
                    }
                    Answer::Lost => lost += 1,
                }
            }
            Write::AddMember {
                group,
                user,
                answer,
            } => {
                let now = get(&client, format!("{base}/Groups/{group}"))
                    .await
                    .expect("group");
                let has = now["members"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|x| x["value"] == user.as_str()));
                match answer {
                    Answer::Ok(_) => {
                        acked += 1;
                        if !has {
                            problems.push(format!(
                                "acknowledged member add of {user} to {group} is gone"
                            ));
                        }
                    }
                    // Adding a member twice is not an error, so a refusal is unexpected here.
                    Answer::Refused(status) => {
                        refused += 1;
                        problems.push(format!("member add answered {status}"));
                    }
                    Answer::Lost => lost += 1,
                }
            }
        }
    }
    // Memberships and User.groups agree, both ways.
    let mut by_groups: BTreeSet<(String, String)> = BTreeSet::new();
    for group in list(&client, format!("{base}/Groups?count=1000")).await {
        let gid = group["id"].as_str().unwrap_or_default().to_owned();
        for m in group["members"].as_array().into_iter().flatten() {
            by_groups.insert((
                m["value"].as_str().unwrap_or_default().to_owned(),
                gid.clone(),
            ));
        }
    }
    let mut by_users: BTreeSet<(String, String)> = BTreeSet::new();
    let users = list(&client, format!("{base}/Users?count=1000")).await;
    for user in &users {
        let uid = user["id"].as_str().unwrap_or_default().to_owned();
        for g in user["groups"].as_array().into_iter().flatten() {
            by_users.insert((
                uid.clone(),
                g["value"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    if by_groups != by_users {
        problems.push(format!(
            "memberships and User.groups disagree: groups say {by_groups:?}, users say {by_users:?}"
        ));
    }
    // Every ETag is its meta.version after the restart.
    let etags: BTreeMap<String, u64> = users
        .iter()
        .map(|u| (u["id"].as_str().unwrap_or_default().to_owned(), version(u)))
        .collect();
    if etags.values().any(|v| *v == 0) {
        problems.push("a restored user has no meta.version".into());
    }
    eprintln!(
        "durable crash test: killed after {kill_after:?}: {acked} acknowledged, {refused} refused, {lost} unanswered; {} users after restart",
        users.len()
    );
    assert!(acked > 0, "no write was acknowledged before the kill");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Issues a live and a revoked SCIM token through the admin API of the
/// server at `base` (admin token `adm`).
async fn issue_tokens(client: &reqwest::Client, base: &str) -> (String, String) {
    let admin = base.replace("/scim/v2", "/admin");
    let mut out = Vec::new();
    for name in ["corpus", "corpus-revoked"] {
        let body: Value = client
            .post(format!("{admin}/tokens"))
            .bearer_auth("adm")
            .json(&json!({"name": name}))
            .send()
            .await
            .expect("admin API answers")
            .json()
            .await
            .expect("JSON");
        out.push((
            body["id"].as_str().expect("id").to_owned(),
            body["token"].as_str().expect("token").to_owned(),
        ));
    }
    let status = client
        .delete(format!("{admin}/tokens/{}", out[1].0))
        .bearer_auth("adm")
        .send()
        .await
        .expect("revoke")
        .status();
    assert_eq!(status.as_u16(), 204);
    (out[0].1.clone(), out[1].1.clone())
}

/// The whole bundled corpus against `base` as `scimulator run` runs it
/// against its embedded server; returns what failed or errored.
async fn corpus(base: &str, token: &str, revoked: &str) -> (usize, Vec<String>) {
    use scimulator::runner::{Outcome, RunOptions, VecSink};
    let snapshots = tempfile::tempdir().expect("tempdir");
    let mut opts = RunOptions::new(base.to_owned())
        .with_token(token.to_owned())
        .with_revoked_token(revoked.to_owned())
        .with_snapshots(scimulator::snapshot::SnapshotMode::New, snapshots.path());
    opts.reference_server = true;
    opts.audit_declared_schemas = true;
    opts.jobs = 4;
    let suites = scimulator::suite::bundled().expect("bundled suites");
    let report = scimulator::runner::run(suites, &opts, &mut VecSink::default())
        .await
        .expect("the run starts");
    let mut problems = Vec::new();
    let mut ran = 0;
    let mut labels: std::collections::BTreeMap<&str, usize> = Default::default();
    for suite in &report.suites {
        for case in &suite.cases {
            ran += 1;
            *labels.entry(case.outcome.label()).or_default() += 1;
            if matches!(case.outcome, Outcome::Failed(_) | Outcome::Errored(_)) {
                let mut one = report.clone();
                for s in &mut one.suites {
                    s.cases
                        .retain(|c| c.suite == case.suite && c.name == case.name);
                }
                problems.push(format!(
                    "{} › {}: {}\n{}",
                    case.suite,
                    case.name,
                    case.outcome.label(),
                    crate::support::failure_text(&one)
                ));
            }
        }
    }
    eprintln!("durable corpus against {base}: {labels:?}");
    (ran, problems)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_corpus_passes_against_serve_data_before_and_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("scim.db");
    let (mut child, base) = serve(&file).await;
    let client = reqwest::Client::new();
    let (token, revoked) = issue_tokens(&client, &base).await;
    let (ran, before) = corpus(&base, &token, &revoked).await;
    child.start_kill().expect("SIGKILL");
    let _ = child.wait().await;
    // The same tokens, restored from the file (the revoked one still revoked).
    let (_child, base) = serve(&file).await;
    let (ran_after, after) = corpus(&base, &token, &revoked).await;
    assert!(
        ran > 100 && ran == ran_after,
        "the corpus ran: {ran} then {ran_after} cases"
    );
    assert!(
        before.is_empty(),
        "before the restart:\n{}",
        before.join("\n")
    );
    assert!(after.is_empty(), "after the restart:\n{}", after.join("\n"));
}

/// The reference server in this process on `file`.
async fn start_on(file: &Path) -> scimulator::server::RunningServer {
    let config = scimulator::server::ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        admin_token: Some("adm".into()),
        data: Some(file.to_path_buf()),
        ..Default::default()
    };
    scimulator::server::start(config)
        .await
        .expect("starts on the data file")
}

#[tokio::test]
async fn tokens_revocations_settings_the_scim_switch_and_the_audit_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("scim.db");
    let client = reqwest::Client::new();
    let server = start_on(&file).await;
    let (token, revoked) = issue_tokens(&client, &server.scim_base()).await;
    let mut product = (*server.state().product()).clone();
    product.default_role = "viewer".into();
    let status = client
        .put(format!("{}/config", server.admin_base()))
        .bearer_auth("adm")
        .json(&product)
        .send()
        .await
        .expect("PUT config")
        .status();
    assert_eq!(status.as_u16(), 200);
    server.shutdown().await;

    let server = start_on(&file).await;
    let users = format!("{}/Users", server.scim_base());
    let status = |t: &str| {
        let req = client.get(&users).bearer_auth(t.to_owned());
        async move { req.send().await.expect("answered").status().as_u16() }
    };
    assert_eq!(
        status(&token).await,
        200,
        "an issued token is still accepted"
    );
    assert_eq!(status(&revoked).await, 401, "a revoked token stays revoked");
    assert_eq!(server.state().product().default_role, "viewer");
    let status = client
        .post(format!("{}/scim/disable", server.admin_base()))
        .bearer_auth("adm")
        .json(&json!({"mode": "soft"}))
        .send()
        .await
        .expect("disable")
        .status();
    assert_eq!(status.as_u16(), 200);
    server.shutdown().await;

    let server = start_on(&file).await;
    assert!(!server.state().scim_enabled(), "SCIM stays disabled");
    let audit: Vec<(String, u16)> = server
        .state()
        .audit
        .entries()
        .into_iter()
        .map(|e| (e.path, e.status))
        .collect();
    assert!(
        audit.contains(&("/scim/v2/Users".to_owned(), 200))
            && audit.contains(&("/scim/v2/Users".to_owned(), 401)),
        "the audit entries of the last run are back: {audit:?}"
    );
    let listed: Value = client
        .get(format!("{}/tokens", server.admin_base()))
        .bearer_auth("adm")
        .send()
        .await
        .expect("tokens")
        .json()
        .await
        .expect("JSON");
    let text = listed.to_string();
    assert!(
        !text.contains(&token) && !text.contains(&revoked),
        "no plaintext is kept"
    );
    let bytes = std::fs::read(&file).expect("read the data file");
    let haystack = String::from_utf8_lossy(&bytes);
    assert!(
        !haystack.contains(&token),
        "the data file holds no plaintext token"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_export_imports_into_a_new_file_with_ids_versions_and_memberships() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (from, to) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let export = dir.path().join("a.json");
    let server = start_on(&from).await;
    let client = reqwest::Client::new();
    let (token, _) = issue_tokens(&client, &server.scim_base()).await;
    let base = server.scim_base();
    let user: Value = client
        .post(format!("{base}/Users"))
        .bearer_auth(&token)
        .header("Content-Type", "application/scim+json")
        .body(json!({"schemas": [USER], "userName": "moved@example.org"}).to_string())
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("JSON");
    let uid = user["id"].as_str().expect("id").to_owned();
    let group: Value = client
        .post(format!("{base}/Groups"))
        .bearer_auth(&token)
        .header("Content-Type", "application/scim+json")
        .body(
            json!({"schemas": [GROUP], "displayName": "Moved", "members": [{"value": uid}]})
                .to_string(),
        )
        .send()
        .await
        .expect("group")
        .json()
        .await
        .expect("JSON");
    server.shutdown().await;

    let run = |args: Vec<std::ffi::OsString>| async move {
        let out = Command::new(BIN).args(args).output().await.expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(vec![
        "serve".into(),
        "--data".into(),
        from.clone().into(),
        "--export".into(),
        export.clone().into(),
    ])
    .await;
    run(vec![
        "serve".into(),
        "--data".into(),
        to.clone().into(),
        "--import".into(),
        export.clone().into(),
    ])
    .await;
    // A second import into a tenant that holds resources is refused.
    let again = Command::new(BIN)
        .args(["serve", "--data"])
        .arg(&to)
        .arg("--import")
        .arg(&export)
        .output()
        .await
        .expect("runs");
    assert!(!again.status.success(), "importing twice is refused");
    assert!(
        !std::fs::read_to_string(&export)
            .expect("export")
            .contains(&token),
        "no plaintext token"
    );

    let server = start_on(&to).await;
    let base = server.scim_base();
    let moved: Value = client
        .get(format!("{base}/Users/{uid}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(moved["meta"]["version"], user["meta"]["version"]);
    assert_eq!(moved["meta"]["created"], user["meta"]["created"]);
    assert_eq!(moved["groups"][0]["value"], group["id"]);
    server.shutdown().await;
}

#[tokio::test]
async fn serve_refuses_a_foreign_or_damaged_data_file_with_a_clear_error_and_exit_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"id,userName\n1,ada\n").expect("write");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    for (file, says) in [
        (
            &garbage,
            "is not a scimulator data file: it is not an SQLite database",
        ),
        (&empty, "the file is empty"),
    ] {
        let out = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--data"])
            .arg(file)
            .output()
            .await
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let kept = std::fs::read(file).expect("still there");
        assert!(
            kept.is_empty() || kept.starts_with(b"id,"),
            "the file is left as it was"
        );
    }
    let out = Command::new(BIN)
        .args(["serve", "--export"])
        .arg(dir.path().join("out.json"))
        .output()
        .await
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "--export without --data is a usage error"
    );
}
