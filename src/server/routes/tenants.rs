//! Tenant routing and tenant administration: requests under
//! `/t/{tenant}/…` and `/admin/tenants/{tenant}/…` are handed to that
//! tenant's router (an unknown tenant is a SCIM 404); `GET`/`POST
//! /admin/tenants` list and create tenants, `DELETE /admin/tenants/{name}`
//! removes one. Guarded by the admin token; no SCIM token reaches here.

use std::sync::Arc;

use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower::ServiceExt as _;

use crate::server::auth::is_admin;
use crate::server::config::TenantSpec;
use crate::server::error::ScimError;
use crate::server::tenants::Tenants;

/// Hands a request under `/t/{tenant}/` or `/admin/tenants/{tenant}/` to the tenant's router.
pub(crate) async fn dispatch(tenants: Arc<Tenants>, tenant: String, request: Request) -> Response {
    // The outer route's path parameters live in the request's extensions;
    // the tenant's router must see only its own.
    let (mut parts, body) = request.into_parts();
    parts.extensions = axum::http::Extensions::new();
    let request = Request::from_parts(parts, body);
    match tenants.router(&tenant) {
        Some(router) => match router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => ScimError::NotFound("no such endpoint".into()).into_response(),
    }
}

fn refused() -> Response {
    ScimError::Unauthorized("admin token required".into()).into_response()
}

/// `GET /admin/tenants`.
pub(crate) async fn list(tenants: Arc<Tenants>, request: Request) -> Response {
    if !is_admin(&tenants.default_tenant().admin_token, &request) {
        return refused();
    }
    let items: Vec<_> = tenants
        .names()
        .into_iter()
        .map(|name| {
            json!({
                "name": name,
                "scim_path": crate::server::state::tenant_scim_path(&name),
            })
        })
        .collect();
    Json(json!(items)).into_response()
}

/// `POST /admin/tenants` with a [`TenantSpec`] body.
pub(crate) async fn create(tenants: Arc<Tenants>, request: Request) -> Response {
    if !is_admin(&tenants.default_tenant().admin_token, &request) {
        return refused();
    }
    let limit = tenants.default_tenant().max_body_bytes;
    let Ok(bytes) = axum::body::to_bytes(request.into_body(), limit).await else {
        return ScimError::PayloadTooLarge(limit).into_response();
    };
    let spec: TenantSpec = match serde_json::from_slice(&bytes) {
        Ok(spec) => spec,
        Err(e) => return ScimError::invalid_syntax(e.to_string()).into_response(),
    };
    if tenants.get(&spec.name).is_some() {
        return ScimError::Conflict(format!("tenant {} already exists", spec.name)).into_response();
    }
    match tenants.create(&spec) {
        Ok(state) => (
            StatusCode::CREATED,
            Json(json!({
                "name": state.tenant,
                "scim_path": state.scim_path,
                "tokens": spec.tokens.len(),
                "oauth_clients": state.oauth.list(),
            })),
        )
            .into_response(),
        Err(crate::server::tenants::TenantError::Config(e)) => {
            ScimError::invalid_value(e.to_string()).into_response()
        }
        Err(crate::server::tenants::TenantError::Data(e)) => {
            ScimError::Internal(format!("the tenant could not be saved: {e}")).into_response()
        }
    }
}

/// `DELETE /admin/tenants/{name}`.
pub(crate) async fn remove(tenants: Arc<Tenants>, name: String, request: Request) -> Response {
    if !is_admin(&tenants.default_tenant().admin_token, &request) {
        return refused();
    }
    match tenants.remove(&name) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => ScimError::NotFound(format!("tenant {name} not found")).into_response(),
        Err(e) => {
            ScimError::Internal(format!("the removal could not be saved: {e}")).into_response()
        }
    }
}
