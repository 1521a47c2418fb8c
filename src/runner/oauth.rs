//! OAuth 2.0 client credentials for the run (RFC 6749 §4.4): the
//! [`OAuthSource`] fetches a bearer token from the token endpoint, caches
//! it until shortly before `expires_in` runs out, and fetches a fresh one
//! when the target answers `401` to the cached one (once per request).
//! Steps with `auth: default` carry [`PLACEHOLDER`] until the HTTP client
//! swaps in the current token. Every fetch is bounded (the request timeout,
//! a 64 KiB body cap, at most two attempts: `client_secret_basic`, then
//! `client_secret_post` when the endpoint refuses the first). The client
//! secret and every issued token are in [`OAuthSource::secrets`], so every
//! output redacts them; nothing here prints.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;

/// The `Authorization` value a rendered step carries until the client
/// swaps in the current OAuth token.
pub(crate) const PLACEHOLDER: &str = "Bearer scimulator-oauth-token-pending";

/// Largest token response read.
const MAX_TOKEN_BODY: usize = 64 * 1024;
/// Most issued tokens remembered for redaction (a run refreshes rarely).
const MAX_REMEMBERED: usize = 1024;

/// Where and how to get tokens (`--oauth-token-url`, `--client-id`,
/// `--client-secret`, `--scope`).
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthSettings {
    /// The token endpoint.
    pub token_url: String,
    /// `client_id`.
    pub client_id: String,
    /// `client_secret` (never printed).
    pub client_secret: String,
    /// Space-separated scopes to ask for, if any.
    pub scope: Option<String>,
}

impl fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("scope", &self.scope)
            .finish()
    }
}

/// Why no token could be obtained (never contains the secret).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum OAuthError {
    /// The HTTP client could not be built.
    #[error("OAuth: cannot build the HTTP client: {0}")]
    Setup(String),
    /// The token endpoint did not answer.
    #[error("OAuth: {url} did not answer: {detail}")]
    Transport {
        /// Token URL.
        url: String,
        /// The transport error.
        detail: String,
    },
    /// The token endpoint refused.
    #[error("OAuth: {url} answered {status}{code}")]
    Refused {
        /// Token URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// `: error` of RFC 6749 §5.2, when given.
        code: String,
    },
    /// The answer is not an RFC 6749 §5.1 bearer token.
    #[error("OAuth: {url} answered no usable bearer token: {detail}")]
    Malformed {
        /// Token URL.
        url: String,
        /// What is wrong.
        detail: String,
    },
}

#[derive(Debug, Clone)]
struct Cached {
    token: String,
    refresh_at: Option<Instant>,
}

/// A run's token source; shared (in an `Arc`) by every request of the run.
pub struct OAuthSource {
    settings: OAuthSettings,
    client: reqwest::Client,
    cached: tokio::sync::Mutex<Option<Cached>>,
    issued: Mutex<Vec<String>>,
}

impl fmt::Debug for OAuthSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSource")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl OAuthSource {
    /// A source whose token requests time out after `timeout`.
    pub fn new(settings: OAuthSettings, timeout: Duration) -> Result<Self, OAuthError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("scimulator/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OAuthError::Setup(e.to_string()))?;
        Ok(Self {
            settings,
            client,
            cached: tokio::sync::Mutex::new(None),
            issued: Mutex::new(Vec::new()),
        })
    }

    /// The client secret, its Basic header form and every token issued so far.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = vec![
            self.settings.client_secret.clone(),
            basic(&self.settings.client_id, &self.settings.client_secret),
        ];
        if let Ok(issued) = self.issued.lock() {
            out.extend(issued.iter().cloned());
        }
        out
    }

    /// The current token: the cached one unless it is about to expire.
    pub async fn token(&self) -> Result<String, OAuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && c.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(c.token.clone());
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// A fresh token after the target refused `rejected` with 401; when
    /// another request already refreshed it, that newer token.
    pub async fn refresh_after_401(&self, rejected: &str) -> Result<String, OAuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && c.token != rejected
        {
            return Ok(c.token.clone());
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    async fn fetch(&self) -> Result<Cached, OAuthError> {
        let first = self.request(true).await;
        let answer = match first {
            // Some endpoints take only client_secret_post: one more try.
            Err(OAuthError::Refused { status, .. }) if status == 400 || status == 401 => {
                self.request(false).await?
            }
            other => other?,
        };
        self.remember(&answer.token);
        Ok(answer)
    }

    fn remember(&self, token: &str) {
        if let Ok(mut issued) = self.issued.lock()
            && issued.len() < MAX_REMEMBERED
            && !issued.iter().any(|t| t == token)
        {
            issued.push(token.to_owned());
        }
    }

    async fn request(&self, use_basic: bool) -> Result<Cached, OAuthError> {
        let s = &self.settings;
        let url = s.token_url.clone();
        let body = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "client_credentials");
            if let Some(scope) = s.scope.as_deref().filter(|s| !s.is_empty()) {
                form.append_pair("scope", scope);
            }
            if !use_basic {
                form.append_pair("client_id", &s.client_id);
                form.append_pair("client_secret", &s.client_secret);
            }
            form.finish()
        };
        let mut builder = self
            .client
            .post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
        if use_basic {
            builder = builder.header(
                "Authorization",
                format!("Basic {}", basic(&s.client_id, &s.client_secret)),
            );
        }
        let requested = Instant::now();
        let mut resp = builder
            .body(body)
            .send()
            .await
            .map_err(|e| OAuthError::Transport {
                url: url.clone(),
                detail: e.without_url().to_string(),
            })?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() <= MAX_TOKEN_BODY => {
                    body.extend_from_slice(&chunk);
                }
                Ok(Some(_)) => {
                    return Err(OAuthError::Malformed {
                        url,
                        detail: format!("the answer exceeds {MAX_TOKEN_BODY} bytes"),
                    });
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(OAuthError::Transport {
                        url,
                        detail: e.without_url().to_string(),
                    });
                }
            }
        }
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        if !(200..300).contains(&status) {
            let code = json
                .as_ref()
                .and_then(|j| j.get("error"))
                .and_then(Value::as_str)
                .map(|c| {
                    format!(
                        ": {}",
                        crate::text::clip(c, 64, crate::text::Mark::Ellipsis)
                    )
                })
                .unwrap_or_default();
            return Err(OAuthError::Refused { url, status, code });
        }
        parse_answer(&url, json, requested)
    }
}

/// The RFC 6749 §5.1 answer → a cached token (refreshed a little before it expires).
fn parse_answer(url: &str, json: Option<Value>, requested: Instant) -> Result<Cached, OAuthError> {
    let malformed = |detail: &str| OAuthError::Malformed {
        url: url.to_owned(),
        detail: detail.to_owned(),
    };
    let json = json.ok_or_else(|| malformed("the body is not JSON"))?;
    let token = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed("no access_token"))?;
    let token_type = json.get("token_type").and_then(Value::as_str).unwrap_or("");
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(malformed("token_type is not Bearer"));
    }
    let refresh_at = json
        .get("expires_in")
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .map(|secs| {
            // Refresh when 90 % of the lifetime is gone (at most 30 s early).
            let margin = (secs / 10).min(30);
            requested + Duration::from_secs(secs.saturating_sub(margin))
        });
    Ok(Cached {
        token: token.to_owned(),
        refresh_at,
    })
}

/// `base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_answer_needs_a_bearer_access_token() {
        let now = Instant::now();
        let ok = parse_answer(
            "u",
            Some(json!({"access_token": "t", "token_type": "bearer", "expires_in": 100})),
            now,
        )
        .expect("ok");
        assert_eq!(ok.token, "t");
        assert_eq!(ok.refresh_at, Some(now + Duration::from_secs(90)));
        let no_expiry = parse_answer(
            "u",
            Some(json!({"access_token": "t", "token_type": "Bearer"})),
            now,
        )
        .expect("ok");
        assert_eq!(no_expiry.refresh_at, None);
        assert!(
            parse_answer(
                "u",
                Some(json!({"access_token": "t", "token_type": "mac"})),
                now
            )
            .is_err()
        );
        assert!(parse_answer("u", Some(json!({"token_type": "Bearer"})), now).is_err());
        assert!(parse_answer("u", None, now).is_err());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let s = OAuthSettings {
            token_url: "http://x/token".into(),
            client_id: "id".into(),
            client_secret: "canary-secret".into(),
            scope: None,
        };
        assert!(!format!("{s:?}").contains("canary-secret"));
        let source = OAuthSource::new(s, Duration::from_secs(1)).expect("source");
        assert!(!format!("{source:?}").contains("canary-secret"));
        assert!(source.secrets().contains(&"canary-secret".to_owned()));
    }

    #[test]
    fn basic_credentials_are_form_encoded_first() {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic("a b", "p:w"))
            .expect("b64");
        assert_eq!(String::from_utf8(decoded).expect("utf8"), "a+b:p%3Aw");
    }
}
