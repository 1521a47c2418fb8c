//! OAuth 2.0 client credentials (RFC 6749 §4.4): the [`OAuthClients`] of a
//! tenant (secrets kept only as SHA-256 hashes, compared in constant time)
//! and the token endpoint `POST /oauth/token` (`/t/{tenant}/oauth/token`).
//! Clients authenticate with `client_secret_basic` or `client_secret_post`
//! (RFC 6749 §2.3.1); issued tokens are short-lived bearer tokens stored in
//! the tenant's [`TokenStore`](super::auth::TokenStore). Errors are the
//! RFC 6749 §5.2 JSON answers. It must never log or echo a secret or a token.

use std::sync::{OnceLock, RwLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Serialize;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::auth::{SCIM_SCOPE, generate_token, hash_token};
use super::config::OAuthClientConfig;
use super::state::AppState;
use super::store::persist::{ClientRow, DataFileError, Journal};

#[derive(Debug, Clone)]
struct ClientRecord {
    id: String,
    secret_hash: [u8; 32],
    scopes: Vec<String>,
    ttl_secs: u64,
}

/// A client's public metadata (never the secret).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClientInfo {
    /// `client_id`.
    pub client_id: String,
    /// Scopes it may ask for.
    pub scopes: Vec<String>,
    /// Token lifetime in seconds.
    pub token_ttl_secs: u64,
}

/// The OAuth clients of one tenant.
#[derive(Debug, Default)]
pub struct OAuthClients {
    clients: RwLock<Vec<ClientRecord>>,
    /// Where clients are saved (`serve --data`).
    journal: OnceLock<Journal>,
}

fn row(record: &ClientRecord, from_config: bool) -> ClientRow {
    ClientRow {
        client_id: record.id.clone(),
        sha256: record.secret_hash,
        scopes: record.scopes.clone(),
        ttl_secs: record.ttl_secs,
        from_config,
    }
}

impl OAuthClients {
    /// Clients from configuration (secrets hashed at once).
    pub fn new(configs: &[OAuthClientConfig]) -> Self {
        let clients = Self::default();
        for config in configs {
            clients.upsert(config);
        }
        clients
    }

    /// Adds a client, or replaces the one with the same `client_id`
    /// (in memory only: the configured clients, before [`Self::attach`]).
    pub fn upsert(&self, config: &OAuthClientConfig) -> ClientInfo {
        let record = record(config);
        let info = info(&record);
        if let Ok(mut clients) = self.clients.write() {
            clients.retain(|c| c.id != record.id);
            clients.push(record);
        }
        info
    }

    /// Like [`Self::upsert`], saved to the data file (when there is one)
    /// before it is accepted: a client that could not be saved is not added.
    pub(crate) fn try_upsert(
        &self,
        config: &OAuthClientConfig,
    ) -> Result<ClientInfo, DataFileError> {
        let record = record(config);
        let mut clients = self.clients.write().unwrap_or_else(|e| e.into_inner());
        if let Some(journal) = self.journal.get() {
            journal.save_client(&row(&record, false))?;
        }
        let info = info(&record);
        clients.retain(|c| c.id != record.id);
        clients.push(record);
        Ok(info)
    }

    /// Saves every later change through `journal`, after merging what it
    /// saved with the clients held now (the configured ones): a configured
    /// client wins over a saved one of the same id and is saved as
    /// configured; a saved client the configuration declared but no longer
    /// does is dropped; a client created through the admin API comes back.
    pub(crate) fn attach(&self, journal: Journal) -> Result<(), DataFileError> {
        let saved = journal.clients()?;
        let mut clients = self.clients.write().unwrap_or_else(|e| e.into_inner());
        for configured in clients.iter() {
            journal.save_client(&row(configured, true))?;
        }
        for client in saved {
            if clients.iter().any(|c| c.id == client.client_id) {
                continue;
            }
            if client.from_config {
                journal.delete_client(&client.client_id)?;
                continue;
            }
            clients.push(ClientRecord {
                id: client.client_id,
                secret_hash: client.sha256,
                scopes: client.scopes,
                ttl_secs: client.ttl_secs.max(1),
            });
        }
        let _ = self.journal.set(journal);
        Ok(())
    }

    /// Every client as the data file keeps it (secrets hashed), each marked
    /// as created through the admin API.
    pub(crate) fn rows(&self) -> Vec<ClientRow> {
        self.clients
            .read()
            .map(|c| c.iter().map(|r| row(r, false)).collect())
            .unwrap_or_default()
    }

    /// Every client's metadata.
    pub fn list(&self) -> Vec<ClientInfo> {
        self.clients
            .read()
            .map(|c| c.iter().map(info).collect())
            .unwrap_or_default()
    }

    /// Removes a client, from the data file first when there is one;
    /// `Ok(false)` when there was none.
    pub fn remove(&self, client_id: &str) -> Result<bool, DataFileError> {
        let mut clients = self.clients.write().unwrap_or_else(|e| e.into_inner());
        let before = clients.len();
        if !clients.iter().any(|c| c.id == client_id) {
            return Ok(false);
        }
        if let Some(journal) = self.journal.get() {
            journal.delete_client(client_id)?;
        }
        clients.retain(|c| c.id != client_id);
        Ok(clients.len() != before)
    }

    /// Whether any client is configured.
    pub fn is_empty(&self) -> bool {
        self.clients.read().map(|c| c.is_empty()).unwrap_or(true)
    }

    fn authenticate(&self, id: &str, secret: &str) -> Option<ClientRecord> {
        let hash = hash_token(secret);
        let clients = self.clients.read().ok()?;
        let record = clients.iter().find(|c| c.id == id)?;
        bool::from(record.secret_hash.ct_eq(&hash)).then(|| record.clone())
    }
}

fn record(config: &OAuthClientConfig) -> ClientRecord {
    ClientRecord {
        id: config.client_id.clone(),
        secret_hash: hash_token(&config.client_secret),
        scopes: config.scopes.clone(),
        ttl_secs: config.token_ttl_secs.max(1),
    }
}

fn info(record: &ClientRecord) -> ClientInfo {
    ClientInfo {
        client_id: record.id.clone(),
        scopes: record.scopes.clone(),
        token_ttl_secs: record.ttl_secs,
    }
}

/// An RFC 6749 §5.2 error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OAuthErrorCode {
    /// Malformed request (missing or repeated parameter, two auth methods, wrong content type).
    InvalidRequest,
    /// Client authentication failed (401).
    InvalidClient,
    /// The grant (code, refresh token) is invalid: this server issues none.
    InvalidGrant,
    /// The client may not use this (registered) grant type.
    UnauthorizedClient,
    /// Grant type unknown to this server.
    UnsupportedGrantType,
    /// A requested scope is not allowed for the client.
    InvalidScope,
}

impl OAuthErrorCode {
    /// The RFC 6749 `error` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
        }
    }
}

/// A token-endpoint error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    /// The code.
    pub code: OAuthErrorCode,
    /// `error_description` (never contains a secret).
    pub description: &'static str,
}

fn fail(code: OAuthErrorCode, description: &'static str) -> OAuthError {
    OAuthError { code, description }
}

fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = if self.code == OAuthErrorCode::InvalidClient {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = json!({"error": self.code.as_str(), "error_description": self.description});
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6749 §5.2: a 401 names the scheme the client may use.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"scimulator\""),
            );
        }
        no_store(&mut response);
        response
    }
}

/// A successful token answer (RFC 6749 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issued {
    /// The bearer token.
    pub access_token: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// Granted scopes, space-separated, when the client has scopes.
    pub scope: Option<String>,
}

/// Grant types RFC 6749 defines that carry a grant this server never issued.
const GRANTS_WITH_A_CODE: &[&str] = &["authorization_code", "refresh_token"];
/// Registered grant types this server's clients are not allowed.
const OTHER_KNOWN_GRANTS: &[&str] = &[
    "password",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
];

/// Decides a token request: `headers` (for `Authorization` and
/// `Content-Type`) and the form `body`. Pure apart from issuing into the
/// tenant's token store.
pub(crate) fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Issued, OAuthError> {
    use OAuthErrorCode::*;
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(fail(
            InvalidRequest,
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(body) {
        if params.iter().any(|(seen, _)| *seen == k) {
            // RFC 6749 §3.2: parameters MUST NOT be included more than once.
            return Err(fail(InvalidRequest, "a parameter is repeated"));
        }
        params.push((k.into_owned(), v.into_owned()));
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let grant_type = param("grant_type").ok_or(fail(InvalidRequest, "grant_type is required"))?;
    let basic = basic_credentials(headers)?;
    let posted = match (param("client_id"), param("client_secret")) {
        (Some(id), Some(secret)) => Some((id.to_owned(), secret.to_owned())),
        (None, None) => None,
        (Some(_), None) if basic.is_some() => None,
        _ => {
            return Err(fail(
                InvalidRequest,
                "client_id and client_secret go together",
            ));
        }
    };
    let (id, secret) = match (basic, posted) {
        (Some(_), Some(_)) => {
            // RFC 6749 §2.3: one authentication method per request.
            return Err(fail(
                InvalidRequest,
                "use either HTTP Basic or client_secret in the body, not both",
            ));
        }
        (Some(pair), None) | (None, Some(pair)) => pair,
        (None, None) => return Err(fail(InvalidClient, "client authentication is required")),
    };
    let client = state
        .oauth
        .authenticate(&id, &secret)
        .ok_or(fail(InvalidClient, "client authentication failed"))?;
    if grant_type != "client_credentials" {
        return Err(if GRANTS_WITH_A_CODE.contains(&grant_type) {
            fail(
                InvalidGrant,
                "this server issues no codes or refresh tokens",
            )
        } else if OTHER_KNOWN_GRANTS.contains(&grant_type) {
            fail(
                UnauthorizedClient,
                "the client may only use client_credentials",
            )
        } else {
            fail(UnsupportedGrantType, "only client_credentials is supported")
        });
    }
    let requested: Vec<String> = param("scope")
        .map(|s| {
            s.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let granted = if client.scopes.is_empty() {
        if requested.iter().any(|s| s != SCIM_SCOPE) {
            return Err(fail(InvalidScope, "this client has no such scope"));
        }
        None
    } else if requested.is_empty() {
        Some(client.scopes.clone())
    } else {
        if requested.iter().any(|s| !client.scopes.contains(s)) {
            return Err(fail(InvalidScope, "a requested scope is not allowed"));
        }
        Some(requested)
    };
    let token = generate_token();
    let now = state.now();
    let ttl = i64::try_from(client.ttl_secs).unwrap_or(i64::MAX);
    let expires_at = now.checked_add(time::Duration::seconds(ttl)).unwrap_or(now);
    state.tokens.insert_issued(
        format!("oauth:{}", client.id),
        &token,
        now,
        expires_at,
        granted.clone(),
    );
    Ok(Issued {
        access_token: token,
        expires_in: client.ttl_secs,
        scope: granted.map(|s| s.join(" ")),
    })
}

/// The `client_secret_basic` credentials, if the request has them.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let refused = || {
        fail(
            OAuthErrorCode::InvalidClient,
            "client authentication failed",
        )
    };
    let value = value.to_str().map_err(|_| refused())?;
    let (scheme, encoded) = value.trim().split_once(' ').ok_or_else(refused)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(refused());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| refused())?;
    let text = String::from_utf8(decoded).map_err(|_| refused())?;
    let (id, secret) = text.split_once(':').ok_or_else(refused)?;
    // RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding.
    let decode = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((decode(id), decode(secret))))
}

/// `POST /oauth/token`.
pub(crate) async fn token_endpoint(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&state, &headers, &body) {
        Ok(issued) => {
            let mut body = json!({
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
            });
            if let (Some(scope), Some(map)) = (issued.scope, body.as_object_mut()) {
                map.insert("scope".into(), json!(scope));
            }
            let mut response = (StatusCode::OK, axum::Json(body)).into_response();
            no_store(&mut response);
            response
        }
        Err(error) => error.into_response(),
    }
}
