//! The reference SCIM 2.0 server (axum), served under `/scim/v2` (named
//! tenants under `/t/{tenant}/scim/v2`) with an admin API under `/admin` and
//! an OAuth 2.0 client-credentials token endpoint at `/oauth/token`. It owns HTTP handling, authentication, the
//! in-memory store, the simulated product's behaviour and the audit log. It
//! never imports harness code (runner, report, suite, idp); the pure filter,
//! PATCH and schema logic lives in [`filter`], [`patch`] and
//! `crate::scim::schema`, reached only through the `scim_adapter` module.
//!
//! ```no_run
//! # async fn demo() -> Result<(), scimulator::server::ServerError> {
//! use scimulator::server::{ServerConfig, start};
//! let config = ServerConfig { addr: "127.0.0.1:0".parse().expect("addr"), ..ServerConfig::default() };
//! let server = start(config).await?;
//! println!("SCIM at {}", server.scim_base());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

pub(crate) mod audit;
pub mod auth;
pub mod clock;
pub(crate) mod config;
pub mod entitlements;
pub(crate) mod error;
pub(crate) mod extract;
pub mod filter;
pub mod inspect;
pub(crate) mod oauth;
pub mod patch;
pub(crate) mod product;
pub(crate) mod routes;
mod running;
mod scim_adapter;
pub(crate) mod state;
pub mod store;
pub(crate) mod tenants;
pub(crate) mod throttle;

pub use config::{
    BasicAuth, GroupRole, OAuthClientConfig, ProductConfig, RoleMapping, ServerConfig, TenantSpec,
    UserTypePromotion,
};
pub use error::{ConfigError, ScimError, ServerError};
pub use routes::{router, router_with_tenants};
pub use running::{RunningServer, start, start_with_state, start_with_tenants};
pub use state::AppState;
pub use tenants::Tenants;
