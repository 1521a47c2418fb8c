//! [`start`]ing a server on a socket and the [`RunningServer`] handle
//! (addresses of every tenant, admin token, graceful shutdown).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::auth::generate_token;
use super::config::ServerConfig;
use super::error::ServerError;
use super::routes::{ADMIN_BASE_PATH, OAUTH_TOKEN_PATH, SCIM_BASE_PATH, router_with_tenants};
use super::state::{AppState, tenant_scim_path};
use super::tenants::Tenants;

/// A server running in a background task.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    admin_token: String,
    state: AppState,
    tenants: Arc<Tenants>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// The bound address (the real port when started on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/scim/v2`.
    pub fn scim_base(&self) -> String {
        format!("http://{}{SCIM_BASE_PATH}", self.addr)
    }

    /// `http://127.0.0.1:PORT/admin`.
    pub fn admin_base(&self) -> String {
        format!("http://{}{ADMIN_BASE_PATH}", self.addr)
    }

    /// `http://127.0.0.1:PORT/t/{tenant}/scim/v2` of a named tenant.
    pub fn tenant_scim_base(&self, tenant: &str) -> String {
        format!("http://{}{}", self.addr, tenant_scim_path(tenant))
    }

    /// The default tenant's OAuth token endpoint `http://127.0.0.1:PORT/oauth/token`.
    pub fn token_url(&self) -> String {
        format!("http://{}{OAUTH_TOKEN_PATH}", self.addr)
    }

    /// Every tenant of the server.
    pub fn tenants(&self) -> &Arc<Tenants> {
        &self.tenants
    }

    /// The admin API token (generated when the config had none).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The server's shared state (for in-process inspection).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Binds `config.addr` (port 0 picks a free port) and serves in a background task.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    config.validate()?;
    let admin_token = config.admin_token.clone().unwrap_or_else(generate_token);
    let tenants = match &config.data {
        Some(path) => {
            let (state, db) = durable_state(&config, &admin_token, path)?;
            Tenants::with_data(state, db)
        }
        None => Tenants::new(AppState::new(&config, &admin_token)),
    };
    for spec in &config.tenants {
        tenants.add(spec)?;
    }
    tenants.restore_saved()?;
    start_with_tenants(config.addr, Arc::new(tenants), admin_token).await
}

/// The state of `serve --data PATH`: the default tenant's resources,
/// tokens, OAuth clients and settings restored from the file, every later
/// write saved there; and the open file, for the named tenants.
fn durable_state(
    config: &ServerConfig,
    admin_token: &str,
    path: &std::path::Path,
) -> Result<(AppState, Arc<super::store::persist::Db>), ServerError> {
    use super::clock::{SystemClock, UuidIds};
    use super::store::DurableStore;
    use super::store::persist::{DEFAULT_TENANT, Db, Journal};
    use std::sync::Arc;
    let db = Arc::new(Db::open(path)?);
    let store = DurableStore::open(Arc::clone(&db), DEFAULT_TENANT)?;
    let state = AppState::with_store(
        config,
        admin_token,
        Arc::new(SystemClock),
        Arc::new(UuidIds),
        Arc::new(store),
    );
    state.attach(Journal::new(Arc::clone(&db), DEFAULT_TENANT))?;
    Ok((state, db))
}

/// Like [`start`], with a prepared state (injected clock / ids / store).
pub async fn start_with_state(
    addr: SocketAddr,
    state: AppState,
    admin_token: String,
) -> Result<RunningServer, ServerError> {
    start_with_tenants(addr, Arc::new(Tenants::new(state)), admin_token).await
}

/// Like [`start`], with a prepared tenant registry.
pub async fn start_with_tenants(
    addr: SocketAddr,
    tenants: Arc<Tenants>,
    admin_token: String,
) -> Result<RunningServer, ServerError> {
    let state = tenants.default_tenant().clone();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServerError::Bind { addr, source })?;
    let app = router_with_tenants(Arc::clone(&tenants));
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(error) = result {
            eprintln!("scimulator server stopped: {error}");
        }
    });
    Ok(RunningServer {
        addr,
        admin_token,
        state,
        tenants,
        shutdown: Some(tx),
        task,
    })
}
