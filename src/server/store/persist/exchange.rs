//! Moving one tenant's data between data files: [`Exchange`], the JSON of
//! `scimulator serve --data FILE --export OUT.json` and `--import IN.json`.
//! It carries resources exactly as stored (ids, versions, `meta`), tokens as
//! SHA-256 hashes (never a plaintext) and settings. An import goes into a
//! tenant holding no resources, in one transaction.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rows::{TokenRow, kind_named};
use super::{Change, Db, SCHEMA_VERSION, StoreError};

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
    pub fn read(path: &Path) -> Result<Self, StoreError> {
        let fail = |detail: String| StoreError::Exchange {
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
    pub fn write(&self, path: &Path) -> Result<(), StoreError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| StoreError::Exchange {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        std::fs::write(path, text + "\n").map_err(|e| StoreError::Exchange {
            path: path.to_path_buf(),
            detail: format!("cannot write: {e}"),
        })
    }
}

impl Db {
    /// Every setting of a tenant.
    fn settings(&self, tenant: &str) -> Result<BTreeMap<String, Value>, StoreError> {
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
            let value = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("setting {key}: not JSON ({e})"),
            })?;
            out.insert(key, value);
        }
        Ok(out)
    }

    /// One tenant's data, for an export file.
    pub fn export(&self, tenant: &str) -> Result<Exchange, StoreError> {
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
        Ok(Exchange {
            format: EXCHANGE_FORMAT.to_owned(),
            version: SCHEMA_VERSION,
            tenant: tenant.to_owned(),
            resources,
            tokens,
            settings: self.settings(tenant)?,
        })
    }

    /// Imports an export into `tenant`, which must hold no resources yet;
    /// returns how many resources were imported. Nothing is written when
    /// any entry is invalid.
    pub fn import(
        &self,
        tenant: &str,
        data: &Exchange,
        source: &Path,
    ) -> Result<usize, StoreError> {
        let fail = |detail: String| StoreError::Exchange {
            path: source.to_path_buf(),
            detail,
        };
        if self.has_resources(tenant)? {
            return Err(fail(format!(
                "tenant {tenant} of {} already holds resources; import into a new data file",
                self.path.display()
            )));
        }
        let mut changes = Vec::with_capacity(data.resources.len());
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
            changes.push(Change::Put {
                kind,
                id: id.to_owned(),
                version: r.version,
                json: r.resource.to_string(),
            });
        }
        let mut tokens = Vec::with_capacity(data.tokens.len());
        for (i, t) in data.tokens.iter().enumerate() {
            let sha256 = unhex(&t.sha256)
                .ok_or_else(|| fail(format!("tokens[{i}]: sha256 is not 64 hex digits")))?;
            tokens.push(TokenRow {
                id: t.id.clone(),
                name: t.name.clone(),
                sha256,
                created: t.created.clone(),
                expires_at: t.expires_at.clone(),
                revoked: t.revoked,
            });
        }
        self.write(tenant, &changes)?;
        for token in &tokens {
            self.put_token(tenant, token)?;
        }
        for (key, value) in &data.settings {
            self.put_setting(tenant, key, value)?;
        }
        Ok(changes.len())
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
