//! [`DurableStore`]: the [`Store`] of `scimulator serve --data FILE`. It
//! keeps one tenant's resources in a [`MemStore`] (every read is served
//! from memory, at memory speed) and makes every write durable before it
//! returns: under one write lock it applies the change in memory, collects
//! the stored form of every resource the change touched (the resource, and
//! for a delete every group that listed it) and writes them to the data
//! file in one synced transaction. A PATCH is thus atomic on disk as in
//! memory. If the file refuses the write, memory is reloaded from the file
//! (so what the client was told failed is gone) and the client gets a 500.
//! It must not interpret SCIM: every rule stays in [`MemStore`].

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use time::OffsetDateTime;

use super::persist::{self, Change, Db};
use super::{Kind, MemStore, Mutation, Page, QuerySpec, RawUser, Store, StoreError};

/// A tenant's resources in memory, every write also in the data file.
#[derive(Debug)]
pub struct DurableStore {
    mem: MemStore,
    db: Arc<Db>,
    tenant: String,
    write: Mutex<()>,
}

impl DurableStore {
    /// Opens `tenant`'s resources from `db` (in their creation order, with
    /// their ids, versions and `meta`), rebuilding every index.
    pub fn open(db: Arc<Db>, tenant: &str) -> Result<Self, persist::DataFileError> {
        let mem = load(&db, tenant)?;
        Ok(Self {
            mem,
            db,
            tenant: tenant.to_owned(),
            write: Mutex::new(()),
        })
    }

    /// The data file.
    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// The tenant whose resources this store holds.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stored form of `kind`/`id` now: a put, or a delete when it is gone.
    fn change(&self, kind: Kind, id: &str) -> Change {
        match self.mem.stored(kind, id) {
            Some((json, version)) => Change::Put {
                kind,
                id: id.to_owned(),
                version,
                json,
            },
            None => Change::Delete {
                kind,
                id: id.to_owned(),
            },
        }
    }

    /// Writes `changes`; when the file refuses, puts memory back as the file
    /// has it and answers 500.
    fn commit(&self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let Err(error) = self.db.write(&self.tenant, changes) else {
            return Ok(());
        };
        eprintln!("scimulator: a write to the data file failed: {error}");
        match load(&self.db, &self.tenant) {
            Ok(fresh) => self.mem.replace_with(fresh),
            Err(reload) => {
                eprintln!("scimulator: reloading the data file failed too: {reload}");
            }
        }
        Err(StoreError::Unsaved(error))
    }
}

/// A [`MemStore`] holding `tenant`'s resources as the file has them.
fn load(db: &Db, tenant: &str) -> Result<MemStore, persist::DataFileError> {
    let mem = MemStore::new();
    for row in db.resources(tenant)? {
        mem.restore(row.kind, &row.id, &row.resource, row.version);
    }
    Ok(mem)
}

impl Store for DurableStore {
    fn create(
        &self,
        kind: Kind,
        id: String,
        resource: Value,
        now: OffsetDateTime,
    ) -> Result<Value, StoreError> {
        let _write = self.lock();
        let view = self.mem.create(kind, id.clone(), resource, now)?;
        self.commit(&[self.change(kind, &id)])?;
        Ok(view)
    }

    fn get(&self, kind: Kind, id: &str) -> Option<Value> {
        self.mem.get(kind, id)
    }

    fn get_raw_user(&self, id: &str) -> Option<RawUser> {
        self.mem.get_raw_user(id)
    }

    fn update(
        &self,
        kind: Kind,
        id: &str,
        now: OffsetDateTime,
        mutation: Mutation<'_>,
    ) -> Result<Value, StoreError> {
        let _write = self.lock();
        let view = self.mem.update(kind, id, now, mutation)?;
        self.commit(&[self.change(kind, id)])?;
        Ok(view)
    }

    fn delete(&self, kind: Kind, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        let _write = self.lock();
        let containing = self.mem.groups_containing(id);
        self.mem.delete(kind, id, now)?;
        let mut changes = vec![Change::Delete {
            kind,
            id: id.to_owned(),
        }];
        changes.extend(containing.iter().map(|g| self.change(Kind::Group, g)));
        self.commit(&changes)
    }

    fn query(&self, kind: Kind, spec: &QuerySpec<'_>) -> Page {
        self.mem.query(kind, spec)
    }

    fn deactivate_all_users(&self, now: OffsetDateTime) -> usize {
        let _write = self.lock();
        let before = self.mem.versions(Kind::User);
        let changed = self.mem.deactivate_all_users(now);
        let changes: Vec<Change> = before
            .iter()
            .filter(|(id, v)| {
                self.mem
                    .stored(Kind::User, id)
                    .is_some_and(|(_, now)| now != *v)
            })
            .map(|(id, _)| self.change(Kind::User, id))
            .collect();
        match self.commit(&changes) {
            Ok(()) => changed,
            Err(_) => 0,
        }
    }

    fn len(&self, kind: Kind) -> usize {
        self.mem.len(kind)
    }
}
