//! Rows of the data file: writing a batch of resource changes in one
//! transaction, and reading back resources, tokens and settings of a
//! tenant, refusing a row that does not decode (never skipping it).

use rusqlite::{OptionalExtension as _, params};
use serde_json::Value;

use super::{DataFileError, Db};
use crate::server::store::Kind;

/// One change to a tenant's resources, as the durable store saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A resource created or replaced: its stored JSON (with `id` and `meta`) and version.
    Put {
        /// Its kind.
        kind: Kind,
        /// Its id.
        id: String,
        /// Its version (`meta.version`'s number).
        version: u64,
        /// Its stored JSON.
        json: String,
    },
    /// A resource deleted.
    Delete {
        /// Its kind.
        kind: Kind,
        /// Its id.
        id: String,
    },
}

/// A resource read back from the file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredRow {
    /// Its kind.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: u64,
    /// The stored resource (with `id` and `meta`).
    pub resource: Value,
}

/// A SCIM token as the file keeps it: a SHA-256 hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenRow {
    /// Token id.
    pub id: String,
    /// Token name.
    pub name: String,
    /// SHA-256 of the token.
    pub sha256: [u8; 32],
    /// Creation time, RFC 3339.
    pub created: String,
    /// Expiry, RFC 3339.
    pub expires_at: Option<String>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// The kinds a file may name, by their `resourceType`.
const KINDS: [Kind; 2] = [Kind::User, Kind::Group];

/// The kind named `name` in the file.
pub(crate) fn kind_named(name: &str) -> Option<Kind> {
    KINDS.into_iter().find(|k| k.resource_type() == name)
}

pub(super) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Db {
    /// Writes `changes` to `tenant` in one transaction, synced to disk
    /// before this returns; on error nothing of them is in the file.
    pub fn write(&self, tenant: &str, changes: &[Change]) -> Result<(), DataFileError> {
        #[cfg(test)]
        if self
            .fail_next_write
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(self.err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some("database or disk is full".into()),
            )));
        }
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO resources (tenant, kind, id, seq, version, json) VALUES \
                     (?1, ?2, ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM resources WHERE tenant = ?1), ?4, ?5) \
                     ON CONFLICT (tenant, kind, id) DO UPDATE SET version = excluded.version, json = excluded.json",
                )
                .map_err(|e| self.err(e))?;
            let mut delete = tx
                .prepare_cached("DELETE FROM resources WHERE tenant = ?1 AND kind = ?2 AND id = ?3")
                .map_err(|e| self.err(e))?;
            for change in changes {
                match change {
                    Change::Put {
                        kind,
                        id,
                        version,
                        json,
                    } => put.execute(params![
                        tenant,
                        kind.resource_type(),
                        id,
                        to_i64(*version),
                        json
                    ]),
                    Change::Delete { kind, id } => {
                        delete.execute(params![tenant, kind.resource_type(), id])
                    }
                }
                .map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    fn corrupt(&self, detail: String) -> DataFileError {
        DataFileError::Corrupt {
            path: self.path.clone(),
            detail,
        }
    }

    /// A tenant's resources in creation order, each checked: a known kind,
    /// a JSON object whose `id` is the row's, a positive version.
    pub(crate) fn resources(&self, tenant: &str) -> Result<Vec<StoredRow>, DataFileError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT kind, id, version, json FROM resources WHERE tenant = ?1 ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![tenant], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, id, version, json) = row.map_err(|e| match e {
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..) => {
                    self.corrupt(format!("a resource row does not decode: {e}"))
                }
                other => self.err(other),
            })?;
            let what = format!("resource row {kind} {id}");
            let kind = kind_named(&kind)
                .ok_or_else(|| self.corrupt(format!("{what}: unknown resource kind")))?;
            let version = u64::try_from(version)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| self.corrupt(format!("{what}: version {version}")))?;
            let resource: Value = serde_json::from_str(&json)
                .map_err(|e| self.corrupt(format!("{what}: not JSON ({e})")))?;
            if resource.get("id").and_then(Value::as_str) != Some(id.as_str()) {
                return Err(self.corrupt(format!("{what}: its JSON has another id")));
            }
            out.push(StoredRow {
                kind,
                id,
                version,
                resource,
            });
        }
        Ok(out)
    }

    /// Saves one token (insert or replace by id).
    pub(crate) fn put_token(&self, tenant: &str, token: &TokenRow) -> Result<(), DataFileError> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO tokens (tenant, id, seq, name, sha256, created, expires_at, revoked) VALUES \
             (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tokens WHERE tenant = ?1), ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (tenant, id) DO UPDATE SET name = excluded.name, sha256 = excluded.sha256, \
             created = excluded.created, expires_at = excluded.expires_at, revoked = excluded.revoked",
            params![
                tenant,
                token.id,
                token.name,
                token.sha256.as_slice(),
                token.created,
                token.expires_at,
                token.revoked
            ],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A tenant's tokens, in creation order.
    pub(crate) fn tokens(&self, tenant: &str) -> Result<Vec<TokenRow>, DataFileError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT id, name, sha256, created, expires_at, revoked FROM tokens \
                 WHERE tenant = ?1 ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![tenant], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, hash, created, expires_at, revoked) =
                row.map_err(|e| self.corrupt(format!("a token row does not decode: {e}")))?;
            let sha256 = <[u8; 32]>::try_from(hash.as_slice())
                .map_err(|_| self.corrupt(format!("token {id}: its hash is not 32 bytes")))?;
            out.push(TokenRow {
                id,
                name,
                sha256,
                created,
                expires_at,
                revoked,
            });
        }
        Ok(out)
    }

    /// Saves one setting (a JSON value under a key).
    pub(crate) fn put_setting(
        &self,
        tenant: &str,
        key: &str,
        value: &Value,
    ) -> Result<(), DataFileError> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO settings (tenant, key, value) VALUES (?1, ?2, ?3) \
             ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value",
            params![tenant, key, value.to_string()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// One setting of a tenant, if saved.
    pub fn setting(&self, tenant: &str, key: &str) -> Result<Option<Value>, DataFileError> {
        let conn = self.lock();
        let text: Option<String> = conn
            .query_row(
                "SELECT value FROM settings WHERE tenant = ?1 AND key = ?2",
                params![tenant, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| self.corrupt(format!("setting {key}: not JSON ({e})")))
        })
        .transpose()
    }

    /// Whether a tenant holds any resource.
    #[cfg(test)]
    pub(crate) fn has_resources(&self, tenant: &str) -> Result<bool, DataFileError> {
        let conn = self.lock();
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM resources WHERE tenant = ?1)",
            params![tenant],
            |r| r.get(0),
        )
        .map_err(|e| self.err(e))
    }

    /// Appends audit entries of a tenant and drops all but its last `keep`.
    pub(crate) fn append_audit(
        &self,
        tenant: &str,
        entries: &[Value],
        keep: usize,
    ) -> Result<(), DataFileError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        {
            let mut add = tx
                .prepare_cached("INSERT INTO audit (tenant, entry) VALUES (?1, ?2)")
                .map_err(|e| self.err(e))?;
            for entry in entries {
                add.execute(params![tenant, entry.to_string()])
                    .map_err(|e| self.err(e))?;
            }
        }
        tx.execute(
            "DELETE FROM audit WHERE tenant = ?1 AND seq <= \
             (SELECT MAX(seq) FROM audit WHERE tenant = ?1) - ?2",
            params![tenant, to_i64(keep as u64)],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// A tenant's last `limit` audit entries, oldest first.
    pub fn audit(&self, tenant: &str, limit: usize) -> Result<Vec<Value>, DataFileError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT entry FROM (SELECT seq, entry FROM audit WHERE tenant = ?1 \
                 ORDER BY seq DESC LIMIT ?2) ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![tenant, to_i64(limit as u64)], |r| {
                r.get::<_, String>(0)
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let text =
                row.map_err(|e| self.corrupt(format!("an audit row does not decode: {e}")))?;
            out.push(
                serde_json::from_str(&text)
                    .map_err(|e| self.corrupt(format!("an audit row is not JSON ({e})")))?,
            );
        }
        Ok(out)
    }
}
