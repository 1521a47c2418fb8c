//! [`AppState`]: the shared state of one server (store, tokens, admin
//! token, product configuration, SCIM on/off switch, audit log, clock and id
//! source, limits). Axum clones the state for every extractor and
//! middleware, so it is one `Arc` (one reference count touched per clone,
//! not one per field: measurable on a 2-core loopback benchmark).

use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;

use super::audit::AuditLog;
use super::auth::{AdminToken, TokenStore};
use super::clock::{Clock, IdSource, SystemClock, UuidIds};
use super::config::{BasicAuth, ProductConfig, ServerConfig};
use super::engine::Schemas;
use super::error::ConfigError;
use super::inspect::Feed;
use super::store::{MemStore, Store};
use super::throttle::ThrottleKeys;

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

/// What an [`AppState`] shares.
#[derive(Debug)]
pub struct Shared {
    /// Users and Groups.
    pub store: Arc<dyn Store>,
    /// SCIM bearer tokens.
    pub tokens: Arc<TokenStore>,
    /// The admin API token (hashed).
    pub admin_token: Arc<AdminToken>,
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
    pub throttle: ThrottleKeys,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Id source for resources and tokens.
    pub ids: Arc<dyn IdSource>,
    /// Largest page size.
    pub max_results: usize,
    /// Body size limit in bytes.
    pub max_body_bytes: usize,
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
        let tokens = TokenStore::default();
        let now = clock.now();
        for (i, token) in config.tokens.iter().enumerate() {
            let name = format!("cli-{}", i + 1);
            tokens.insert(name.clone(), name, token, now, None);
        }
        Self(Arc::new(Shared {
            store: Arc::new(MemStore::new()),
            tokens: Arc::new(tokens),
            admin_token: Arc::new(AdminToken::new(admin_token)),
            basic_auth: config.basic_auth.clone().map(Arc::new),
            product: RwLock::new(Arc::new(config.product.clone())),
            schemas: RwLock::new(Arc::new(
                Schemas::build(&config.product.extensions).unwrap_or_default(),
            )),
            enabled: AtomicBool::new(true),
            audit: Arc::new(AuditLog::default()),
            inspect: Arc::new(Feed::new(config.inspector.feed_size)),
            throttle: ThrottleKeys::default(),
            clock,
            ids,
            max_results: config.max_results.max(1),
            max_body_bytes: config.max_body_bytes,
        }))
    }

    /// A snapshot of the current product configuration.
    pub fn product(&self) -> Arc<ProductConfig> {
        self.product
            .read()
            .map(|p| Arc::clone(&p))
            .unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    /// The resource schemas (built-in plus configured extensions).
    pub fn schemas(&self) -> Arc<Schemas> {
        self.schemas
            .read()
            .map(|p| Arc::clone(&p))
            .unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    /// Validates and replaces the product configuration (and its extension schemas).
    pub fn set_product(&self, product: ProductConfig) -> Result<(), ConfigError> {
        product.validate()?;
        let schemas = Schemas::build(&product.extensions).map_err(ConfigError::Invalid)?;
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
    pub fn set_scim_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::SeqCst);
    }

    /// The current time.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}
