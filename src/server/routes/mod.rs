//! Route assembly: the SCIM endpoints under [`SCIM_BASE_PATH`] (or a named
//! tenant's `/t/{tenant}/scim/v2`) behind the SCIM auth middleware, the
//! OAuth token endpoint, tenant dispatch, the admin API under [`ADMIN_BASE_PATH`] behind the
//! admin middleware, SCIM-shaped 404/405 fallbacks and the body limit.
//! Handlers live in the submodules and stay thin.

mod admin;
mod discovery;
mod endpoints;
mod entitlements;
mod groups;
mod list;
mod present;
mod resources;
mod tenants;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::from_fn_with_state;
use axum::routing::{any, delete, get, post};

use super::auth::{admin_auth, scim_gate};
use super::error::ScimError;
use super::inspect;
use super::oauth::token_endpoint;
use super::state::{AppState, DEFAULT_TENANT};
use super::tenants::Tenants;

/// Base path of the SCIM API.
pub(crate) const SCIM_BASE_PATH: &str = "/scim/v2";
/// Base path of the admin API.
pub(crate) const ADMIN_BASE_PATH: &str = "/admin";
/// Path of the OAuth 2.0 token endpoint (`/t/{tenant}/oauth/token` for a named tenant).
pub(crate) const OAUTH_TOKEN_PATH: &str = "/oauth/token";

/// The admin base path of a tenant: `/admin` or `/admin/tenants/{tenant}`.
pub(crate) fn tenant_admin_path(tenant: &str) -> String {
    if tenant == DEFAULT_TENANT {
        ADMIN_BASE_PATH.to_owned()
    } else {
        format!("{ADMIN_BASE_PATH}/tenants/{tenant}")
    }
}

/// The token endpoint path of a tenant: `/oauth/token` or `/t/{tenant}/oauth/token`.
pub(crate) fn tenant_token_path(tenant: &str) -> String {
    if tenant == DEFAULT_TENANT {
        OAUTH_TOKEN_PATH.to_owned()
    } else {
        format!("/t/{tenant}{OAUTH_TOKEN_PATH}")
    }
}

async fn not_found() -> ScimError {
    ScimError::NotFound("no such endpoint".into())
}

async fn method_not_allowed() -> ScimError {
    ScimError::MethodNotAllowed
}

/// The router of a server with only the default tenant (`state`).
pub fn router(state: AppState) -> Router {
    router_with_tenants(Arc::new(Tenants::new(state)))
}

/// The complete application router: the default tenant at `/scim/v2`,
/// named tenants at `/t/{tenant}/…`, tenant administration under
/// `/admin/tenants`.
pub fn router_with_tenants(tenants: Arc<Tenants>) -> Router {
    type TenantPath = axum::extract::Path<(String, String)>;
    let (t1, t2, t3, t4, t5) = (
        Arc::clone(&tenants),
        Arc::clone(&tenants),
        Arc::clone(&tenants),
        Arc::clone(&tenants),
        Arc::clone(&tenants),
    );
    let admin_tenants = Router::new()
        .route(
            &format!("{ADMIN_BASE_PATH}/tenants"),
            post(move |r: Request| tenants::create(t1, r))
                .get(move |r: Request| tenants::list(t2, r)),
        )
        .route(
            &format!("{ADMIN_BASE_PATH}/tenants/{{tenant}}"),
            delete(
                move |axum::extract::Path(name): axum::extract::Path<String>, r: Request| {
                    tenants::remove(t3, name, r)
                },
            ),
        )
        .route(
            &format!("{ADMIN_BASE_PATH}/tenants/{{tenant}}/{{*rest}}"),
            any(
                move |axum::extract::Path((name, _)): TenantPath, r: Request| {
                    tenants::dispatch(t4, name, r)
                },
            ),
        )
        .route(
            "/t/{tenant}/{*rest}",
            any(
                move |axum::extract::Path((name, _)): TenantPath, r: Request| {
                    tenants::dispatch(t5, name, r)
                },
            ),
        );
    tenant_router(tenants.default_tenant().clone()).merge(admin_tenants)
}

/// The router of one tenant: SCIM at its `scim_path`, the token endpoint,
/// its admin API, SCIM-shaped fallbacks and the body limit.
pub(crate) fn tenant_router(state: AppState) -> Router {
    // The SCIM routes carry their full paths rather than being nested: a
    // nested router costs every request a prefix strip and a second dispatch.
    let base = state.scim_path.clone();
    let scim = Router::new()
        .merge(users::routes(&base))
        .merge(groups::routes(&base))
        .merge(discovery::routes(&base))
        .merge(entitlements::routes(&base))
        .route(&format!("{base}/.search"), post(endpoints::root_search))
        .route_layer(from_fn_with_state(state.clone(), scim_gate))
        .route_layer(from_fn_with_state(state.clone(), inspect::capture));
    let admin = admin::routes()
        .merge(inspect::api::routes())
        .route_layer(from_fn_with_state(state.clone(), admin_auth));
    let limit = state.max_body_bytes;
    Router::new()
        .merge(scim)
        .route(&tenant_token_path(&state.tenant), post(token_endpoint))
        .route(
            &format!("{}/ui", tenant_admin_path(&state.tenant)),
            get(inspect::api::page),
        )
        .nest(&tenant_admin_path(&state.tenant), admin)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}
