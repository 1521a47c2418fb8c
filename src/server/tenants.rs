//! The tenant registry: the default tenant (served at `/scim/v2`) and the
//! named ones (at `/t/{name}/scim/v2`). Each tenant is one [`AppState`]:
//! its own store, tokens, OAuth clients, product and audit log, keyed by
//! the tenant's name, so nothing of one tenant is reachable from another.
//! The registry also keeps each tenant's router for dispatch. It must not
//! share a store, a token or a client between tenants.

use std::collections::BTreeMap;
use std::sync::RwLock;

use axum::Router;

use super::config::TenantSpec;
use super::error::ConfigError;
use super::state::AppState;

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
}

impl Tenants {
    /// A registry with only the default tenant.
    pub fn new(default: AppState) -> Self {
        Self {
            default,
            named: RwLock::new(BTreeMap::new()),
        }
    }

    /// The default tenant.
    pub fn default_tenant(&self) -> &AppState {
        &self.default
    }

    /// Adds a tenant with a fresh store; an existing name is an error.
    pub fn add(&self, spec: &TenantSpec) -> Result<AppState, ConfigError> {
        spec.validate()?;
        let mut named = self.named.write().unwrap_or_else(|e| e.into_inner());
        if named.contains_key(&spec.name) {
            return Err(ConfigError::Invalid(format!(
                "tenant `{}` already exists",
                spec.name
            )));
        }
        let state = self.default.new_tenant(spec);
        let router = super::routes::tenant_router(state.clone());
        named.insert(
            spec.name.clone(),
            Tenant {
                state: state.clone(),
                router,
            },
        );
        Ok(state)
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

    /// Removes a named tenant and everything it holds; `false` if unknown.
    pub fn remove(&self, name: &str) -> bool {
        self.named
            .write()
            .map(|mut n| n.remove(name).is_some())
            .unwrap_or(false)
    }

    /// The named tenants' names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.named
            .read()
            .map(|n| n.keys().cloned().collect())
            .unwrap_or_default()
    }
}
