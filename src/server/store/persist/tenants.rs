//! Tenants and OAuth clients in the data file: the `tenants` table lists
//! the tenants created through the admin API (restored at start), created
//! with their tokens (hashes), settings and clients in one transaction and
//! removed with every row they own in one transaction; `oauth_clients`
//! keeps each tenant's OAuth clients with SHA-256 hashes of their secrets,
//! never a secret.

use rusqlite::{Transaction, params};
use serde_json::Value;

use super::rows::{TokenRow, to_i64};
use super::{DataFileError, Db, Journal};

/// An OAuth client as the file keeps it: the SHA-256 of its secret, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientRow {
    /// `client_id`.
    pub client_id: String,
    /// SHA-256 of the client secret.
    pub sha256: [u8; 32],
    /// Scopes it may ask for.
    pub scopes: Vec<String>,
    /// Lifetime of its tokens in seconds.
    pub ttl_secs: u64,
    /// Declared in the YAML config (re-registered from it at every start;
    /// dropped from the file when the config no longer declares it).
    pub from_config: bool,
}

/// The tables whose rows belong to one tenant.
const TENANT_TABLES: [&str; 5] = ["resources", "tokens", "audit", "settings", "oauth_clients"];

fn purge(tx: &Transaction<'_>, tenant: &str) -> rusqlite::Result<()> {
    for table in TENANT_TABLES {
        tx.execute(
            &format!("DELETE FROM {table} WHERE tenant = ?1"),
            params![tenant],
        )?;
    }
    Ok(())
}

pub(super) fn put_client(
    tx: &rusqlite::Connection,
    tenant: &str,
    client: &ClientRow,
) -> rusqlite::Result<()> {
    let scopes = Value::from(client.scopes.clone()).to_string();
    tx.execute(
        "INSERT INTO oauth_clients (tenant, client_id, seq, sha256, scopes, ttl_secs, from_config) VALUES \
         (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM oauth_clients WHERE tenant = ?1), ?3, ?4, ?5, ?6) \
         ON CONFLICT (tenant, client_id) DO UPDATE SET sha256 = excluded.sha256, \
         scopes = excluded.scopes, ttl_secs = excluded.ttl_secs, from_config = excluded.from_config",
        params![
            tenant,
            client.client_id,
            client.sha256.as_slice(),
            scopes,
            to_i64(client.ttl_secs),
            client.from_config
        ],
    )?;
    Ok(())
}

impl Db {
    /// The tenants created through the admin API, by name.
    pub(crate) fn tenant_names(&self) -> Result<Vec<String>, DataFileError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT id FROM tenants ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.map(|r| {
            r.map_err(|e| DataFileError::Corrupt {
                path: self.path.clone(),
                detail: format!("a tenant row does not decode: {e}"),
            })
        })
        .collect()
    }

    /// Every tenant the file holds anything of: `default`, the tenants
    /// created through the admin API, and those declared in a configuration
    /// that saved a resource, token, setting or OAuth client; sorted.
    pub fn known_tenants(&self) -> Result<Vec<String>, DataFileError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT ?1 UNION SELECT id FROM tenants \
                 UNION SELECT tenant FROM resources UNION SELECT tenant FROM tokens \
                 UNION SELECT tenant FROM settings UNION SELECT tenant FROM oauth_clients \
                 ORDER BY 1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![super::DEFAULT_TENANT], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.map(|r| {
            r.map_err(|e| DataFileError::Corrupt {
                path: self.path.clone(),
                detail: format!("a tenant name does not decode: {e}"),
            })
        })
        .collect()
    }

    /// Registers a tenant created through the admin API with its tokens
    /// (hashes), settings and OAuth clients, in one transaction synced
    /// before this returns. Rows left under that name (a tenant deleted
    /// while a request of it was still writing) are dropped first.
    pub(crate) fn create_tenant(
        &self,
        tenant: &str,
        tokens: &[TokenRow],
        settings: &[(&str, Value)],
        clients: &[ClientRow],
    ) -> Result<(), DataFileError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let result = (|| {
            purge(&tx, tenant)?;
            tx.execute(
                "INSERT OR REPLACE INTO tenants (id) VALUES (?1)",
                params![tenant],
            )?;
            for (seq, t) in tokens.iter().enumerate() {
                tx.execute(
                    "INSERT INTO tokens (tenant, id, seq, name, sha256, created, expires_at, revoked) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        tenant,
                        t.id,
                        to_i64(seq as u64 + 1),
                        t.name,
                        t.sha256.as_slice(),
                        t.created,
                        t.expires_at,
                        t.revoked
                    ],
                )?;
            }
            for (key, value) in settings {
                tx.execute(
                    "INSERT INTO settings (tenant, key, value) VALUES (?1, ?2, ?3)",
                    params![tenant, key, value.to_string()],
                )?;
            }
            for client in clients {
                put_client(&tx, tenant, client)?;
            }
            Ok(())
        })();
        result.map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Removes a tenant and every row it owns, in one synced transaction.
    pub(crate) fn remove_tenant(&self, tenant: &str) -> Result<(), DataFileError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        purge(&tx, tenant).map_err(|e| self.err(e))?;
        tx.execute("DELETE FROM tenants WHERE id = ?1", params![tenant])
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Saves one OAuth client (insert or replace by `client_id`).
    pub(crate) fn put_client(&self, tenant: &str, client: &ClientRow) -> Result<(), DataFileError> {
        let conn = self.lock();
        put_client(&conn, tenant, client).map_err(|e| self.err(e))
    }

    /// Removes one OAuth client.
    pub(crate) fn delete_client(&self, tenant: &str, client_id: &str) -> Result<(), DataFileError> {
        let conn = self.lock();
        conn.execute(
            "DELETE FROM oauth_clients WHERE tenant = ?1 AND client_id = ?2",
            params![tenant, client_id],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A tenant's OAuth clients, in creation order.
    pub(crate) fn clients(&self, tenant: &str) -> Result<Vec<ClientRow>, DataFileError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT client_id, sha256, scopes, ttl_secs, from_config FROM oauth_clients \
                 WHERE tenant = ?1 ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![tenant], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let corrupt = |detail: String| DataFileError::Corrupt {
            path: self.path.clone(),
            detail,
        };
        let mut out = Vec::new();
        for row in rows {
            let (client_id, hash, scopes, ttl, from_config) =
                row.map_err(|e| corrupt(format!("an OAuth client row does not decode: {e}")))?;
            let what = format!("OAuth client {client_id}");
            let sha256 = <[u8; 32]>::try_from(hash.as_slice())
                .map_err(|_| corrupt(format!("{what}: its hash is not 32 bytes")))?;
            let scopes: Vec<String> = serde_json::from_str(&scopes)
                .map_err(|e| corrupt(format!("{what}: scopes are not a JSON list ({e})")))?;
            let ttl_secs = u64::try_from(ttl)
                .ok()
                .filter(|t| *t > 0)
                .ok_or_else(|| corrupt(format!("{what}: token lifetime {ttl}")))?;
            out.push(ClientRow {
                client_id,
                sha256,
                scopes,
                ttl_secs,
                from_config,
            });
        }
        Ok(out)
    }
}

impl Journal {
    /// Saves an OAuth client (its secret's hash).
    pub(crate) fn save_client(&self, client: &ClientRow) -> Result<(), DataFileError> {
        self.db.put_client(&self.tenant, client)
    }

    /// Removes a saved OAuth client.
    pub(crate) fn delete_client(&self, client_id: &str) -> Result<(), DataFileError> {
        self.db.delete_client(&self.tenant, client_id)
    }

    /// The saved OAuth clients.
    pub fn clients(&self) -> Result<Vec<ClientRow>, DataFileError> {
        self.db.clients(&self.tenant)
    }
}
