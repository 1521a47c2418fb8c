//! Export and import of one tenant by name: an unknown tenant is refused
//! naming it and the tenants the file holds; an import into a named tenant
//! creates it (registered, restored like an admin-created one) with its
//! resources, token hashes, settings and OAuth client hashes; an import into
//! a tenant holding resources, or of an invalid entry, writes nothing.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use time::OffsetDateTime;

use super::{ClientRow, DEFAULT_TENANT, DataFileError, Db, Exchange, TokenRow};
use crate::server::store::{DurableStore, Kind, Store};

/// A data file whose tenant `acme` (created as the admin API does) holds a
/// user at version 2 in a group, a token, a setting and an OAuth client.
fn acme_file(path: &Path) -> Arc<Db> {
    let db = Arc::new(Db::open(path).expect("new file"));
    let token = TokenRow {
        id: "tok-1".into(),
        name: "okta".into(),
        sha256: [7u8; 32],
        created: "2026-11-30T09:00:00Z".into(),
        expires_at: None,
        revoked: false,
    };
    let client = ClientRow {
        client_id: "acme-app".into(),
        sha256: [9u8; 32],
        scopes: vec!["scim".into()],
        ttl_secs: 600,
        from_config: false,
    };
    db.create_tenant(
        "acme",
        &[token],
        &[("scim_enabled", json!(true))],
        &[client],
    )
    .expect("acme");
    let store = DurableStore::open(Arc::clone(&db), "acme").expect("store");
    let now = OffsetDateTime::UNIX_EPOCH;
    store
        .create(Kind::User, "u1".into(), json!({"userName": "ada"}), now)
        .expect("user");
    store
        .update(Kind::User, "u1", now, &mut |cur| {
            let mut next = cur.clone();
            next["displayName"] = json!("Ada");
            Ok(next)
        })
        .expect("update");
    store
        .create(
            Kind::Group,
            "g1".into(),
            json!({"displayName": "Eng", "members": [{"value": "u1"}]}),
            now,
        )
        .expect("group");
    db
}

#[test]
fn an_unknown_tenant_is_refused_naming_it_and_the_known_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = acme_file(&dir.path().join("a.db"));
    let error = db.export("nope").expect_err("unknown");
    assert!(
        matches!(&error, DataFileError::UnknownTenant { tenant, .. } if tenant == "nope"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("no tenant nope") && message.contains("(its tenants: acme, default)"),
        "{message}"
    );
    assert_eq!(
        db.export(DEFAULT_TENANT).expect("default").resources.len(),
        0
    );
}

#[test]
fn a_named_tenant_moves_into_a_new_file_and_is_restored_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = acme_file(&dir.path().join("a.db"));
    let export = from.export("acme").expect("export");
    assert_eq!(export.tenant, "acme");
    assert_eq!(export.resources.len(), 2);
    assert_eq!(export.clients.len(), 1);
    let file = dir.path().join("acme.json");
    export.write(&file).expect("write");
    let read = Exchange::read(&file).expect("read");
    assert_eq!(read, export);

    let to = Db::open(&dir.path().join("b.db")).expect("b");
    let done = to.import("acme", &read, &file).expect("import");
    assert_eq!(
        (
            done.resources,
            done.tokens,
            done.clients,
            done.created_tenant
        ),
        (2, 1, 1, true)
    );
    assert_eq!(to.tenant_names().expect("names"), vec!["acme".to_owned()]);
    assert_eq!(
        to.tokens("acme").expect("tokens"),
        from.tokens("acme").expect("tokens")
    );
    assert_eq!(
        to.clients("acme").expect("clients"),
        from.clients("acme").expect("clients")
    );
    assert_eq!(
        to.setting("acme", "scim_enabled").expect("setting"),
        Some(json!(true))
    );
    assert!(
        !to.has_resources(DEFAULT_TENANT).expect("default"),
        "default untouched"
    );
    let to = Arc::new(to);
    let store = DurableStore::open(Arc::clone(&to), "acme").expect("store");
    let ada = store.get(Kind::User, "u1").expect("u1");
    assert_eq!(ada["meta"]["version"], "W/\"2\"");
    assert_eq!(ada["groups"][0]["value"], "g1");
    drop(store);

    // A second import into the tenant, now holding resources, writes nothing.
    let again = to.import("acme", &read, &file).expect_err("occupied");
    assert!(again.to_string().contains("tenant acme"), "{again}");
    assert_eq!(to.resources("acme").expect("rows").len(), 2);
}

#[test]
fn an_import_with_an_invalid_entry_writes_nothing_and_creates_no_tenant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = acme_file(&dir.path().join("a.db"));
    let mut export = from.export("acme").expect("export");
    export.clients[0].sha256 = "not-hex".into();
    let to = Db::open(&dir.path().join("b.db")).expect("b");
    let refused = to.import("beta", &export, Path::new("x.json"));
    assert!(
        matches!(refused, Err(DataFileError::Exchange { .. })),
        "{refused:?}"
    );
    assert!(to.tenant_names().expect("names").is_empty());
    assert!(to.resources("beta").expect("rows").is_empty());
    assert!(to.tokens("beta").expect("tokens").is_empty());
}

#[test]
fn an_export_without_clients_still_imports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = acme_file(&dir.path().join("a.db"));
    let mut value = serde_json::to_value(from.export("acme").expect("export")).expect("json");
    value.as_object_mut().expect("object").remove("clients");
    let file = dir.path().join("old.json");
    std::fs::write(&file, value.to_string()).expect("write");
    let read = Exchange::read(&file).expect("an export written before clients were carried");
    assert!(read.clients.is_empty());
    let to = Db::open(&dir.path().join("b.db")).expect("b");
    assert_eq!(
        to.import(DEFAULT_TENANT, &read, &file)
            .expect("import")
            .resources,
        2
    );
}
