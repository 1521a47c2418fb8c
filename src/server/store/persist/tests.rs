//! The data file's refusals (a table of damaged, foreign, newer and older
//! files) and a round trip of every kind of change through a reopen.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::Connection;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{DataFileError, Db, SCHEMA_VERSION};
use crate::server::store::{DurableStore, IndexKey, Kind, QuerySpec, Store};

fn now() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH
}

fn spec(index: Option<IndexKey>) -> QuerySpec<'static> {
    QuerySpec {
        index,
        predicate: None,
        reads: None,
        sort_by: None,
        descending: false,
        start_index: 1,
        raw: false,
        count: 100,
    }
}

/// A data file holding two users and a group of both, closed.
fn populated(dir: &Path) -> PathBuf {
    let path = dir.join("data.db");
    let store = DurableStore::open(Arc::new(Db::open(&path).expect("new file")), "default")
        .expect("empty store");
    for (id, name) in [("u1", "ada"), ("u2", "bob")] {
        store
            .create(Kind::User, id.into(), json!({"userName": name}), now())
            .expect("user");
    }
    store
        .create(
            Kind::Group,
            "g1".into(),
            json!({"displayName": "Eng", "members": [{"value": "u1"}, {"value": "u2"}]}),
            now(),
        )
        .expect("group");
    path
}

fn reopen(path: &Path) -> Result<DurableStore, DataFileError> {
    DurableStore::open(Arc::new(Db::open(path)?), "default")
}

fn sql(path: &Path, statement: &str) {
    let conn = Connection::open(path).expect("open with plain SQLite");
    conn.execute_batch(statement).expect("statement");
}

#[test]
fn every_change_survives_a_reopen_with_versions_order_and_indexes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = populated(dir.path());
    {
        let store = reopen(&path).expect("reopen");
        store
            .update(Kind::User, "u1", now(), &mut |cur: &Value| {
                let mut next = cur.clone();
                next["userName"] = json!("ada2");
                Ok(next)
            })
            .expect("rename");
        store.delete(Kind::User, "u2", now()).expect("delete");
        store
            .create(Kind::User, "u3".into(), json!({"userName": "cy"}), now())
            .expect("create");
    }
    let store = reopen(&path).expect("reopen again");
    let user = store.get(Kind::User, "u1").expect("u1");
    assert_eq!(user["userName"], "ada2");
    assert_eq!(user["meta"]["version"], "W/\"2\"");
    assert_eq!(user["groups"][0]["value"], "g1");
    assert!(store.get(Kind::User, "u2").is_none());
    let group = store.get(Kind::Group, "g1").expect("g1");
    assert_eq!(
        group["members"],
        json!([{"value": "u1", "type": "User", "display": "ada2"}])
    );
    // The delete of u2 bumped the group's version, and that bump was saved.
    assert_eq!(group["meta"]["version"], "W/\"2\"");
    let ids: Vec<Value> = store
        .query(Kind::User, &spec(None))
        .resources
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!("u1"), json!("u3")]);
    let hit = store.query(
        Kind::User,
        &spec(Some(IndexKey {
            attr: "userName".into(),
            value: "ADA2".into(),
        })),
    );
    assert_eq!(hit.total, 1);
    let dup = store.create(Kind::User, "u4".into(), json!({"userName": "CY"}), now());
    assert!(dup.is_err(), "uniqueness index restored");
}

/// What a damaged or foreign file must give at open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Foreign,
    Newer,
    Older,
    Corrupt,
    InUse,
}

fn refusal(error: &DataFileError) -> Option<Refusal> {
    match error {
        DataFileError::Foreign { .. } => Some(Refusal::Foreign),
        DataFileError::NewerVersion { .. } => Some(Refusal::Newer),
        DataFileError::OlderVersion { .. } => Some(Refusal::Older),
        DataFileError::Corrupt { .. } => Some(Refusal::Corrupt),
        DataFileError::InUse { .. } => Some(Refusal::InUse),
        _ => None,
    }
}

#[test]
fn damaged_foreign_and_other_version_files_are_refused_at_open() {
    type Damage = fn(&Path);
    let cases: Vec<(&str, Damage, Refusal)> = vec![
        (
            "empty file",
            |p| std::fs::write(p, b"").expect("w"),
            Refusal::Foreign,
        ),
        (
            "a text file",
            |p| std::fs::write(p, b"userName,ada\n").expect("w"),
            Refusal::Foreign,
        ),
        (
            "half an SQLite header",
            |p| std::fs::write(p, b"SQLite fo").expect("w"),
            Refusal::Foreign,
        ),
        (
            "another application's SQLite file",
            |p| {
                sql(
                    p,
                    "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');",
                );
            },
            Refusal::Foreign,
        ),
        (
            "a newer data schema",
            |p| {
                sql(
                    &populated_at(p),
                    &format!("PRAGMA user_version = {};", SCHEMA_VERSION + 1),
                );
            },
            Refusal::Newer,
        ),
        (
            "an older data schema (0)",
            |p| sql(&populated_at(p), "PRAGMA user_version = 0;"),
            Refusal::Older,
        ),
        (
            "a truncated file",
            |p| {
                let path = populated_at(p);
                let len = std::fs::metadata(&path).expect("meta").len();
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .expect("open");
                file.set_len(len / 2).expect("truncate");
            },
            Refusal::Corrupt,
        ),
        (
            "a garbage resource row",
            |p| {
                sql(
                    &populated_at(p),
                    "UPDATE resources SET json = '{\"id\": \"u1\", trunc' WHERE id = 'u1';",
                );
            },
            Refusal::Corrupt,
        ),
        (
            "a resource row of an unknown kind",
            |p| {
                sql(
                    &populated_at(p),
                    "UPDATE resources SET kind = 'Alien' WHERE id = 'u1';",
                );
            },
            Refusal::Corrupt,
        ),
        (
            "a resource row whose JSON has another id",
            |p| {
                sql(
                    &populated_at(p),
                    "UPDATE resources SET json = '{\"id\":\"zz\"}' WHERE id = 'u1';",
                );
            },
            Refusal::Corrupt,
        ),
        (
            "a resource row with version 0",
            |p| {
                sql(
                    &populated_at(p),
                    "UPDATE resources SET version = 0 WHERE id = 'u1';",
                );
            },
            Refusal::Corrupt,
        ),
        (
            "a resource row with a blob for JSON",
            |p| {
                sql(
                    &populated_at(p),
                    "UPDATE resources SET json = x'00ff' WHERE id = 'u1';",
                );
            },
            Refusal::Corrupt,
        ),
    ];
    let mut wrong = Vec::new();
    for (name, damage, expected) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("data.db");
        damage(&path);
        match reopen(&path) {
            Ok(store) => wrong.push(format!(
                "{name}: opened ({} users), expected {expected:?}",
                store.len(Kind::User)
            )),
            Err(error) => {
                let message = error.to_string();
                if refusal(&error) != Some(expected) || !message.contains("data.db") {
                    wrong.push(format!(
                        "{name}: {message} ({error:?}), expected {expected:?}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `populated` at the path the table gives (its folder, same name).
fn populated_at(path: &Path) -> PathBuf {
    let dir = path.parent().expect("a folder");
    populated(dir)
}

#[test]
fn a_file_open_in_one_server_is_refused_by_a_second() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = populated(dir.path());
    let first = Db::open(&path).expect("first");
    let second = Db::open(&path).map(|_| ());
    assert!(
        matches!(second, Err(DataFileError::InUse { .. })),
        "{second:?}"
    );
    drop(first);
    assert!(Db::open(&path).is_ok(), "free again once the first closed");
}

#[test]
fn a_write_the_file_refuses_is_answered_500_and_is_not_in_memory_either() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = populated(dir.path());
    let db = Arc::new(Db::open(&path).expect("open"));
    let store = DurableStore::open(Arc::clone(&db), "default").expect("store");
    let fail_next = || {
        db.fail_next_write
            .store(true, std::sync::atomic::Ordering::SeqCst);
    };
    fail_next();
    let created = store.create(Kind::User, "u9".into(), json!({"userName": "zed"}), now());
    assert!(
        matches!(created, Err(crate::server::store::StoreError::Unsaved(_))),
        "{created:?}"
    );
    assert!(
        store.get(Kind::User, "u9").is_none(),
        "the refused create is not served"
    );
    fail_next();
    let patched = store.update(Kind::User, "u1", now(), &mut |cur: &Value| {
        let mut next = cur.clone();
        next["userName"] = json!("changed");
        Ok(next)
    });
    assert!(patched.is_err());
    let u1 = store.get(Kind::User, "u1").expect("u1");
    assert_eq!(
        (u1["userName"].clone(), u1["meta"]["version"].clone()),
        (json!("ada"), json!("W/\"1\""))
    );
    fail_next();
    assert!(store.delete(Kind::User, "u2", now()).is_err());
    let group = store.get(Kind::Group, "g1").expect("g1");
    assert_eq!(
        group["members"].as_array().map(Vec::len),
        Some(2),
        "the refused delete left the group alone"
    );
    // The name the refused create wanted is free, and the store works on.
    store
        .create(Kind::User, "u10".into(), json!({"userName": "zed"}), now())
        .expect("the store works after a refused write");
    drop(store);
    drop(db);
    let reopened = reopen(&path).expect("reopen");
    assert!(reopened.get(Kind::User, "u9").is_none());
    assert!(reopened.get(Kind::User, "u10").is_some());
    assert_eq!(
        reopened.get(Kind::User, "u1").expect("u1")["userName"],
        "ada"
    );
}
