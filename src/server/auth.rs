//! Authentication: the SCIM [`TokenStore`] (named bearer tokens stored only
//! as SHA-256 hashes, compared in constant time, optional expiry, immediate
//! revocation, OAuth-issued tokens with scopes), the admin token check, optional HTTP Basic credentials, and
//! the two axum middlewares guarding `/scim/v2` and `/admin`. It must not
//! log or return plaintext tokens except once, at creation.

use std::sync::{OnceLock, RwLock};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::audit::{AuditNote, Recorded};
use super::clock::rfc3339;
use super::error::ScimError;
use super::state::AppState;
use super::store::persist::{Journal, TokenRow};

/// A SCIM token's public metadata (never the secret).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct TokenInfo {
    /// Token id (used to revoke it).
    pub id: String,
    /// Human name, e.g. `Okta Token`.
    pub name: String,
    /// Creation time, RFC 3339.
    pub created: String,
    /// Expiry time, RFC 3339, or `null`.
    pub expires_at: Option<String>,
    /// Whether the token was revoked.
    pub revoked: bool,
}

#[derive(Debug, Clone)]
struct TokenRecord {
    id: String,
    name: String,
    hash: [u8; 32],
    created: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
    revoked: bool,
    /// Granted OAuth scopes; `None` for tokens without scopes (they reach SCIM).
    scopes: Option<Vec<String>>,
    /// Issued by the token endpoint (pruned once expired).
    issued: bool,
}

impl TokenRecord {
    fn row(&self) -> TokenRow {
        TokenRow {
            id: self.id.clone(),
            name: self.name.clone(),
            sha256: self.hash,
            created: rfc3339(self.created),
            expires_at: self.expires_at.map(rfc3339),
            revoked: self.revoked,
        }
    }

    fn info(&self) -> TokenInfo {
        TokenInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            created: rfc3339(self.created),
            expires_at: self.expires_at.map(rfc3339),
            revoked: self.revoked,
        }
    }
}

/// Why a presented token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRejection {
    /// No token matches.
    Unknown,
    /// The token expired.
    Expired,
    /// The token was revoked.
    Revoked,
    /// The token was granted scopes, but not `scim`.
    InsufficientScope,
}

/// The SCIM bearer tokens of one server.
#[derive(Debug, Default)]
pub struct TokenStore {
    tokens: RwLock<Vec<TokenRecord>>,
    /// Where issued tokens and revocations are saved (`serve --data`).
    journal: OnceLock<Journal>,
}

/// The OAuth scope a token needs for SCIM when its client has scopes configured.
pub(crate) const SCIM_SCOPE: &str = "scim";

/// SHA-256 of a token.
pub(crate) fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A fresh random token: 32 random bytes, URL-safe base64 without padding.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl TokenStore {
    /// Adds a token with a known plaintext; returns its metadata.
    pub(crate) fn insert(
        &self,
        id: String,
        name: String,
        plaintext: &str,
        created: OffsetDateTime,
        expires_at: Option<OffsetDateTime>,
    ) -> TokenInfo {
        let record = TokenRecord {
            id,
            name,
            hash: hash_token(plaintext),
            created,
            expires_at,
            revoked: false,
            scopes: None,
            issued: false,
        };
        let info = record.info();
        if let Ok(mut tokens) = self.tokens.write() {
            tokens.push(record);
        }
        info
    }

    /// Adds a token issued by the OAuth token endpoint, expiring at
    /// `expires_at`, with its granted `scopes`; drops issued tokens that have
    /// expired, so the list stays bounded.
    pub(crate) fn insert_issued(
        &self,
        name: String,
        plaintext: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
        scopes: Option<Vec<String>>,
    ) {
        let record = TokenRecord {
            id: format!("oauth-{}", uuid::Uuid::new_v4()),
            name,
            hash: hash_token(plaintext),
            created: now,
            expires_at: Some(expires_at),
            revoked: false,
            scopes,
            issued: true,
        };
        if let Ok(mut tokens) = self.tokens.write() {
            tokens.retain(|t| !(t.issued && t.expires_at.is_some_and(|at| at <= now)));
            tokens.push(record);
        }
    }

    /// Saves every later [`TokenStore::issue`] and revocation through
    /// `journal`, after putting back the tokens it saved: a saved token
    /// whose id is also a configured token's (`cli-N`) only brings back its
    /// revocation, and only when it is the same token (same hash).
    pub(crate) fn attach(
        &self,
        journal: Journal,
    ) -> Result<(), super::store::persist::DataFileError> {
        let saved = journal.tokens()?;
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        for row in saved {
            let parse = |t: &str| {
                OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            };
            if let Some(live) = tokens.iter_mut().find(|t| t.id == row.id) {
                if live.hash == row.sha256 {
                    live.revoked |= row.revoked;
                }
                continue;
            }
            tokens.push(TokenRecord {
                created: parse(&row.created).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                // An unreadable expiry is taken as expired, never as "never expires".
                expires_at: row
                    .expires_at
                    .as_deref()
                    .map(|t| parse(t).unwrap_or(OffsetDateTime::UNIX_EPOCH)),
                id: row.id,
                name: row.name,
                hash: row.sha256,
                revoked: row.revoked,
                scopes: None,
                issued: false,
            });
        }
        let _ = self.journal.set(journal);
        Ok(())
    }

    /// Like [`TokenStore::insert`], and saved to the data file (when there
    /// is one) before it is accepted: a token that could not be saved is
    /// not issued.
    pub(crate) fn issue(
        &self,
        id: String,
        name: String,
        plaintext: &str,
        created: OffsetDateTime,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<TokenInfo, ScimError> {
        let record = TokenRecord {
            id,
            name,
            hash: hash_token(plaintext),
            created,
            expires_at,
            revoked: false,
            scopes: None,
            issued: false,
        };
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        if let Some(journal) = self.journal.get() {
            journal
                .save_token(&record.row())
                .map_err(|e| ScimError::Internal(format!("the token could not be saved: {e}")))?;
        }
        let info = record.info();
        tokens.push(record);
        Ok(info)
    }

    /// Revokes one token, saving the revocation first when there is a data
    /// file: `Ok(false)` if no token has that id, an error (and the token
    /// still live) if the revocation could not be saved.
    pub(crate) fn try_revoke(&self, id: &str) -> Result<bool, ScimError> {
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        let Some(token) = tokens.iter_mut().find(|t| t.id == id) else {
            return Ok(false);
        };
        if let Some(journal) = self.journal.get() {
            let mut row = token.row();
            row.revoked = true;
            journal.save_token(&row).map_err(|e| {
                ScimError::Internal(format!("the revocation could not be saved: {e}"))
            })?;
        }
        token.revoked = true;
        Ok(true)
    }

    /// The tokens a data file keeps (hashes; not the short-lived ones the
    /// OAuth token endpoint issued), in creation order.
    pub(crate) fn rows(&self) -> Vec<TokenRow> {
        self.tokens
            .read()
            .map(|t| {
                t.iter()
                    .filter(|t| !t.issued)
                    .map(TokenRecord::row)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// All tokens' metadata, in creation order.
    pub(crate) fn list(&self) -> Vec<TokenInfo> {
        self.tokens
            .read()
            .map(|t| t.iter().map(TokenRecord::info).collect())
            .unwrap_or_default()
    }

    /// Revokes one token; `false` if no token has that id.
    /// (In memory at once even when saving it failed: the failure is logged.)
    pub fn revoke(&self, id: &str) -> bool {
        match self.try_revoke(id) {
            Ok(found) => found,
            Err(error) => {
                eprintln!("scimulator: {error}");
                if let Ok(mut tokens) = self.tokens.write()
                    && let Some(t) = tokens.iter_mut().find(|t| t.id == id)
                {
                    t.revoked = true;
                }
                true
            }
        }
    }

    /// Revokes every token (disable SCIM), saving each revocation when
    /// there is a data file (a failure to save is logged; the revocation
    /// holds in memory regardless).
    pub(crate) fn revoke_all(&self) {
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        for token in tokens.iter_mut().filter(|t| !t.revoked) {
            token.revoked = true;
            if let Some(journal) = self.journal.get()
                && let Err(error) = journal.save_token(&token.row())
            {
                eprintln!("scimulator: a revocation could not be saved: {error}");
            }
        }
    }

    /// Checks a presented token in constant time against every stored hash;
    /// returns the token's name.
    pub(crate) fn validate(
        &self,
        presented: &str,
        now: OffsetDateTime,
    ) -> Result<String, TokenRejection> {
        let hash = hash_token(presented);
        let tokens = self.tokens.read().map_err(|_| TokenRejection::Unknown)?;
        let mut found: Option<&TokenRecord> = None;
        for record in tokens.iter() {
            if bool::from(record.hash.ct_eq(&hash)) {
                found = Some(record);
            }
        }
        let record = found.ok_or(TokenRejection::Unknown)?;
        if record.revoked {
            return Err(TokenRejection::Revoked);
        }
        if record.expires_at.is_some_and(|at| at <= now) {
            return Err(TokenRejection::Expired);
        }
        if record
            .scopes
            .as_ref()
            .is_some_and(|s| !s.iter().any(|s| s == SCIM_SCOPE))
        {
            return Err(TokenRejection::InsufficientScope);
        }
        Ok(record.name.clone())
    }
}

/// The admin token, kept as a hash.
#[derive(Debug)]
pub(crate) struct AdminToken {
    hash: [u8; 32],
}

impl AdminToken {
    /// Wraps a plaintext admin token.
    pub fn new(plaintext: &str) -> Self {
        Self {
            hash: hash_token(plaintext),
        }
    }

    /// Constant-time check of a presented token.
    pub fn matches(&self, presented: &str) -> bool {
        bool::from(self.hash.ct_eq(&hash_token(presented)))
    }
}

/// The credential part of an `Authorization` header.
enum Credential<'a> {
    Bearer(&'a str),
    Basic(&'a str),
}

fn credential(request: &Request) -> Result<Credential<'_>, ScimError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ScimError::Unauthorized("missing Authorization header".into()))?
        .to_str()
        .map_err(|_| ScimError::Unauthorized("malformed Authorization header".into()))?;
    let (scheme, rest) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| ScimError::Unauthorized("malformed Authorization header".into()))?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(ScimError::Unauthorized("empty credentials".into()));
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        Ok(Credential::Bearer(rest))
    } else if scheme.eq_ignore_ascii_case("basic") {
        Ok(Credential::Basic(rest))
    } else {
        Err(ScimError::Unauthorized(
            "unsupported authorization scheme".into(),
        ))
    }
}

fn check_basic(state: &AppState, encoded: &str) -> Result<String, ScimError> {
    let refused = || ScimError::Unauthorized("invalid credentials".into());
    let expected = state.basic_auth.as_ref().ok_or_else(refused)?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| refused())?;
    let expected_pair = format!("{}:{}", expected.username, expected.password);
    let ok = hash_token(&String::from_utf8_lossy(&decoded)).ct_eq(&hash_token(&expected_pair));
    if bool::from(ok) {
        Ok(format!("basic:{}", expected.username))
    } else {
        Err(refused())
    }
}

/// Authenticates a SCIM request and resolves the token name.
pub(crate) fn authenticate_scim(state: &AppState, request: &Request) -> Result<String, ScimError> {
    if !state.scim_enabled() {
        return Err(ScimError::Unauthorized("SCIM is disabled".into()));
    }
    match credential(request)? {
        Credential::Bearer(token) => {
            state
                .tokens
                .validate(token, state.clock.now())
                .map_err(|rejection| match rejection {
                    TokenRejection::Unknown => ScimError::InvalidToken("invalid token".into()),
                    TokenRejection::Expired => ScimError::InvalidToken("token expired".into()),
                    TokenRejection::Revoked => ScimError::InvalidToken("token revoked".into()),
                    TokenRejection::InsufficientScope => ScimError::InsufficientScope,
                })
        }
        Credential::Basic(encoded) => check_basic(state, encoded),
    }
}

/// The one middleware on `/scim/v2`: answers an on-demand throttle
/// (`X-Scimulator-Throttle`), authenticates, runs the handler and writes
/// the audit entry. One layer rather than three keeps the per-request
/// overhead down.
pub async fn scim_gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(throttled) = super::throttle::check(&state.throttle, request.headers()) {
        return throttled;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let token_name = match authenticate_scim(&state, &request) {
        Ok(name) => name,
        Err(error) => {
            state.audit.push(Recorded {
                at: state.clock.now(),
                token: None,
                method,
                path,
                status: error.status().as_u16(),
                note: AuditNote::default(),
            });
            return axum::response::IntoResponse::into_response(error);
        }
    };
    let mut response = next.run(request).await;
    let note = response.extensions_mut().remove::<AuditNote>();
    state.audit.push(Recorded {
        at: state.clock.now(),
        token: Some(token_name),
        method,
        path,
        status: response.status().as_u16(),
        note: note.unwrap_or_default(),
    });
    response
}

/// Whether `request` carries the admin token as a bearer token.
pub(crate) fn is_admin(admin_token: &AdminToken, request: &Request) -> bool {
    match credential(request) {
        Ok(Credential::Bearer(token)) => admin_token.matches(token),
        _ => false,
    }
}

/// Middleware on `/admin`: only the admin token is accepted.
pub(crate) async fn admin_auth(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !is_admin(&state.admin_token, &request) {
        return axum::response::IntoResponse::into_response(ScimError::Unauthorized(
            "admin token required".into(),
        ));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch() -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH
    }

    #[test]
    fn several_tokens_are_active_at_once() {
        let store = TokenStore::default();
        store.insert("1".into(), "a".into(), "secret-a", epoch(), None);
        store.insert("2".into(), "b".into(), "secret-b", epoch(), None);
        assert_eq!(store.validate("secret-a", epoch()), Ok("a".into()));
        assert_eq!(store.validate("secret-b", epoch()), Ok("b".into()));
        assert_eq!(
            store.validate("nope", epoch()),
            Err(TokenRejection::Unknown)
        );
    }

    #[test]
    fn revoked_token_is_refused() {
        let store = TokenStore::default();
        store.insert("1".into(), "a".into(), "secret-a", epoch(), None);
        assert!(store.revoke("1"));
        assert_eq!(
            store.validate("secret-a", epoch()),
            Err(TokenRejection::Revoked)
        );
        assert!(!store.revoke("missing"));
    }

    #[test]
    fn expired_token_is_refused() {
        let store = TokenStore::default();
        let expiry = epoch() + time::Duration::hours(1);
        store.insert("1".into(), "a".into(), "s", epoch(), Some(expiry));
        assert!(store.validate("s", epoch()).is_ok());
        assert_eq!(store.validate("s", expiry), Err(TokenRejection::Expired));
    }

    #[test]
    fn token_list_never_contains_the_secret() {
        let store = TokenStore::default();
        store.insert("1".into(), "a".into(), "very-secret", epoch(), None);
        let json = serde_json::to_string(&store.list()).expect("json");
        assert!(!json.contains("very-secret"));
    }

    #[test]
    fn issued_token_without_the_scim_scope_is_refused_and_expired_ones_are_pruned() {
        let store = TokenStore::default();
        let later = epoch() + time::Duration::seconds(60);
        store.insert_issued(
            "c".into(),
            "no-scope",
            epoch(),
            later,
            Some(vec!["read".into()]),
        );
        store.insert_issued(
            "c".into(),
            "scoped",
            epoch(),
            later,
            Some(vec!["scim".into()]),
        );
        assert_eq!(
            store.validate("no-scope", epoch()),
            Err(TokenRejection::InsufficientScope)
        );
        assert_eq!(store.validate("scoped", epoch()), Ok("c".into()));
        assert_eq!(
            store.validate("scoped", later),
            Err(TokenRejection::Expired)
        );
        store.insert_issued(
            "c".into(),
            "new",
            later,
            later + time::Duration::seconds(1),
            None,
        );
        assert_eq!(store.list().len(), 1, "expired issued tokens are dropped");
    }

    #[test]
    fn generated_tokens_differ() {
        assert_ne!(generate_token(), generate_token());
        assert!(generate_token().len() >= 40);
    }
}
