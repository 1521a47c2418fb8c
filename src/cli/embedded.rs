//! The embedded reference server for `run` without `--target`: start it on
//! `127.0.0.1:0` with two tenants and an OAuth client, issue a run token,
//! a token that is revoked at once and one that has expired, and a token
//! without the `scim` scope (so revocation and the security pack run), and
//! stop it at the end. The run authenticates by OAuth client credentials.

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::runner::{OAuthSettings, RunOptions};
use crate::server::auth::generate_token;
use crate::server::{OAuthClientConfig, RunningServer, ServerConfig, TenantSpec, start};

/// The second tenant of the embedded server.
const SECOND_TENANT: &str = "second";
/// The OAuth client of the run.
const CLIENT_ID: &str = "scimulator-run";

/// A running embedded server with its tenants' credentials.
#[derive(Debug)]
pub(crate) struct Embedded {
    server: RunningServer,
    /// The SCIM base URL.
    pub target: String,
    /// A live SCIM token.
    pub token: String,
    /// A token that was issued and then revoked.
    pub revoked_token: String,
    /// The run's OAuth client.
    pub oauth: OAuthSettings,
    /// A token whose expiry has passed.
    expired_token: String,
    /// An OAuth token granted only the `audit` scope.
    unscoped_token: String,
    /// The second tenant's SCIM base URL and token.
    second: (String, String),
}

impl Embedded {
    /// Starts the server and issues the tokens through the admin API.
    pub(crate) async fn start() -> anyhow::Result<Self> {
        // The default product is `ProductConfig::reference()`: the three seed
        // products at once, so suites/products/ can check resolved roles.
        let client_secret = generate_token();
        let second_token = generate_token();
        let config = ServerConfig {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            oauth_clients: vec![OAuthClientConfig {
                client_id: CLIENT_ID.to_owned(),
                client_secret: client_secret.clone(),
                scopes: vec!["scim".to_owned(), "audit".to_owned()],
                token_ttl_secs: 3600,
            }],
            tenants: vec![TenantSpec {
                name: SECOND_TENANT.to_owned(),
                tokens: vec![second_token.clone()],
                ..TenantSpec::default()
            }],
            // Nobody watches the embedded server: no inspector capture.
            inspector: crate::server::inspect::InspectorConfig { feed_size: 0 },
            ..ServerConfig::default()
        };
        let server = start(config)
            .await
            .context("starting the embedded reference server")?;
        let client = reqwest::Client::new();
        let admin = server.admin_base();
        let admin_token = server.admin_token().to_owned();
        let issue = |name: &'static str, expires_at: Option<&'static str>| {
            let client = client.clone();
            let url = format!("{admin}/tokens");
            let admin_token = admin_token.clone();
            async move {
                let resp = client
                    .post(&url)
                    .bearer_auth(&admin_token)
                    .json(&json!({"name": name, "expires_at": expires_at}))
                    .send()
                    .await
                    .with_context(|| format!("POST {url}"))?;
                let status = resp.status();
                let body: Value = resp
                    .json()
                    .await
                    .with_context(|| format!("POST {url}: body"))?;
                if !status.is_success() {
                    anyhow::bail!("POST {url} answered {status}: {body}");
                }
                let field = |k: &str| {
                    body.get(k)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .with_context(|| format!("POST {url}: no `{k}` in {body}"))
                };
                Ok::<_, anyhow::Error>((field("id")?, field("token")?))
            }
        };
        let (_, token) = issue("run", None).await?;
        let (revoked_id, revoked_token) = issue("run-revoked", None).await?;
        let (_, expired_token) = issue("run-expired", Some("2001-01-01T00:00:00Z")).await?;
        let token_url = server.token_url();
        let resp = client
            .post(&token_url)
            .basic_auth(CLIENT_ID, Some(&client_secret))
            .form(&[("grant_type", "client_credentials"), ("scope", "audit")])
            .send()
            .await
            .with_context(|| format!("POST {token_url}"))?;
        let body: Value = resp
            .json()
            .await
            .with_context(|| format!("POST {token_url}: body"))?;
        let unscoped_token = body
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .with_context(|| format!("POST {token_url}: no access_token"))?;
        let url = format!("{admin}/tokens/{revoked_id}");
        let resp = client
            .delete(&url)
            .bearer_auth(&admin_token)
            .send()
            .await
            .with_context(|| format!("DELETE {url}"))?;
        if !resp.status().is_success() {
            anyhow::bail!("DELETE {url} answered {}", resp.status());
        }
        Ok(Self {
            target: server.scim_base(),
            oauth: OAuthSettings {
                token_url,
                client_id: CLIENT_ID.to_owned(),
                client_secret,
                scope: None,
            },
            second: (server.tenant_scim_base(SECOND_TENANT), second_token),
            server,
            token,
            revoked_token,
            expired_token,
            unscoped_token,
        })
    }

    /// The security pack's variables: the second tenant, an expired and an
    /// unscoped token (all tokens secret).
    pub(crate) fn security_vars(&self, opts: &mut RunOptions) {
        opts.vars
            .push(("second_target".to_owned(), self.second.0.clone()));
        opts.secret_vars.extend([
            ("second_token".to_owned(), self.second.1.clone()),
            ("expired_token".to_owned(), self.expired_token.clone()),
            ("unscoped_token".to_owned(), self.unscoped_token.clone()),
        ]);
    }

    /// Stops the server.
    pub(crate) async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
