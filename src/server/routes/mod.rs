//! Route assembly: the SCIM endpoints under [`SCIM_BASE_PATH`] behind the
//! SCIM auth middleware, the admin API under [`ADMIN_BASE_PATH`] behind the
//! admin middleware, SCIM-shaped 404/405 fallbacks and the body limit.
//! Handlers live in the submodules and stay thin.

mod admin;
mod discovery;
mod endpoints;
mod groups;
mod list;
mod render;
mod resources;
mod users;

pub use admin::{CreatedToken, DisableMode, DisableRequest, NewToken};
pub use list::{Paging, SearchRequest};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use super::auth::{admin_auth, scim_gate};
use super::error::ScimError;
use super::inspect;
use super::state::AppState;

/// Base path of the SCIM API.
pub const SCIM_BASE_PATH: &str = "/scim/v2";
/// Base path of the admin API.
pub const ADMIN_BASE_PATH: &str = "/admin";

async fn not_found() -> ScimError {
    ScimError::NotFound("no such endpoint".into())
}

async fn method_not_allowed() -> ScimError {
    ScimError::MethodNotAllowed
}

/// The complete application router.
pub fn router(state: AppState) -> Router {
    // The SCIM routes carry their full paths rather than being nested: a
    // nested router costs every request a prefix strip and a second dispatch.
    let scim = Router::new()
        .merge(users::routes(SCIM_BASE_PATH))
        .merge(groups::routes(SCIM_BASE_PATH))
        .merge(discovery::routes(SCIM_BASE_PATH))
        .route(
            &format!("{SCIM_BASE_PATH}/.search"),
            post(endpoints::root_search),
        )
        .route_layer(from_fn_with_state(state.clone(), scim_gate))
        .route_layer(from_fn_with_state(state.clone(), inspect::capture));
    let admin = admin::routes()
        .merge(inspect::api::routes())
        .route_layer(from_fn_with_state(state.clone(), admin_auth));
    let limit = state.max_body_bytes;
    Router::new()
        .merge(scim)
        .route(&format!("{ADMIN_BASE_PATH}/ui"), get(inspect::api::page))
        .nest(ADMIN_BASE_PATH, admin)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}
