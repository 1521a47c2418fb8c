//! The tenant registry: the default tenant (served at `/scim/v2`) and the
//! named ones (at `/t/{name}/scim/v2`). Each tenant is one [`AppState`]:
//! its own store, tokens, OAuth clients, product and audit log, keyed by
//! the tenant's name, so nothing of one tenant is reachable from another.
//! The registry also keeps each tenant's router for dispatch. With a data
//! file (`serve --data`) every tenant's resources, tokens, OAuth clients,
//! settings and audit are kept there under its name; tenants created
//! through the admin API are registered in the file (and restored at
//! start), and a removed tenant's rows are deleted before the removal is
//! answered. It must not share a store, a token or a client between tenants.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use axum::Router;

use super::config::TenantSpec;
use super::error::{ConfigError, ServerError};
use super::state::AppState;
use super::store::DurableStore;
use super::store::persist::{DataFileError, Db, Journal};

/// Why a tenant could not be added or removed.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// The tenant's definition is invalid (or its name taken).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data file could not be read or written.
    #[error(transparent)]
    Data(#[from] DataFileError),
}

impl From<TenantError> for ServerError {
    fn from(error: TenantError) -> Self {
        match error {
            TenantError::Config(e) => Self::Config(e),
            TenantError::Data(e) => Self::Data(e),
        }
    }
}

#[derive(Debug, Clone)]
struct Tenant {
    state: AppState,
    router: Router,
}

/// Every tenant of one server.
#[derive(Debug)]
pub struct Tenants {
    default: AppState,
    named: RwLock<BTreeMap<String, Tenant>>,
    /// The data file of `serve --data`.
    db: Option<Arc<Db>>,
}

impl Tenants {
    /// A registry with only the default tenant.
    pub fn new(default: AppState) -> Self {
        Self {
            default,
            named: RwLock::new(BTreeMap::new()),
            db: None,
        }
    }

    /// A registry whose named tenants are kept in `db` (the default
    /// tenant's state is already attached to it).
    pub(crate) fn with_data(default: AppState, db: Arc<Db>) -> Self {
        Self {
            db: Some(db),
            ..Self::new(default)
        }
    }

    /// The default tenant.
    pub fn default_tenant(&self) -> &AppState {
        &self.default
    }

    /// The state of `spec`: in memory, or over the data file (its saved
    /// resources, tokens, clients and settings merged in).
    fn make(&self, spec: &TenantSpec) -> Result<AppState, DataFileError> {
        let Some(db) = &self.db else {
            return Ok(self.default.new_tenant(spec));
        };
        let store = DurableStore::open(Arc::clone(db), &spec.name)?;
        let state = self.default.new_tenant_with_store(spec, Arc::new(store));
        state.attach(Journal::new(Arc::clone(db), &spec.name))?;
        Ok(state)
    }

    fn insert(named: &mut BTreeMap<String, Tenant>, state: AppState) {
        let router = super::routes::tenant_router(state.clone());
        named.insert(state.tenant.clone(), Tenant { state, router });
    }

    fn taken(spec: &TenantSpec) -> TenantError {
        ConfigError::Invalid(format!("tenant `{}` already exists", spec.name)).into()
    }

    /// Adds a tenant declared in the configuration; an existing name is an
    /// error. With a data file, what it saved under that name is merged in
    /// as for the default tenant (saved settings win; the configured tokens
    /// and clients are registered again).
    pub fn add(&self, spec: &TenantSpec) -> Result<AppState, TenantError> {
        spec.validate()?;
        let mut named = self.named.write().unwrap_or_else(|e| e.into_inner());
        if named.contains_key(&spec.name) {
            return Err(Self::taken(spec));
        }
        let state = self.make(spec)?;
        Self::insert(&mut named, state.clone());
        Ok(state)
    }

    /// Creates a tenant through the admin API. With a data file it is
    /// registered there with its tokens (hashes), settings and OAuth clients
    /// (secret hashes) in one transaction before this returns, and restored
    /// at every start until it is removed.
    pub(crate) fn create(&self, spec: &TenantSpec) -> Result<AppState, TenantError> {
        spec.validate()?;
        let mut named = self.named.write().unwrap_or_else(|e| e.into_inner());
        if named.contains_key(&spec.name) {
            return Err(Self::taken(spec));
        }
        let state = match &self.db {
            None => self.default.new_tenant(spec),
            Some(db) => {
                let draft = self.default.new_tenant(spec);
                let super::state::SavedTenant {
                    tokens,
                    settings,
                    clients,
                } = draft.saved_form()?;
                db.create_tenant(&spec.name, &tokens, &settings, &clients)?;
                let saved = TenantSpec {
                    name: spec.name.clone(),
                    ..TenantSpec::default()
                };
                match self.make(&saved) {
                    Ok(state) => state,
                    Err(error) => {
                        let _ = db.remove_tenant(&spec.name);
                        return Err(error.into());
                    }
                }
            }
        };
        Self::insert(&mut named, state.clone());
        Ok(state)
    }

    /// Brings back the tenants the data file registered (created through
    /// the admin API) that the configuration did not declare; returns their names.
    pub(crate) fn restore_saved(&self) -> Result<Vec<String>, TenantError> {
        let Some(db) = &self.db else {
            return Ok(Vec::new());
        };
        let mut restored = Vec::new();
        for name in db.tenant_names()? {
            if self.get(&name).is_some() {
                continue;
            }
            self.add(&TenantSpec {
                name: name.clone(),
                ..TenantSpec::default()
            })?;
            restored.push(name);
        }
        Ok(restored)
    }

    /// A named tenant's state.
    pub fn get(&self, name: &str) -> Option<AppState> {
        self.named
            .read()
            .ok()
            .and_then(|n| n.get(name).map(|t| t.state.clone()))
    }

    /// A named tenant's router (for dispatch).
    pub(crate) fn router(&self, name: &str) -> Option<Router> {
        self.named
            .read()
            .ok()
            .and_then(|n| n.get(name).map(|t| t.router.clone()))
    }

    /// Removes a named tenant and everything it holds (from the data file
    /// first, when there is one); `Ok(false)` if unknown.
    pub fn remove(&self, name: &str) -> Result<bool, DataFileError> {
        let mut named = self.named.write().unwrap_or_else(|e| e.into_inner());
        if !named.contains_key(name) {
            return Ok(false);
        }
        if let Some(db) = &self.db {
            db.remove_tenant(name)?;
        }
        Ok(named.remove(name).is_some())
    }

    /// The named tenants' names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.named
            .read()
            .map(|n| n.keys().cloned().collect())
            .unwrap_or_default()
    }
}
