//! [`AppState`]: the shared state of one tenant of a server (store, tokens,
//! OAuth clients, admin token, product configuration, SCIM on/off switch, audit log, clock and id
//! source, limits). Axum clones the state for every extractor and
//! middleware, so it is one `Arc` (one reference count touched per clone,
//! not one per field: measurable on a 2-core loopback benchmark).

use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use time::OffsetDateTime;

use super::audit::AuditLog;
use super::auth::{AdminToken, TokenStore};
use super::clock::{Clock, IdSource, SystemClock, UuidIds};
use super::config::{BasicAuth, ProductConfig, ServerConfig, TenantSpec};
use super::error::ConfigError;
use super::inspect::Feed;
use super::oauth::OAuthClients;
use super::routes::SCIM_BASE_PATH;
use super::scim_adapter::Schemas;
use super::store::persist::{DataFileError, Journal};
use super::store::{MemStore, Store};
use super::throttle::ThrottleKeys;

/// The name of the tenant served at `/scim/v2`.
pub(crate) const DEFAULT_TENANT: &str = "default";

/// The SCIM base path of a named tenant: `/t/{tenant}/scim/v2`.
pub(crate) fn tenant_scim_path(tenant: &str) -> String {
    format!("/t/{tenant}{SCIM_BASE_PATH}")
}

/// The setting holding the product configuration.
const PRODUCT_KEY: &str = "product";
/// The setting holding the SCIM on/off switch.
const ENABLED_KEY: &str = "scim_enabled";

/// The durable form of one tenant's configuration: token hashes, settings
/// and OAuth clients (secrets hashed), written when the tenant is created.
#[derive(Debug)]
pub(crate) struct SavedTenant {
    /// The tenant's bearer tokens, hashed.
    pub tokens: Vec<super::store::persist::TokenRow>,
    /// The product configuration and the SCIM switch, by setting key.
    pub settings: Vec<(&'static str, serde_json::Value)>,
    /// The tenant's OAuth clients, secrets hashed.
    pub clients: Vec<super::store::persist::ClientRow>,
}

/// Shared state of a server, passed to every handler; cloning it is one
/// reference-count increment. Fields are reached through [`Deref`].
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What an [`AppState`] shares: everything of one tenant.
#[derive(Debug)]
pub struct Shared {
    /// The tenant's name (`default` for the tenant at `/scim/v2`).
    pub tenant: String,
    /// The SCIM base path of this tenant (`/scim/v2` or `/t/{tenant}/scim/v2`).
    pub scim_path: String,
    /// OAuth 2.0 clients allowed the client-credentials grant (secrets hashed).
    pub oauth: Arc<OAuthClients>,
    /// Users and Groups.
    pub store: Arc<dyn Store>,
    /// SCIM bearer tokens.
    pub tokens: Arc<TokenStore>,
    /// The admin API token (hashed).
    pub(crate) admin_token: Arc<AdminToken>,
    /// Optional HTTP Basic credentials for `/scim/v2`.
    pub basic_auth: Option<Arc<BasicAuth>>,
    product: RwLock<Arc<ProductConfig>>,
    schemas: RwLock<Arc<Schemas>>,
    enabled: AtomicBool,
    /// The audit log.
    pub audit: Arc<AuditLog>,
    /// The inspector's feed of SCIM exchanges (`/admin/ui`).
    pub inspect: Arc<Feed>,
    /// Keys already throttled once (`X-Scimulator-Throttle`).
    pub(crate) throttle: ThrottleKeys,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Id source for resources and tokens.
    pub(crate) ids: Arc<dyn IdSource>,
    /// Largest page size.
    pub max_results: usize,
    /// Body size limit in bytes.
    pub max_body_bytes: usize,
    /// Where settings are saved (`serve --data`).
    journal: OnceLock<Journal>,
}

impl AppState {
    /// State for `config` with the system clock and random ids. The CLI /
    /// config tokens are registered as `cli-1`, `cli-2`, ….
    pub fn new(config: &ServerConfig, admin_token: &str) -> Self {
        Self::with_sources(
            config,
            admin_token,
            Arc::new(SystemClock),
            Arc::new(UuidIds),
        )
    }

    /// State with an injected clock and id source (deterministic tests).
    pub fn with_sources(
        config: &ServerConfig,
        admin_token: &str,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
    ) -> Self {
        Self::with_store(config, admin_token, clock, ids, Arc::new(MemStore::new()))
    }

    /// State over a given resource store (the durable one of `serve --data`)
    /// for the default tenant.
    pub(crate) fn with_store(
        config: &ServerConfig,
        admin_token: &str,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        store: Arc<dyn Store>,
    ) -> Self {
        let tenant = TenantSpec {
            name: DEFAULT_TENANT.to_owned(),
            tokens: config.tokens.clone(),
            oauth_clients: config.oauth_clients.clone(),
            product: Some(config.product.clone()),
        };
        Self::build(
            &tenant,
            SCIM_BASE_PATH.to_owned(),
            Arc::new(AdminToken::new(admin_token)),
            config.basic_auth.clone().map(Arc::new),
            (clock, ids),
            (
                config.max_results,
                config.max_body_bytes,
                config.inspector.feed_size,
            ),
            store,
        )
    }

    /// A new tenant sharing this state's admin token, clock, id source and
    /// limits, with its own empty store, tokens, OAuth clients and product.
    pub fn new_tenant(&self, tenant: &TenantSpec) -> Self {
        self.new_tenant_with_store(tenant, Arc::new(MemStore::new()))
    }

    /// Like [`Self::new_tenant`], over a given resource store (the durable
    /// one of `serve --data`).
    pub(crate) fn new_tenant_with_store(&self, tenant: &TenantSpec, store: Arc<dyn Store>) -> Self {
        Self::build(
            tenant,
            tenant_scim_path(&tenant.name),
            Arc::clone(&self.admin_token),
            None,
            (Arc::clone(&self.clock), Arc::clone(&self.ids)),
            (
                self.max_results,
                self.max_body_bytes,
                self.inspect.capacity(),
            ),
            store,
        )
    }

    fn build(
        tenant: &TenantSpec,
        scim_path: String,
        admin_token: Arc<AdminToken>,
        basic_auth: Option<Arc<BasicAuth>>,
        (clock, ids): (Arc<dyn Clock>, Arc<dyn IdSource>),
        (max_results, max_body_bytes, feed_size): (usize, usize, usize),
        store: Arc<dyn Store>,
    ) -> Self {
        let tokens = TokenStore::default();
        let now = clock.now();
        for (i, token) in tenant.tokens.iter().enumerate() {
            let name = format!("cli-{}", i + 1);
            tokens.insert(name.clone(), name, token, now, None);
        }
        let product = tenant
            .product
            .clone()
            .unwrap_or_else(ProductConfig::reference);
        Self(Arc::new(Shared {
            tenant: tenant.name.clone(),
            scim_path,
            oauth: Arc::new(OAuthClients::new(&tenant.oauth_clients)),
            store,
            tokens: Arc::new(tokens),
            admin_token,
            basic_auth,
            schemas: RwLock::new(Arc::new(
                Schemas::build(&product.extensions).unwrap_or_default(),
            )),
            product: RwLock::new(Arc::new(product)),
            enabled: AtomicBool::new(true),
            audit: Arc::new(AuditLog::default()),
            inspect: Arc::new(Feed::new(feed_size)),
            throttle: ThrottleKeys::default(),
            clock,
            ids,
            max_results: max_results.max(1),
            max_body_bytes,
            journal: OnceLock::new(),
        }))
    }

    /// Saves settings, tokens and OAuth clients through `journal` from now
    /// on, after restoring what it saved: issued tokens and revocations,
    /// OAuth clients, the product configuration and the SCIM on/off switch.
    pub(crate) fn attach(&self, journal: Journal) -> Result<(), DataFileError> {
        self.tokens.attach(journal.clone())?;
        self.oauth.attach(journal.clone())?;
        let keep = super::audit::AUDIT_CAPACITY;
        self.audit
            .attach(journal.audit(keep)?, journal.audit_writer(keep));
        if let Some(saved) = journal.setting(PRODUCT_KEY)? {
            let product: ProductConfig =
                serde_json::from_value(saved).map_err(|e| DataFileError::Corrupt {
                    path: std::path::PathBuf::from("the data file"),
                    detail: format!("setting {PRODUCT_KEY}: {e}"),
                })?;
            self.set_product(product)
                .map_err(|e| DataFileError::Corrupt {
                    path: std::path::PathBuf::from("the data file"),
                    detail: format!("setting {PRODUCT_KEY}: {e}"),
                })?;
        }
        if let Some(on) = journal.setting(ENABLED_KEY)? {
            self.enabled
                .store(on.as_bool().unwrap_or(true), Ordering::SeqCst);
        }
        let _ = self.journal.set(journal);
        Ok(())
    }

    /// What the data file keeps of a tenant created through the admin API
    /// at its creation: its tokens (hashes), settings and OAuth clients.
    pub(crate) fn saved_form(&self) -> Result<SavedTenant, DataFileError> {
        let product =
            serde_json::to_value(&*self.product()).map_err(|e| DataFileError::Corrupt {
                path: std::path::PathBuf::from("the data file"),
                detail: format!("setting {PRODUCT_KEY}: {e}"),
            })?;
        let settings = vec![
            (PRODUCT_KEY, product),
            (ENABLED_KEY, serde_json::Value::Bool(self.scim_enabled())),
        ];
        Ok(SavedTenant {
            tokens: self.tokens.rows(),
            settings,
            clients: self.oauth.rows(),
        })
    }

    /// A snapshot of the current product configuration.
    pub fn product(&self) -> Arc<ProductConfig> {
        self.product
            .read()
            .map(|p| Arc::clone(&p))
            .unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    /// The resource schemas (built-in plus configured extensions).
    pub(crate) fn schemas(&self) -> Arc<Schemas> {
        self.schemas
            .read()
            .map(|p| Arc::clone(&p))
            .unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    /// Validates and replaces the product configuration (and its extension schemas).
    pub(crate) fn set_product(&self, product: ProductConfig) -> Result<(), ConfigError> {
        product.validate()?;
        let schemas = Schemas::build(&product.extensions).map_err(ConfigError::Invalid)?;
        if let Some(journal) = self.journal.get() {
            let value =
                serde_json::to_value(&product).map_err(|e| ConfigError::Save(e.to_string()))?;
            journal
                .save_setting(PRODUCT_KEY, &value)
                .map_err(|e| ConfigError::Save(e.to_string()))?;
        }
        let mut guard = self.product.write().unwrap_or_else(|e| e.into_inner());
        let mut schema_guard = self.schemas.write().unwrap_or_else(|e| e.into_inner());
        *guard = Arc::new(product);
        *schema_guard = Arc::new(schemas);
        Ok(())
    }

    /// Whether SCIM is enabled (disable mode off).
    pub fn scim_enabled(&self) -> bool {
        self.enabled.load(Ordering::SeqCst)
    }

    /// Switches SCIM on or off.
    pub(crate) fn set_scim_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::SeqCst);
        if let Some(journal) = self.journal.get()
            && let Err(error) = journal.save_setting(ENABLED_KEY, &serde_json::Value::Bool(on))
        {
            eprintln!("scimulator: the SCIM switch could not be saved: {error}");
        }
    }

    /// The current time.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}
