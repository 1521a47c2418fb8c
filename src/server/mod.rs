//! The reference SCIM 2.0 server (axum), served under `/scim/v2` with an
//! admin API under `/admin`. It owns HTTP handling, authentication, the
//! in-memory store, the simulated product's behaviour and the audit log. It
//! never imports harness code (runner, report, suite, idp); the pure filter,
//! PATCH and schema logic lives in [`filter`], [`patch`] and
//! `crate::scim::schema`, reached only through the `engine` module.
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

pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
mod engine;
pub mod error;
pub mod extract;
pub mod filter;
pub mod inspect;
pub mod patch;
pub mod product;
pub mod routes;
mod running;
pub mod state;
pub mod store;
pub mod throttle;

pub use config::{
    BasicAuth, GroupRole, ProductConfig, RoleMapping, ServerConfig, UserTypePromotion,
};
pub use error::{ConfigError, ScimError, ServerError};
pub use routes::router;
pub use running::{RunningServer, start, start_with_state};
pub use state::AppState;
