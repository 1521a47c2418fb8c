//! The `--data` file of `scimulator serve`: one SQLite database (rusqlite,
//! bundled) holding, per tenant, every stored resource as it sits in memory
//! (JSON with `id` and `meta`, its version and its creation order), the
//! SCIM tokens issued through the admin API (SHA-256 hashes only, never a
//! plaintext), the product settings, the SCIM on/off switch and the last
//! audit entries (written in the background, at most 100 ms late). It owns
//! opening (magic, schema version, integrity), the schema, reading rows back
//! and writing each change in one transaction that is on disk (WAL,
//! `synchronous = FULL`) before the call returns. It must not decide
//! anything about SCIM: the durable store ([`super::DurableStore`]) decides
//! what to write; this module only keeps it.
//!
//! File identity: `PRAGMA application_id` is [`MAGIC`] ("SCIM") and
//! `PRAGMA user_version` is the data schema version ([`SCHEMA_VERSION`]).
//! A file without that magic, of a newer version, of an older version this
//! build cannot migrate, or failing `PRAGMA quick_check` is refused with a
//! [`DataFileError`] at start, never opened as an empty store.

mod exchange;
#[cfg(test)]
mod exchange_tests;
#[cfg(test)]
mod migration_tests;
mod rows;
mod tenants;
#[cfg(test)]
mod tests;

pub use exchange::{
    EXCHANGE_FORMAT, Exchange, ExchangeClient, ExchangeResource, ExchangeToken, Imported,
};
pub use rows::Change;
pub(crate) use rows::TokenRow;
pub(crate) use tenants::ClientRow;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags};

/// `PRAGMA application_id` of a scimulator data file: `SCIM` in ASCII.
pub const MAGIC: i32 = 0x5343_494D;

/// The data schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i32 = 2;

/// The first 16 bytes of every SQLite 3 database.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The tenant of a server without tenants.
pub const DEFAULT_TENANT: &str = "default";

/// The `oauth_clients` table (new in version 2).
macro_rules! OAUTH_CLIENTS_TABLE {
    () => {
        "
CREATE TABLE oauth_clients (
    tenant TEXT NOT NULL,
    client_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    scopes TEXT NOT NULL,
    ttl_secs INTEGER NOT NULL,
    from_config INTEGER NOT NULL,
    PRIMARY KEY (tenant, client_id)
);
"
    };
}

/// Migrations from older data schema versions: entry `i` turns version
/// `i + 1` into `i + 2`. Version 1 is the first; a file claiming version 0
/// (or less) is refused.
///
/// 1 → 2: OAuth clients are kept (`oauth_clients`); the `tenants` table now
/// lists the tenants created through the admin API (version 1 only ever
/// wrote `default` there, which is not one: it is dropped).
const MIGRATIONS: &[&str] = &[concat!(
    "DELETE FROM tenants WHERE id = 'default';",
    OAUTH_CLIENTS_TABLE!()
)];

/// The schema of version [`SCHEMA_VERSION`]: `tenants` lists the tenants
/// created through the admin API (restored at start); every other table is
/// keyed by tenant.
const SCHEMA: &str = concat!(
    "
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
",
    OAUTH_CLIENTS_TABLE!()
);

/// Why the data file could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum DataFileError {
    /// The file (or its folder) could not be read or created.
    #[error("cannot open the data file {path}: {source}")]
    Io {
        /// The data file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a scimulator data file.
    #[error("{path} is not a scimulator data file: {reason}")]
    Foreign {
        /// The data file.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// The file was written by a newer scimulator.
    #[error(
        "{path} holds data schema version {found}; this scimulator reads versions up to {SCHEMA_VERSION}: use a newer scimulator"
    )]
    NewerVersion {
        /// The data file.
        path: PathBuf,
        /// Its version.
        found: i32,
    },
    /// The file's version is older than any this build can migrate.
    #[error(
        "{path} holds data schema version {found}, which this scimulator cannot migrate (it reads versions 1 to {SCHEMA_VERSION})"
    )]
    OlderVersion {
        /// The data file.
        path: PathBuf,
        /// Its version.
        found: i32,
    },
    /// The file is damaged (SQLite's integrity check or an unreadable row).
    #[error("{path} is damaged: {detail} (restore a backup, or import an export into a new file)")]
    Corrupt {
        /// The data file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// Another process has the file open.
    #[error("{path} is in use by another scimulator process")]
    InUse {
        /// The data file.
        path: PathBuf,
    },
    /// SQLite refused an operation.
    #[error("the data file {path}: {source}")]
    Sqlite {
        /// The data file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// `--export` named a tenant the file does not hold.
    #[error("{path} holds no tenant {tenant} (its tenants: {known})")]
    UnknownTenant {
        /// The data file.
        path: PathBuf,
        /// The tenant asked for.
        tenant: String,
        /// The tenants it holds, comma-separated.
        known: String,
    },
    /// An export or import file could not be read, written or understood.
    #[error("{path}: {detail}")]
    Exchange {
        /// The export / import file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
}

/// An open data file. Every method takes the one connection's lock, so
/// writes are serialised; callers hold their own lock across "apply in
/// memory, then write" so the file sees changes in the order memory did.
#[derive(Debug)]
pub struct Db {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// Tests: the next resource write fails as a full disk would.
    #[cfg(test)]
    pub(crate) fail_next_write: std::sync::atomic::AtomicBool,
}

impl Db {
    /// Opens (or creates) the data file at `path`, checking that it is a
    /// scimulator data file of a version this build reads, migrating an
    /// older one, and that SQLite's quick check passes. The file is locked
    /// for this process until the [`Db`] is dropped.
    pub fn open(path: &Path) -> Result<Self, DataFileError> {
        let io = |source| DataFileError::Io {
            path: path.to_path_buf(),
            source,
        };
        let existed = match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(DataFileError::Foreign {
                    path: path.to_path_buf(),
                    reason: "it is a directory".into(),
                });
            }
            Ok(_) => {
                check_header(path)?;
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(io(e)),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        let db = Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            #[cfg(test)]
            fail_next_write: std::sync::atomic::AtomicBool::new(false),
        };
        db.configure()?;
        if existed {
            db.check_identity()?;
        } else {
            db.create_schema()?;
        }
        Ok(db)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn err(&self, source: rusqlite::Error) -> DataFileError {
        classify(&self.path, source)
    }

    /// Exclusive locking (one process per file), WAL with a full sync on
    /// every commit: a commit that returned survives `kill -9` and a power
    /// cut.
    fn configure(&self) -> Result<(), DataFileError> {
        let conn = self.lock();
        // One process per file: a second one fails after a short wait (long
        // enough for a server of this process that just stopped to let go).
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(|e| self.err(e))?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(|e| self.err(e))?;
        // Reading the journal mode takes the lock: a second process fails here.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.err(e))?;
        conn.pragma_update(None, "foreign_keys", "OFF")
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn create_schema(&self) -> Result<(), DataFileError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        tx.execute_batch(SCHEMA).map_err(|e| self.err(e))?;
        tx.pragma_update(None, "application_id", MAGIC)
            .map_err(|e| self.err(e))?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Magic, version (migrating an older one) and SQLite's quick check.
    fn check_identity(&self) -> Result<(), DataFileError> {
        let mut conn = self.lock();
        let app: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if app != MAGIC {
            return Err(DataFileError::Foreign {
                path: self.path.clone(),
                reason: format!(
                    "an SQLite database of another application (application_id {app:#x}, expected {MAGIC:#x})"
                ),
            });
        }
        let version: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version > SCHEMA_VERSION {
            return Err(DataFileError::NewerVersion {
                path: self.path.clone(),
                found: version,
            });
        }
        if version < 1 {
            return Err(DataFileError::OlderVersion {
                path: self.path.clone(),
                found: version,
            });
        }
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if check != "ok" {
            return Err(DataFileError::Corrupt {
                path: self.path.clone(),
                detail: format!("integrity check: {check}"),
            });
        }
        if version < SCHEMA_VERSION {
            let tx = conn.transaction().map_err(|e| self.err(e))?;
            for from in version..SCHEMA_VERSION {
                let step = usize::try_from(from - 1)
                    .ok()
                    .and_then(|i| MIGRATIONS.get(i))
                    .ok_or_else(|| DataFileError::OlderVersion {
                        path: self.path.clone(),
                        found: version,
                    })?;
                tx.execute_batch(step).map_err(|e| self.err(e))?;
            }
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

/// Refuses a file that is empty or does not start with SQLite's header
/// before SQLite sees it (SQLite would take an empty file for a new database).
fn check_header(path: &Path) -> Result<(), DataFileError> {
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|source| DataFileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(source) => {
                return Err(DataFileError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
    let reason = if read == 0 {
        "the file is empty (a data file is never empty: delete it to start afresh)".to_owned()
    } else if read < head.len() || &head != SQLITE_HEADER {
        "it is not an SQLite database".to_owned()
    } else {
        return Ok(());
    };
    Err(DataFileError::Foreign {
        path: path.to_path_buf(),
        reason,
    })
}

/// Maps an SQLite error to what it means for the file.
fn classify(path: &Path, source: rusqlite::Error) -> DataFileError {
    use rusqlite::ErrorCode;
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DataFileError::InUse {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::NotADatabase) => DataFileError::Foreign {
            path: path.to_path_buf(),
            reason: source.to_string(),
        },
        Some(ErrorCode::DatabaseCorrupt) => DataFileError::Corrupt {
            path: path.to_path_buf(),
            detail: source.to_string(),
        },
        _ => DataFileError::Sqlite {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// One tenant's handle on the data file for what is not a resource: the
/// hook through which the token store and the server state save tokens and
/// settings before they answer.
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    db: std::sync::Arc<Db>,
    tenant: String,
}

impl Journal {
    /// The journal of `tenant` in `db`.
    pub fn new(db: std::sync::Arc<Db>, tenant: &str) -> Self {
        Self {
            db,
            tenant: tenant.to_owned(),
        }
    }

    /// Saves a token (its hash).
    pub(crate) fn save_token(&self, token: &TokenRow) -> Result<(), DataFileError> {
        self.db.put_token(&self.tenant, token)
    }

    /// Saves a setting.
    pub(crate) fn save_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), DataFileError> {
        self.db.put_setting(&self.tenant, key, value)
    }

    /// The saved tokens.
    pub fn tokens(&self) -> Result<Vec<TokenRow>, DataFileError> {
        self.db.tokens(&self.tenant)
    }

    /// A saved setting.
    pub fn setting(&self, key: &str) -> Result<Option<serde_json::Value>, DataFileError> {
        self.db.setting(&self.tenant, key)
    }
}

impl Journal {
    /// The last saved audit entries of the tenant, oldest first.
    pub fn audit(&self, limit: usize) -> Result<Vec<serde_json::Value>, DataFileError> {
        self.db.audit(&self.tenant, limit)
    }

    /// A sender of audit entries: a background thread writes what it
    /// receives in batches (one transaction per 100 ms at most) and keeps
    /// the last `keep` entries; it ends when every sender is dropped.
    pub(crate) fn audit_writer(&self, keep: usize) -> std::sync::mpsc::Sender<serde_json::Value> {
        let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
        let (db, tenant) = (std::sync::Arc::clone(&self.db), self.tenant.clone());
        std::thread::spawn(move || {
            while let Ok(first) = rx.recv() {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let mut batch = vec![first];
                batch.extend(rx.try_iter());
                if let Err(error) = db.append_audit(&tenant, &batch, keep) {
                    eprintln!("scimulator: audit entries could not be saved: {error}");
                }
            }
        });
        tx
    }
}
