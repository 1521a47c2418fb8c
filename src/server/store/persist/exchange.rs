//! Moving one tenant's data between data files: [`Exchange`], the JSON of
//! `scimulator serve --data FILE --export OUT.json` and `--import IN.json`
//! (of the default tenant, or of the one `--data-tenant NAME` names). It
//! carries resources exactly as stored (ids, versions, `meta`), tokens and
//! OAuth clients as SHA-256 hashes (never a token or a secret) and settings.
//! An import goes into a tenant holding no resources, in one transaction;
//! a named tenant the file does not hold yet is created there (and served
//! at the next start).

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rows::{kind_named, to_i64};
use super::{DEFAULT_TENANT, DataFileError, Db, SCHEMA_VERSION};

/// The `format` of an export file.
pub const EXCHANGE_FORMAT: &str = "scimulator-data";

/// One tenant's data as an export file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// Always [`EXCHANGE_FORMAT`].
    pub format: String,
    /// The data schema version that wrote it.
    pub version: i32,
    /// The tenant it was exported from.
    pub tenant: String,
    /// Resources in creation order.
    pub resources: Vec<ExchangeResource>,
    /// Tokens (hashes only), in creation order.
    pub tokens: Vec<ExchangeToken>,
    /// Settings by key (`product`, `scim_enabled`).
    pub settings: BTreeMap<String, Value>,
    /// OAuth clients (secret hashes only), in creation order; absent from
    /// exports written before they were carried.
    #[serde(default)]
    pub clients: Vec<ExchangeClient>,
}

/// One OAuth client of an export: its secret's SHA-256 in hex, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeClient {
    /// `client_id`.
    pub client_id: String,
    /// SHA-256 of the client secret, lower-case hex.
    pub sha256: String,
    /// Scopes it may ask for.
    pub scopes: Vec<String>,
    /// Lifetime of its tokens in seconds.
    pub ttl_secs: u64,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Resources.
    pub resources: usize,
    /// Tokens (hashes).
    pub tokens: usize,
    /// OAuth clients (secret hashes).
    pub clients: usize,
    /// Whether the tenant was created in the file by this import.
    pub created_tenant: bool,
}

/// One resource of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeResource {
    /// `User` or `Group`.
    pub kind: String,
    /// Its version (`meta.version`'s number).
    pub version: u64,
    /// The resource as stored, with `id` and `meta`.
    pub resource: Value,
}

/// One token of an export: its SHA-256 in hex, never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeToken {
    /// Token id.
    pub id: String,
    /// Token name.
    pub name: String,
    /// SHA-256 of the token, lower-case hex.
    pub sha256: String,
    /// Creation time.
    pub created: String,
    /// Expiry.
    pub expires_at: Option<String>,
    /// Whether it was revoked.
    pub revoked: bool,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

impl Exchange {
    /// Reads an export file.
    pub fn read(path: &Path) -> Result<Self, DataFileError> {
        let fail = |detail: String| DataFileError::Exchange {
            path: path.to_path_buf(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
        let exchange: Self = serde_json::from_str(&text)
            .map_err(|e| fail(format!("not a scimulator export: {e}")))?;
        if exchange.format != EXCHANGE_FORMAT {
            return Err(fail(format!(
                "format is {:?}, expected {EXCHANGE_FORMAT:?}",
                exchange.format
            )));
        }
        if exchange.version > SCHEMA_VERSION || exchange.version < 1 {
            return Err(fail(format!(
                "written by data schema version {}, this scimulator reads 1 to {SCHEMA_VERSION}",
                exchange.version
            )));
        }
        Ok(exchange)
    }

    /// Writes an export file (pretty JSON).
    pub fn write(&self, path: &Path) -> Result<(), DataFileError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| DataFileError::Exchange {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        std::fs::write(path, text + "\n").map_err(|e| DataFileError::Exchange {
            path: path.to_path_buf(),
            detail: format!("cannot write: {e}"),
        })
    }
}

impl Db {
    /// Every setting of a tenant.
    fn settings(&self, tenant: &str) -> Result<BTreeMap<String, Value>, DataFileError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT key, value FROM settings WHERE tenant = ?1 ORDER BY key")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![tenant], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (key, text) = row.map_err(|e| self.err(e))?;
            let value = serde_json::from_str(&text).map_err(|e| DataFileError::Corrupt {
                path: self.path.clone(),
                detail: format!("setting {key}: not JSON ({e})"),
            })?;
            out.insert(key, value);
        }
        Ok(out)
    }

    /// One tenant's data, for an export file; a tenant the file holds
    /// nothing of is an error naming the tenants it does hold.
    pub fn export(&self, tenant: &str) -> Result<Exchange, DataFileError> {
        let known = self.known_tenants()?;
        if !known.iter().any(|t| t == tenant) {
            return Err(DataFileError::UnknownTenant {
                path: self.path.clone(),
                tenant: tenant.to_owned(),
                known: known.join(", "),
            });
        }
        let resources = self
            .resources(tenant)?
            .into_iter()
            .map(|row| ExchangeResource {
                kind: row.kind.resource_type().to_owned(),
                version: row.version,
                resource: row.resource,
            })
            .collect();
        let tokens = self
            .tokens(tenant)?
            .into_iter()
            .map(|t| ExchangeToken {
                id: t.id,
                name: t.name,
                sha256: hex(&t.sha256),
                created: t.created,
                expires_at: t.expires_at,
                revoked: t.revoked,
            })
            .collect();
        let clients = self
            .clients(tenant)?
            .into_iter()
            .map(|c| ExchangeClient {
                client_id: c.client_id,
                sha256: hex(&c.sha256),
                scopes: c.scopes,
                ttl_secs: c.ttl_secs,
            })
            .collect();
        Ok(Exchange {
            format: EXCHANGE_FORMAT.to_owned(),
            version: SCHEMA_VERSION,
            tenant: tenant.to_owned(),
            resources,
            tokens,
            settings: self.settings(tenant)?,
            clients,
        })
    }

    /// Imports an export into `tenant`, which must hold no resources yet,
    /// in one transaction: nothing is written when any entry is invalid or
    /// the tenant is not empty. A named tenant the file holds nothing of is
    /// registered as a saved tenant (restored at every start, as one created
    /// through the admin API). Imported OAuth clients are kept as created
    /// through the admin API (no configuration declares them here).
    pub fn import(
        &self,
        tenant: &str,
        data: &Exchange,
        source: &Path,
    ) -> Result<Imported, DataFileError> {
        let fail = |detail: String| DataFileError::Exchange {
            path: source.to_path_buf(),
            detail,
        };
        let mut resources = Vec::with_capacity(data.resources.len());
        for (i, r) in data.resources.iter().enumerate() {
            let kind = kind_named(&r.kind)
                .ok_or_else(|| fail(format!("resources[{i}]: unknown kind {:?}", r.kind)))?;
            let id = r
                .resource
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| fail(format!("resources[{i}]: no id")))?;
            if r.version == 0 || !r.resource.is_object() {
                return Err(fail(format!("resources[{i}]: not a stored resource")));
            }
            resources.push((kind, id, r.version, r.resource.to_string()));
        }
        let mut tokens = Vec::with_capacity(data.tokens.len());
        for (i, t) in data.tokens.iter().enumerate() {
            let sha256 = unhex(&t.sha256)
                .ok_or_else(|| fail(format!("tokens[{i}]: sha256 is not 64 hex digits")))?;
            tokens.push((t, sha256));
        }
        let mut clients = Vec::with_capacity(data.clients.len());
        for (i, c) in data.clients.iter().enumerate() {
            let sha256 = unhex(&c.sha256)
                .ok_or_else(|| fail(format!("clients[{i}]: sha256 is not 64 hex digits")))?;
            if c.client_id.trim().is_empty() || c.ttl_secs == 0 {
                return Err(fail(format!(
                    "clients[{i}]: needs a client_id and a ttl_secs of at least 1"
                )));
            }
            clients.push(super::ClientRow {
                client_id: c.client_id.clone(),
                sha256,
                scopes: c.scopes.clone(),
                ttl_secs: c.ttl_secs,
                from_config: false,
            });
        }
        let created_tenant = !self.known_tenants()?.iter().any(|t| t == tenant);
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let occupied: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM resources WHERE tenant = ?1)",
                params![tenant],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if occupied {
            return Err(fail(format!(
                "tenant {tenant} of {} already holds resources; import into a new data file or another tenant",
                self.path.display()
            )));
        }
        let written = (|| {
            for (seq, (kind, id, version, json)) in resources.iter().enumerate() {
                tx.execute(
                    "INSERT INTO resources (tenant, kind, id, seq, version, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![tenant, kind.resource_type(), id, to_i64(seq as u64 + 1), to_i64(*version), json],
                )?;
            }
            for (t, sha256) in &tokens {
                tx.execute(
                    "INSERT INTO tokens (tenant, id, seq, name, sha256, created, expires_at, revoked) VALUES \
                     (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tokens WHERE tenant = ?1), ?3, ?4, ?5, ?6, ?7) \
                     ON CONFLICT (tenant, id) DO UPDATE SET name = excluded.name, sha256 = excluded.sha256, \
                     created = excluded.created, expires_at = excluded.expires_at, revoked = excluded.revoked",
                    params![tenant, t.id, t.name, sha256.as_slice(), t.created, t.expires_at, t.revoked],
                )?;
            }
            for (key, value) in &data.settings {
                tx.execute(
                    "INSERT INTO settings (tenant, key, value) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value",
                    params![tenant, key, value.to_string()],
                )?;
            }
            for client in &clients {
                super::tenants::put_client(&tx, tenant, client)?;
            }
            if created_tenant && tenant != DEFAULT_TENANT {
                tx.execute(
                    "INSERT OR IGNORE INTO tenants (id) VALUES (?1)",
                    params![tenant],
                )?;
            }
            Ok(())
        })();
        written.map_err(|e: rusqlite::Error| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Imported {
            resources: resources.len(),
            tokens: tokens.len(),
            clients: clients.len(),
            created_tenant,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip_through_hex() {
        let hash = [0xabu8; 32];
        assert_eq!(unhex(&hex(&hash)), Some(hash));
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex(&"g".repeat(64)), None);
    }
}
