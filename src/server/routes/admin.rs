//! The admin API under `/admin`, guarded by the admin token (SCIM tokens
//! are refused here): SCIM tokens (create / list / revoke), role mappings,
//! the product configuration, OAuth clients (create / list / remove),
//! disabling / enabling SCIM, and the audit log. A named tenant's admin API
//! is the same, under `/admin/tenants/{tenant}`.
//! Bodies and responses are plain JSON; errors use the SCIM `Error` shape.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::server::auth::generate_token;
use crate::server::clock::rfc3339;
use crate::server::config::{OAuthClientConfig, ProductConfig, RoleMapping};
use crate::server::error::ScimError;
use crate::server::extract::{PathParam, ScimJson};
use crate::server::oauth::ClientInfo;
use crate::server::state::AppState;

/// Admin routes (relative to `/admin`).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/tokens", post(create_token).get(list_tokens))
        .route("/tokens/{id}", delete(revoke_token))
        .route(
            "/role-mappings",
            get(get_role_mappings).put(put_role_mappings),
        )
        .route("/config", get(get_config).put(put_config))
        .route("/scim/disable", post(disable_scim))
        .route("/scim/enable", post(enable_scim))
        .route("/audit", get(audit))
        .route("/oauth/clients", post(upsert_client).get(list_clients))
        .route("/oauth/clients/{id}", delete(remove_client))
}

async fn upsert_client(
    State(state): State<AppState>,
    ScimJson(client): ScimJson<OAuthClientConfig>,
) -> Result<(StatusCode, Json<ClientInfo>), ScimError> {
    client
        .validate()
        .map_err(|e| ScimError::invalid_value(e.to_string()))?;
    let info = state
        .oauth
        .try_upsert(&client)
        .map_err(|e| ScimError::Internal(format!("the client could not be saved: {e}")))?;
    Ok((StatusCode::CREATED, Json(info)))
}

async fn list_clients(State(state): State<AppState>) -> Json<Vec<ClientInfo>> {
    Json(state.oauth.list())
}

async fn remove_client(
    State(state): State<AppState>,
    PathParam(id): PathParam,
) -> Result<StatusCode, ScimError> {
    let removed = state
        .oauth
        .remove(&id)
        .map_err(|e| ScimError::Internal(format!("the removal could not be saved: {e}")))?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ScimError::NotFound(format!("OAuth client {id} not found")))
    }
}

/// `POST /admin/tokens` body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    /// Token name, e.g. `Okta Token`.
    pub name: String,
    /// Optional RFC 3339 expiry.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// `POST /admin/tokens` response: the plaintext is shown only here.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CreatedToken {
    /// Token id.
    pub id: String,
    /// Token name.
    pub name: String,
    /// The plaintext bearer token.
    pub token: String,
    /// Creation time.
    pub created: String,
    /// Expiry, if any.
    pub expires_at: Option<String>,
}

async fn create_token(
    State(state): State<AppState>,
    ScimJson(body): ScimJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ScimError> {
    if body.name.trim().is_empty() {
        return Err(ScimError::invalid_value("name is required"));
    }
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|t| OffsetDateTime::parse(t, &Rfc3339))
        .transpose()
        .map_err(|_| ScimError::invalid_value("expires_at must be an RFC 3339 timestamp"))?;
    let plaintext = generate_token();
    let now = state.now();
    let info = state
        .tokens
        .issue(state.ids.next_id(), body.name, &plaintext, now, expires_at)?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: info.id,
            name: info.name,
            token: plaintext,
            created: rfc3339(now),
            expires_at: info.expires_at,
        }),
    ))
}

async fn list_tokens(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.tokens.list()))
}

async fn revoke_token(
    State(state): State<AppState>,
    PathParam(id): PathParam,
) -> Result<StatusCode, ScimError> {
    if state.tokens.try_revoke(&id)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ScimError::NotFound(format!("token {id} not found")))
    }
}

async fn get_role_mappings(State(state): State<AppState>) -> Json<Vec<RoleMapping>> {
    Json(state.product().role_mappings.clone())
}

async fn put_role_mappings(
    State(state): State<AppState>,
    ScimJson(mappings): ScimJson<Vec<RoleMapping>>,
) -> Result<Json<Vec<RoleMapping>>, ScimError> {
    let mut product = (*state.product()).clone();
    product.role_mappings = mappings;
    let out = product.role_mappings.clone();
    state.set_product(product).map_err(config_error)?;
    Ok(Json(out))
}

async fn get_config(State(state): State<AppState>) -> Json<ProductConfig> {
    Json((*state.product()).clone())
}

async fn put_config(
    State(state): State<AppState>,
    ScimJson(product): ScimJson<ProductConfig>,
) -> Result<Json<ProductConfig>, ScimError> {
    state.set_product(product.clone()).map_err(config_error)?;
    Ok(Json(product))
}

/// How SCIM-managed users are treated when SCIM is disabled.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DisableMode {
    /// Users stay active.
    #[default]
    Soft,
    /// Users are deactivated.
    Lock,
}

/// `POST /admin/scim/disable` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DisableRequest {
    /// `soft` (default) or `lock`.
    #[serde(default)]
    pub mode: DisableMode,
}

async fn disable_scim(
    State(state): State<AppState>,
    ScimJson(request): ScimJson<DisableRequest>,
) -> Json<Value> {
    state.set_scim_enabled(false);
    state.tokens.revoke_all();
    let deactivated = match request.mode {
        DisableMode::Soft => 0,
        DisableMode::Lock => state.store.deactivate_all_users(state.now()),
    };
    Json(json!({"enabled": false, "mode": request.mode, "deactivated_users": deactivated}))
}

async fn enable_scim(State(state): State<AppState>) -> Json<Value> {
    state.set_scim_enabled(true);
    Json(json!({"enabled": true}))
}

async fn audit(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.audit.entries()))
}

/// A refused product configuration is 400; one that could not be saved, 500.
fn config_error(error: crate::server::error::ConfigError) -> ScimError {
    match error {
        crate::server::error::ConfigError::Save(detail) => ScimError::Internal(detail),
        other => ScimError::invalid_value(other.to_string()),
    }
}
