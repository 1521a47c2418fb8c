//! The data file's schema versions: a genuine version-1 file (built with
//! the DDL version 1 wrote, holding what version 1 kept) is migrated to
//! [`SCHEMA_VERSION`] at open with every resource, ETag, membership, token,
//! setting and audit entry intact and usable through the running server;
//! a file claiming version 0 or a version above [`SCHEMA_VERSION`] is
//! refused with an error naming the file and both versions, and left as it was.

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, params};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::{DEFAULT_TENANT, DataFileError, Db, MAGIC, SCHEMA_VERSION};
use crate::server::config::ProductConfig;
use crate::server::store::{DurableStore, Kind, Store};

/// The DDL of data schema version 1, verbatim: `SCHEMA` of
/// `src/server/store/persist/mod.rs` at commit
/// 9350485ce974530e21f021df06adb892709897d2 (merge of branch `i16`, the
/// parent of df615da "durable: every tenant in the data file …", which
/// introduced version 2). Never edit it to follow the current schema: it is
/// what files written by that release hold.
const V1_SCHEMA: &str = "
CREATE TABLE tenants (
    id TEXT PRIMARY KEY NOT NULL
);
CREATE TABLE resources (
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (tenant, kind, id)
);
CREATE INDEX resources_order ON resources (tenant, seq);
CREATE TABLE tokens (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    sha256 BLOB NOT NULL,
    created TEXT NOT NULL,
    expires_at TEXT,
    revoked INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    entry TEXT NOT NULL
);
CREATE TABLE settings (
    tenant TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (tenant, key)
);
";

/// The plaintext of the issued token the v1 file keeps (as a hash).
const V1_TOKEN: &str = "v1-issued-token-5e1f";
/// The plaintext of the revoked token the v1 file keeps (as a hash).
const V1_REVOKED: &str = "v1-revoked-token-77aa";

const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn meta(kind: &str, version: u64) -> Value {
    json!({
        "resourceType": kind,
        "created": "2026-11-30T10:00:00Z",
        "lastModified": "2026-11-30T11:00:00Z",
        "version": format!("W/\"{version}\""),
    })
}

/// A data file as version 1 wrote it: its configuration (magic, WAL), its
/// DDL, and the rows its writes produced for the default tenant: a user at
/// version 3 in a group, a user in no group, an issued and a revoked token
/// (SHA-256 only), the product setting, the SCIM switch and an audit entry
/// (v1 also registered `default` in `tenants` at every resource write).
fn write_v1_file(path: &Path) {
    let mut conn = Connection::open(path).expect("create the v1 file");
    let _mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .expect("WAL");
    let tx = conn.transaction().expect("tx");
    tx.execute_batch(V1_SCHEMA).expect("the v1 DDL");
    tx.pragma_update(None, "application_id", MAGIC)
        .expect("magic");
    tx.pragma_update(None, "user_version", 1)
        .expect("version 1");
    let ada = json!({"schemas": [USER_URN], "id": "u1", "userName": "ada@example.org",
        "displayName": "Ada L.", "meta": meta("User", 3)});
    let group = json!({"schemas": [GROUP_URN], "id": "g1", "displayName": "Eng",
        "members": [{"value": "u1", "type": "User"}], "meta": meta("Group", 1)});
    let bob = json!({"schemas": [USER_URN], "id": "u2", "userName": "bob@example.org",
        "meta": meta("User", 1)});
    for (seq, (kind, id, version, resource)) in [
        ("User", "u1", 3, &ada),
        ("Group", "g1", 1, &group),
        ("User", "u2", 1, &bob),
    ]
    .into_iter()
    .enumerate()
    {
        tx.execute(
            "INSERT INTO resources (tenant, kind, id, seq, version, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![DEFAULT_TENANT, kind, id, seq as i64 + 1, version, resource.to_string()],
        )
        .expect("a resource row");
        tx.execute(
            "INSERT OR IGNORE INTO tenants (id) VALUES (?1)",
            params![DEFAULT_TENANT],
        )
        .expect("v1's tenant row");
    }
    for (seq, (id, name, plain, revoked)) in [
        ("tok-1", "okta", V1_TOKEN, false),
        ("tok-2", "old", V1_REVOKED, true),
    ]
    .into_iter()
    .enumerate()
    {
        let hash: [u8; 32] = Sha256::digest(plain.as_bytes()).into();
        tx.execute(
            "INSERT INTO tokens (tenant, id, seq, name, sha256, created, expires_at, revoked) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)",
            params![
                DEFAULT_TENANT,
                id,
                seq as i64 + 1,
                name,
                hash.as_slice(),
                "2026-11-30T09:00:00Z",
                revoked
            ],
        )
        .expect("a token row");
    }
    let product = ProductConfig {
        default_role: "viewer".into(),
        ..ProductConfig::default()
    };
    for (key, value) in [
        ("product", serde_json::to_value(&product).expect("product")),
        ("scim_enabled", json!(true)),
    ] {
        tx.execute(
            "INSERT INTO settings (tenant, key, value) VALUES (?1, ?2, ?3)",
            params![DEFAULT_TENANT, key, value.to_string()],
        )
        .expect("a setting row");
    }
    let entry = json!({"time": "2026-11-30T11:00:00Z", "token": "okta", "method": "PATCH",
        "path": "/scim/v2/Users/u1", "status": 200, "resource_id": "u1",
        "change": "patched: replace displayName"});
    tx.execute(
        "INSERT INTO audit (tenant, entry) VALUES (?1, ?2)",
        params![DEFAULT_TENANT, entry.to_string()],
    )
    .expect("an audit row");
    tx.commit().expect("commit");
}

fn user_version(path: &Path) -> i32 {
    let conn = Connection::open(path).expect("open with plain SQLite");
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version")
}

fn tables(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).expect("open with plain SQLite");
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .map(|r| r.expect("a name"))
        .collect()
}

#[test]
fn a_version_1_file_is_migrated_with_every_row_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v1.db");
    write_v1_file(&path);
    assert_eq!(user_version(&path), 1, "the fixture is a version-1 file");
    assert!(!tables(&path).contains(&"oauth_clients".to_owned()));

    let db = Arc::new(Db::open(&path).expect("a version-1 file opens"));
    assert_eq!(
        db.tenant_names().expect("tenants"),
        Vec::<String>::new(),
        "v1's `default` row is not taken for an admin-created tenant"
    );
    let tokens = db.tokens(DEFAULT_TENANT).expect("tokens");
    let kept: Vec<(&str, bool, [u8; 32])> = tokens
        .iter()
        .map(|t| (t.id.as_str(), t.revoked, t.sha256))
        .collect();
    assert_eq!(
        kept,
        vec![
            ("tok-1", false, Sha256::digest(V1_TOKEN.as_bytes()).into()),
            ("tok-2", true, Sha256::digest(V1_REVOKED.as_bytes()).into()),
        ]
    );
    assert_eq!(
        db.setting(DEFAULT_TENANT, "product")
            .expect("setting")
            .map(|p| p["default_role"].clone()),
        Some(json!("viewer"))
    );
    assert_eq!(db.audit(DEFAULT_TENANT, 10).expect("audit").len(), 1);
    // The table version 2 added is there and usable.
    assert!(db.clients(DEFAULT_TENANT).expect("clients").is_empty());

    let store = DurableStore::open(Arc::clone(&db), DEFAULT_TENANT).expect("the store");
    let ada = store.get(Kind::User, "u1").expect("u1");
    assert_eq!(ada["meta"]["version"], "W/\"3\"");
    assert_eq!(ada["displayName"], "Ada L.");
    assert_eq!(ada["groups"][0]["value"], "g1", "User.groups rebuilt");
    let group = store.get(Kind::Group, "g1").expect("g1");
    assert_eq!(group["meta"]["version"], "W/\"1\"");
    assert_eq!(group["members"][0]["value"], "u1");
    assert!(store.get(Kind::User, "u2").is_some());
    drop(store);
    drop(db);

    assert_eq!(user_version(&path), SCHEMA_VERSION, "the file is now v2");
    let now = tables(&path);
    for table in [
        "audit",
        "oauth_clients",
        "resources",
        "settings",
        "tenants",
        "tokens",
    ] {
        assert!(now.contains(&table.to_owned()), "{table} in {now:?}");
    }
    // A second open of the migrated file changes nothing.
    let again = Db::open(&path).expect("the migrated file opens again");
    assert_eq!(again.resources(DEFAULT_TENANT).expect("rows").len(), 3);
    assert_eq!(again.tokens(DEFAULT_TENANT).expect("tokens").len(), 2);
}

async fn get(url: &str, token: &str) -> (u16, Option<String>, Value) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .timeout(std::time::Duration::from_secs(30))
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, etag, body)
}

#[tokio::test]
async fn the_server_starts_on_a_migrated_version_1_file_and_serves_its_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v1.db");
    write_v1_file(&path);
    let config = crate::server::ServerConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        admin_token: Some("adm".into()),
        data: Some(path.clone()),
        ..Default::default()
    };
    let server = crate::server::start(config)
        .await
        .expect("the server starts on a version-1 file");
    let base = server.scim_base();
    let (status, etag, ada) = get(&format!("{base}/Users/u1"), V1_TOKEN).await;
    assert_eq!(status, 200, "the v1 token still works: {ada}");
    assert_eq!(etag.as_deref(), Some("W/\"3\""));
    assert_eq!(ada["userName"], "ada@example.org");
    assert_eq!(ada["groups"][0]["value"], "g1");
    let (status, _, group) = get(&format!("{base}/Groups/g1"), V1_TOKEN).await;
    assert_eq!(status, 200);
    assert_eq!(group["members"][0]["value"], "u1");
    let (status, _, _) = get(&format!("{base}/Users/u1"), V1_REVOKED).await;
    assert_eq!(status, 401, "a token v1 revoked stays revoked");
    let (_, _, listed) = get(&format!("{base}/Users"), V1_TOKEN).await;
    assert_eq!(listed["totalResults"], 2);
    assert_eq!(server.state().product().default_role, "viewer");
    assert!(
        server
            .state()
            .audit
            .entries()
            .iter()
            .any(|e| e.path == "/scim/v2/Users/u1" && e.status == 200),
        "v1's audit entry is back"
    );
    // An OAuth client (the table version 2 added) is saved.
    let saved = reqwest::Client::new()
        .post(format!("{}/oauth/clients", server.admin_base()))
        .bearer_auth("adm")
        .json(&json!({"client_id": "after-migration", "client_secret": "s3cret-after-v1"}))
        .send()
        .await
        .expect("the admin API answers")
        .status();
    assert!(saved.is_success(), "{saved}");
    server.shutdown().await;
    let db = Db::open(&path).expect("reopen");
    let clients = db.clients(DEFAULT_TENANT).expect("clients");
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0].client_id, "after-migration");
}

#[test]
fn version_0_and_versions_above_this_build_are_refused_and_left_alone() {
    for (found, says) in [
        (0, "cannot migrate (it reads versions 1 to"),
        (-1, "cannot migrate (it reads versions 1 to"),
        (SCHEMA_VERSION + 1, "use a newer scimulator"),
        (SCHEMA_VERSION + 40, "use a newer scimulator"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("other.db");
        write_v1_file(&path);
        {
            let conn = Connection::open(&path).expect("open");
            conn.pragma_update(None, "user_version", found)
                .expect("set the version");
        }
        let error = Db::open(&path).expect_err("refused");
        let message = error.to_string();
        let kind_ok = match &error {
            DataFileError::OlderVersion { found: f, .. } => *f == found && found < 1,
            DataFileError::NewerVersion { found: f, .. } => *f == found && found > SCHEMA_VERSION,
            _ => false,
        };
        assert!(kind_ok, "version {found}: {error:?}");
        assert!(
            message.contains("other.db")
                && message.contains(&format!("version {found}"))
                && message.contains(says),
            "version {found}: {message}"
        );
        assert_eq!(user_version(&path), found, "the file is left as it was");
        assert!(!tables(&path).contains(&"oauth_clients".to_owned()));
    }
}
